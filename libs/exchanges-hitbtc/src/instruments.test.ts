import { describe, expect, it } from 'vitest';
import { HITBTC_URLS } from './index.js';
import { instrumentsUrl, parseInstruments } from './instruments.js';

// Bodies shaped like GET /api/3/public/symbol answers (spec §2; fields level4 does not read kept for realism).
const spot = (base: string, quote: string, extra: object = {}): object => ({
  type: 'spot',
  base_currency: base,
  quote_currency: quote,
  status: 'working',
  quantity_increment: '0.0001',
  tick_size: '0.000001',
  take_rate: '0.0025',
  make_rate: '0.001',
  fee_currency: quote,
  margin_trading: true,
  max_initial_leverage: '10.00',
  ...extra,
});

const futures = (extra: object = {}): object => ({
  type: 'futures',
  expiry: null,
  underlying: 'BTC',
  base_currency: 'BTC',
  quote_currency: 'USDT',
  quantity_increment: '0.0001',
  tick_size: '0.01',
  take_rate: '0.0006',
  make_rate: '0.0002',
  fee_currency: 'USDT',
  margin_trading: true,
  max_initial_leverage: '100.00',
  status: 'working',
  ...extra,
});

const BODY = JSON.stringify({
  ETHBTC: spot('ETH', 'BTC'),
  BTCUSDT: spot('BTC', 'USDT', { tick_size: '0.01' }),
  XYZUSDT: spot('xyz', 'usdt', { status: 'suspended' }),
  BTCUSDT_PERP: futures(),
  ETHUSDT_PERP: futures({ underlying: 'ETH', base_currency: undefined, status: 'suspended' }),
  BTCUSDT_20261225: futures({ expiry: '2026-12-25T08:00:00.000Z' }),
  BTCUSDT_BAD: futures({ expiry: 'soon' }),
});

describe('instrumentsUrl', () => {
  it('is the one symbol list of every type, under the REST base', () => {
    expect(instrumentsUrl(HITBTC_URLS, 'spot')).toBe('https://api.hitbtc.com/api/3/public/symbol');
    expect(instrumentsUrl(HITBTC_URLS, 'futures')).toBe('https://api.hitbtc.com/api/3/public/symbol');
    expect(instrumentsUrl({ rest: 'http://127.0.0.1:9000/api/3' }, 'futures')).toBe('http://127.0.0.1:9000/api/3/public/symbol');
    expect(() => instrumentsUrl(HITBTC_URLS, 'inverse')).toThrow('hitbtc: no market type "inverse"');
  });
});

describe('parseInstruments', () => {
  it('keeps the spot symbols: upper-case assets, tick size as text, trading = status working', () => {
    expect(parseInstruments('spot', BODY)).toEqual({
      instruments: [
        { venue: 'hitbtc', type: 'spot', symbol: 'ETHBTC', base: 'ETH', quote: 'BTC', tickSize: '0.000001', trading: true, status: 'working' },
        { venue: 'hitbtc', type: 'spot', symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', tickSize: '0.01', trading: true, status: 'working' },
        { venue: 'hitbtc', type: 'spot', symbol: 'XYZUSDT', base: 'XYZ', quote: 'USDT', tickSize: '0.000001', trading: false, status: 'suspended' },
      ],
    });
  });

  it('keeps the futures symbols: contract size 1 (sizes in base units), expiry only on dated ones, base from underlying if need be', () => {
    expect(parseInstruments('futures', BODY).instruments).toEqual([
      { venue: 'hitbtc', type: 'futures', symbol: 'BTCUSDT_PERP', base: 'BTC', quote: 'USDT', tickSize: '0.01', contractSize: '1', trading: true, status: 'working' },
      { venue: 'hitbtc', type: 'futures', symbol: 'ETHUSDT_PERP', base: 'ETH', quote: 'USDT', tickSize: '0.01', contractSize: '1', trading: false, status: 'suspended' },
      {
        venue: 'hitbtc',
        type: 'futures',
        symbol: 'BTCUSDT_20261225',
        base: 'BTC',
        quote: 'USDT',
        tickSize: '0.01',
        contractSize: '1',
        expiry: Date.UTC(2026, 11, 25, 8),
        trading: true,
        status: 'working',
      },
    ]);
  });

  it('skips entries it cannot map (no base or quote, unreadable expiry) and types level4 does not know', () => {
    const body = JSON.stringify({ A: spot('', 'USDT'), B: futures({ base_currency: null, underlying: null }), C: { ...futures(), type: 'option' }, D: futures({ expiry: 1798185600000 }) });
    expect(parseInstruments('spot', body).instruments).toEqual([]);
    expect(parseInstruments('futures', body).instruments.map((i) => [i.symbol, i.expiry])).toEqual([['D', 1798185600000]]);
  });

  it('throws on an error answer or a body of another shape, saying which', () => {
    expect(() => parseInstruments('spot', '{"error":{"code":429,"message":"Too many requests"}}')).toThrow('hitbtc: symbol list failed: 429 Too many requests');
    expect(() => parseInstruments('spot', '<html>503</html>')).toThrow('hitbtc: symbol list body is not JSON');
    expect(() => parseInstruments('spot', '[]')).toThrow('hitbtc: symbol list body is not an object');
    expect(() => parseInstruments('spot', '{"ETHBTC":1}')).toThrow('hitbtc: symbol list entry ETHBTC is not an object');
    expect(() => parseInstruments('spot', JSON.stringify({ ETHBTC: spot('ETH', 'BTC', { tick_size: 0.01 }) }))).toThrow('entry ETHBTC without status or tick_size');
    expect(() => parseInstruments('inverse', '{}')).toThrow('hitbtc: no market type "inverse"');
  });
});

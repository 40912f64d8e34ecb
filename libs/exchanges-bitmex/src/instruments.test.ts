import { describe, expect, it } from 'vitest';
import { BITMEX_URLS } from './index.js';
import { assetCode, instrumentsUrl, parseInstruments } from './instruments.js';

// Entries shaped like GET /api/v1/instrument/active (fields level4 does not read mostly left out).
const entry = (symbol: string, extra: object): object => ({
  symbol,
  rootSymbol: 'XBT',
  underlying: 'XBT',
  state: 'Open',
  quoteCurrency: 'USDT',
  settlCurrency: 'USDt',
  lotSize: 100,
  multiplier: 1,
  isQuanto: false,
  isInverse: false,
  expiry: null,
  underlyingToPositionMultiplier: null,
  ...extra,
});

const LIST = JSON.stringify([
  entry('XBT_USDT', { typ: 'IFXXXP', tickSize: 0.5, underlyingToPositionMultiplier: 10000 }),
  entry('XBTUSD', { typ: 'FFWCSX', quoteCurrency: 'USD', settlCurrency: 'XBt', tickSize: 0.5, isInverse: true, multiplier: -100000000 }),
  entry('XBTUSDT', { typ: 'FFWCSX', tickSize: 0.1, underlyingToPositionMultiplier: 1000000 }),
  entry('ETHUSD', { typ: 'FFWCSX', rootSymbol: 'ETH', underlying: 'ETH', quoteCurrency: 'USD', settlCurrency: 'XBt', tickSize: 0.05, isQuanto: true }),
  entry('XBTM26', { typ: 'FFCCSX', quoteCurrency: 'USD', settlCurrency: 'XBt', tickSize: 0.5, isInverse: true, expiry: '2026-06-26T12:00:00.000Z', state: 'Unlisted' }),
  entry('XRPU21', { typ: 'FFCCSX', rootSymbol: 'XRP', underlying: 'XRP', quoteCurrency: 'XBT', tickSize: 1e-8, underlyingToPositionMultiplier: 1, expiry: '2021-09-24T12:00:00.000Z' }),
  entry('.BXBT', { typ: 'MRCXXX', tickSize: 0.01 }),
  entry('P_FTXZ26', { typ: 'FFICSX', tickSize: 0.1 }),
]);

describe('instrumentsUrl', () => {
  it('is the one active-instrument list for every type', () => {
    expect(instrumentsUrl(BITMEX_URLS, 'spot')).toBe('https://www.bitmex.com/api/v1/instrument/active');
    expect(instrumentsUrl({ rest: 'http://127.0.0.1:9000/api/v1' }, 'inverse')).toBe('http://127.0.0.1:9000/api/v1/instrument/active');
  });
});

describe('parseInstruments', () => {
  it('spot (IFXXXP): XBT is BTC, tick size as text, no contract fields', () => {
    expect(parseInstruments('spot', LIST)).toEqual({
      instruments: [{ venue: 'bitmex', type: 'spot', symbol: 'XBT_USDT', base: 'BTC', quote: 'USDT', tickSize: '0.5', trading: true, status: 'Open' }],
    });
  });

  it('inverse: contracts with isInverse (one contract = 1 USD), dated ones with expiry', () => {
    expect(parseInstruments('inverse', LIST).instruments).toEqual([
      { venue: 'bitmex', type: 'inverse', symbol: 'XBTUSD', base: 'BTC', quote: 'USD', tickSize: '0.5', contractSize: '1', trading: true, status: 'Open' },
      {
        venue: 'bitmex',
        type: 'inverse',
        symbol: 'XBTM26',
        base: 'BTC',
        quote: 'USD',
        tickSize: '0.5',
        contractSize: '1',
        expiry: Date.parse('2026-06-26T12:00:00.000Z'),
        trading: false,
        status: 'Unlisted',
      },
    ]);
  });

  it('futures: linear (contract = 1/underlyingToPositionMultiplier base) and quanto (no base size) perpetuals and dated contracts', () => {
    expect(parseInstruments('futures', LIST).instruments).toEqual([
      { venue: 'bitmex', type: 'futures', symbol: 'XBTUSDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', contractSize: '0.000001', trading: true, status: 'Open' },
      { venue: 'bitmex', type: 'futures', symbol: 'ETHUSD', base: 'ETH', quote: 'USD', tickSize: '0.05', trading: true, status: 'Open' },
      {
        venue: 'bitmex',
        type: 'futures',
        symbol: 'XRPU21',
        base: 'XRP',
        quote: 'BTC',
        tickSize: '0.00000001',
        contractSize: '1',
        expiry: Date.parse('2021-09-24T12:00:00.000Z'),
        trading: true,
        status: 'Open',
      },
    ]);
  });

  it('normalizes asset codes', () => {
    expect([assetCode('XBT'), assetCode('XBt'), assetCode('usdt'), assetCode('ETH')]).toEqual(['BTC', 'BTC', 'USDT', 'ETH']);
  });

  it('throws on a failed call or a body of another shape, saying which', () => {
    expect(() => parseInstruments('spot', '<html>503</html>')).toThrow('bitmex: instrument/active body is not JSON');
    expect(() => parseInstruments('spot', '{"error":{"message":"Rate limit exceeded","name":"RateLimitError"}}')).toThrow('bitmex: instrument/active failed: Rate limit exceeded');
    expect(() => parseInstruments('spot', '{}')).toThrow('bitmex: instrument/active body is not an array');
    expect(() => parseInstruments('spot', '[1]')).toThrow('entry is not an object');
    expect(() => parseInstruments('spot', JSON.stringify([entry('X_USDT', { typ: 'IFXXXP', tickSize: '0.5' })]))).toThrow(
      'entry without symbol, underlying, quoteCurrency, state or tickSize',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { KRAKEN_URLS } from './index.js';
import { instrumentsUrl, normalizeAsset, parseInstruments } from './instruments.js';

describe('instrumentsUrl', () => {
  it('spot from AssetPairs, linear and inverse from the Futures instruments list', () => {
    expect(instrumentsUrl(KRAKEN_URLS, 'spot')).toBe('https://api.kraken.com/0/public/AssetPairs');
    expect(instrumentsUrl(KRAKEN_URLS, 'futures')).toBe('https://futures.kraken.com/derivatives/api/v3/instruments');
    expect(instrumentsUrl(KRAKEN_URLS, 'inverse')).toBe('https://futures.kraken.com/derivatives/api/v3/instruments');
  });
});

describe('parseInstruments: spot AssetPairs', () => {
  const pairs = (result: object) => JSON.stringify({ error: [], result });

  it('symbol = wsname with the v2 codes (XBT -> BTC, XDG -> DOGE), tick size as text, status', () => {
    const body = pairs({
      XXBTZUSD: { altname: 'XBTUSD', wsname: 'XBT/USD', base: 'XXBT', quote: 'ZUSD', pair_decimals: 1, lot_decimals: 8, tick_size: '0.1', status: 'online' },
      XDGUSD: { altname: 'XDGUSD', wsname: 'XDG/USD', base: 'XXDG', quote: 'ZUSD', pair_decimals: 7, tick_size: '0.0000001', status: 'post_only' },
      ALGOUSD: { altname: 'ALGOUSD', wsname: 'ALGO/USD', base: 'ALGO', quote: 'ZUSD', pair_decimals: 5 },
      'XBTUSD.d': { altname: 'XBTUSD.d', base: 'XXBT', quote: 'ZUSD', pair_decimals: 1 },
      ETHXBT: { wsname: 'ETH/XBT', pair_decimals: 0, status: 'limit_only' },
    });
    expect(parseInstruments('spot', body)).toEqual({
      instruments: [
        { venue: 'kraken', type: 'spot', symbol: 'BTC/USD', base: 'BTC', quote: 'USD', tickSize: '0.1', trading: true, status: 'online' },
        { venue: 'kraken', type: 'spot', symbol: 'DOGE/USD', base: 'DOGE', quote: 'USD', tickSize: '0.0000001', trading: false, status: 'post_only' },
        // A 2021 answer: no tick_size, no status.
        { venue: 'kraken', type: 'spot', symbol: 'ALGO/USD', base: 'ALGO', quote: 'USD', tickSize: '0.00001', trading: true, status: 'online' },
        { venue: 'kraken', type: 'spot', symbol: 'ETH/BTC', base: 'ETH', quote: 'BTC', tickSize: '1', trading: true, status: 'limit_only' },
      ],
    });
  });

  it('throws on a failed call or a body of another shape', () => {
    expect(() => parseInstruments('spot', '{"error":["EGeneral:Too many requests"]}')).toThrow('kraken: AssetPairs failed: EGeneral:Too many requests');
    expect(() => parseInstruments('spot', '<html>')).toThrow('kraken: AssetPairs body is not JSON');
    expect(() => parseInstruments('spot', '{"error":[]}')).toThrow('kraken: AssetPairs without "result"');
    expect(() => parseInstruments('spot', pairs({ X: { wsname: 'A/B' } }))).toThrow('kraken: AssetPairs entry X without "tick_size" or "pair_decimals"');
  });

  it('normalizes asset codes', () => {
    expect(['xbt', 'XDG', 'eth', 'USD'].map(normalizeAsset)).toEqual(['BTC', 'DOGE', 'ETH', 'USD']);
  });
});

describe('parseInstruments: Kraken Futures', () => {
  const body = JSON.stringify({
    result: 'success',
    instruments: [
      { symbol: 'pi_xbtusd', type: 'futures_inverse', underlying: 'rr_xbtusd', tickSize: 0.5, contractSize: 1, tradeable: true },
      { symbol: 'fi_xbtusd_210730', type: 'futures_inverse', underlying: 'rr_xbtusd', lastTradingTime: '2021-07-30T15:00:00.000Z', tickSize: 0.5, contractSize: 1, tradeable: true },
      { symbol: 'PF_ETHUSD', type: 'flexible_futures', tickSize: 0.1, contractSize: 1, tradeable: true, base: 'ETH', quote: 'USD' },
      { symbol: 'PF_XBTUSD', type: 'flexible_futures', tickSize: 1, contractSize: 1, tradeable: false },
      { symbol: 'PI_XRPUSD', type: 'futures_inverse', tickSize: 0.0001, contractSize: 1, tradeable: true },
      { symbol: 'in_xbtusd', type: 'spot index', tradeable: false },
      { symbol: 'rr_xbtusd', type: 'spot index', tradeable: false },
      { symbol: 'PV_XRPXBT', type: 'futures_vanilla', tickSize: 1e-8, contractSize: 1, tradeable: true },
    ],
    serverTime: '2021-07-22T23:02:07.160Z',
  });

  it('inverse: PI_ perpetuals and FI_ dated contracts (expiry = lastTradingTime), upper-case symbols, XBT -> BTC', () => {
    expect(parseInstruments('inverse', body).instruments).toEqual([
      { venue: 'kraken', type: 'inverse', symbol: 'PI_XBTUSD', base: 'BTC', quote: 'USD', tickSize: '0.5', contractSize: '1', trading: true, status: 'tradeable' },
      {
        venue: 'kraken',
        type: 'inverse',
        symbol: 'FI_XBTUSD_210730',
        base: 'BTC',
        quote: 'USD',
        tickSize: '0.5',
        contractSize: '1',
        expiry: 1627657200000,
        trading: true,
        status: 'tradeable',
      },
      { venue: 'kraken', type: 'inverse', symbol: 'PI_XRPUSD', base: 'XRP', quote: 'USD', tickSize: '0.0001', contractSize: '1', trading: true, status: 'tradeable' },
    ]);
  });

  it('futures (linear): PF_ perpetuals, tick size as the venue wrote it; untradeable ones are not trading', () => {
    expect(parseInstruments('futures', body).instruments).toEqual([
      { venue: 'kraken', type: 'futures', symbol: 'PF_ETHUSD', base: 'ETH', quote: 'USD', tickSize: '0.1', contractSize: '1', trading: true, status: 'tradeable' },
      { venue: 'kraken', type: 'futures', symbol: 'PF_XBTUSD', base: 'BTC', quote: 'USD', tickSize: '1', contractSize: '1', trading: false, status: 'not tradeable' },
    ]);
  });

  it('throws on a failed call or a body of another shape', () => {
    expect(() => parseInstruments('futures', '{"result":"error","error":"apiLimitExceeded"}')).toThrow('kraken: futures instruments failed: apiLimitExceeded');
    expect(() => parseInstruments('futures', 'nope')).toThrow('kraken: futures instruments body is not JSON');
    expect(() => parseInstruments('futures', '{"result":"success"}')).toThrow('kraken: futures instruments without "instruments"');
    expect(() => parseInstruments('futures', '{"result":"success","instruments":[{"symbol":"PF_X","tickSize":1}]}')).toThrow('kraken: futures instrument PF_X without "tickSize" or "contractSize"');
  });
});

import { describe, expect, it } from 'vitest';
import { BITSTAMP_URLS } from './index.js';
import { instrumentsUrl, parseInstruments } from './instruments.js';

/** One `/api/v2/markets/` entry (spec §2). */
const entry = (over: Record<string, unknown>) => ({
  name: 'BTC/USD', market_symbol: 'btcusd', base_currency: 'BTC', counter_currency: 'USD', base_decimals: 8, counter_decimals: 0,
  instant_order_counter_decimals: 2, minimum_order_value: '10', trading: 'Enabled', instant_and_market_orders: 'Enabled',
  description: 'Bitcoin / U.S. dollar', market_type: 'SPOT', ...over,
});

describe('instrumentsUrl', () => {
  it('points at /api/v2/markets/ (one page, no cursor); spot only', () => {
    expect(instrumentsUrl(BITSTAMP_URLS, 'spot')).toBe('https://www.bitstamp.net/api/v2/markets/');
    expect(() => instrumentsUrl(BITSTAMP_URLS, 'futures')).toThrow('bitstamp: no futures markets (spot only)');
  });
});

describe('parseInstruments', () => {
  it('maps markets: lower-case symbol checked against market_symbol, tick 10^-counter_decimals, Enabled = trading', () => {
    const body = JSON.stringify([
      entry({}),
      entry({ name: 'ETH/BTC', market_symbol: 'ethbtc', base_currency: 'ETH', counter_currency: 'BTC', counter_decimals: 8 }),
      entry({ name: 'USDT/EUR', market_symbol: 'usdteur', base_currency: 'USDT', counter_currency: 'EUR', counter_decimals: 5, trading: 'Disabled' }),
    ]);
    expect(parseInstruments('spot', body)).toStrictEqual({
      instruments: [
        { venue: 'bitstamp', type: 'spot', symbol: 'btcusd', base: 'BTC', quote: 'USD', tickSize: '1', trading: true, status: 'Enabled' },
        { venue: 'bitstamp', type: 'spot', symbol: 'ethbtc', base: 'ETH', quote: 'BTC', tickSize: '0.00000001', trading: true, status: 'Enabled' },
        { venue: 'bitstamp', type: 'spot', symbol: 'usdteur', base: 'USDT', quote: 'EUR', tickSize: '0.00001', trading: false, status: 'Disabled' },
      ],
    });
  });

  it('reads the legacy trading-pairs-info list too (url_symbol, name "BASE/QUOTE")', () => {
    const body = JSON.stringify([
      { trading: 'Enabled', base_decimals: 8, url_symbol: 'ethusd', name: 'ETH/USD', instant_and_market_orders: 'Enabled', minimum_order: '20.0 USD', counter_decimals: 2, description: 'Ether / U.S. dollar' },
    ]);
    expect(parseInstruments('spot', body).instruments).toStrictEqual([
      { venue: 'bitstamp', type: 'spot', symbol: 'ethusd', base: 'ETH', quote: 'USD', tickSize: '0.01', trading: true, status: 'Enabled' },
    ]);
  });

  it('skips perpetuals, symbols that do not match base + quote, and entries it cannot map', () => {
    const body = JSON.stringify([
      entry({ name: 'BTC/USD-PERP', market_symbol: 'btcusd-perp', market_type: 'PERPETUAL' }),
      entry({ market_symbol: 'xbtusd' }),
      entry({ counter_decimals: '2' }),
      entry({ trading: undefined }),
      entry({ base_currency: undefined }),
      null,
      'btcusd',
    ]);
    expect(parseInstruments('spot', body).instruments).toStrictEqual([]);
  });

  it('throws on a body that is no market list', () => {
    expect(() => parseInstruments('spot', '{"status":"error","reason":"Rate limit exceeded"}')).toThrow('bitstamp: markets list is not an array: "Rate limit exceeded"');
    expect(() => parseInstruments('spot', '<html>')).toThrow('bitstamp: markets list is not JSON');
    expect(() => parseInstruments('inverse', '[]')).toThrow('bitstamp: no inverse markets');
  });
});

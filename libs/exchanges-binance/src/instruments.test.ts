import { describe, expect, it } from 'vitest';
import { BINANCE_URLS } from './index.js';
import { instrumentsUrl, parseInstruments } from './instruments.js';

const priceFilter = (tickSize: string) => [{ filterType: 'LOT_SIZE', stepSize: '1' }, { filterType: 'PRICE_FILTER', minPrice: '0.1', tickSize }];
const body = (symbols: unknown[]): string => JSON.stringify({ timezone: 'UTC', serverTime: 1, symbols });

describe('instrumentsUrl', () => {
  it('points at each market type exchangeInfo (one page, no cursor)', () => {
    expect(instrumentsUrl(BINANCE_URLS, 'spot')).toBe('https://api.binance.com/api/v3/exchangeInfo');
    expect(instrumentsUrl(BINANCE_URLS, 'futures')).toBe('https://fapi.binance.com/fapi/v1/exchangeInfo');
    expect(instrumentsUrl(BINANCE_URLS, 'inverse')).toBe('https://dapi.binance.com/dapi/v1/exchangeInfo');
  });
});

describe('parseInstruments', () => {
  it('maps spot symbols: assets, tick size from PRICE_FILTER, trading only in TRADING', () => {
    const page = parseInstruments('spot', body([
      { symbol: 'LRCBTC', status: 'TRADING', baseAsset: 'LRC', quoteAsset: 'BTC', filters: priceFilter('0.00000001') },
      { symbol: 'RUNEEUR', status: 'BREAK', baseAsset: 'RUNE', quoteAsset: 'EUR', filters: priceFilter('0.00100000') },
    ]));
    expect(page).toStrictEqual({
      instruments: [
        { venue: 'binance', type: 'spot', symbol: 'LRCBTC', base: 'LRC', quote: 'BTC', tickSize: '0.00000001', trading: true, status: 'TRADING' },
        { venue: 'binance', type: 'spot', symbol: 'RUNEEUR', base: 'RUNE', quote: 'EUR', tickSize: '0.00100000', trading: false, status: 'BREAK' },
      ],
    });
  });

  it('maps USD-M perpetuals without expiry and quarterlies with deliveryDate; skips unknown contract types', () => {
    const common = { status: 'TRADING', baseAsset: 'BTC', quoteAsset: 'USDT', marginAsset: 'USDT', filters: priceFilter('0.10') };
    const page = parseInstruments('futures', body([
      { ...common, symbol: 'BTCUSDT', pair: 'BTCUSDT', contractType: 'PERPETUAL', deliveryDate: 4133404800000 },
      { ...common, symbol: 'BTCUSDT_250926', pair: 'BTCUSDT', contractType: 'CURRENT_QUARTER', deliveryDate: 1758873600000 },
      { ...common, symbol: 'BTCUSDT_251226', pair: 'BTCUSDT', contractType: 'NEXT_QUARTER', deliveryDate: 1766736000000, status: 'PENDING_TRADING' },
      { ...common, symbol: 'ODDUSDT', contractType: '' },
      { ...common, symbol: 'NEWUSDT', contractType: 'SOMETHING_NEW' },
      { ...common, symbol: 'NOTYPEUSDT' },
    ]));
    expect(page.instruments).toStrictEqual([
      { venue: 'binance', type: 'futures', symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', tickSize: '0.10', contractSize: '1', trading: true, status: 'TRADING' },
      {
        venue: 'binance', type: 'futures', symbol: 'BTCUSDT_250926', base: 'BTC', quote: 'USDT', tickSize: '0.10', contractSize: '1',
        trading: true, status: 'TRADING', expiry: 1758873600000,
      },
      {
        venue: 'binance', type: 'futures', symbol: 'BTCUSDT_251226', base: 'BTC', quote: 'USDT', tickSize: '0.10', contractSize: '1',
        trading: false, status: 'PENDING_TRADING', expiry: 1766736000000,
      },
    ]);
  });

  it('maps COIN-M by contractStatus, with the contract size as text', () => {
    const page = parseInstruments('inverse', body([
      {
        symbol: 'BTCUSD_211231', pair: 'BTCUSD', contractType: 'NEXT_QUARTER', deliveryDate: 1640937600000, contractStatus: 'TRADING',
        contractSize: 100, marginAsset: 'BTC', baseAsset: 'BTC', quoteAsset: 'USD', filters: priceFilter('0.1'),
      },
      {
        symbol: 'BCHUSD_PERP', pair: 'BCHUSD', contractType: 'PERPETUAL', deliveryDate: 4133404800000, contractStatus: 'SETTLING',
        status: 'TRADING', contractSize: 10, marginAsset: 'BCH', baseAsset: 'BCH', quoteAsset: 'USD', filters: priceFilter('0.01'),
      },
    ]));
    expect(page.instruments).toStrictEqual([
      {
        venue: 'binance', type: 'inverse', symbol: 'BTCUSD_211231', base: 'BTC', quote: 'USD', tickSize: '0.1', contractSize: '100',
        trading: true, status: 'TRADING', expiry: 1640937600000,
      },
      { venue: 'binance', type: 'inverse', symbol: 'BCHUSD_PERP', base: 'BCH', quote: 'USD', tickSize: '0.01', contractSize: '10', trading: false, status: 'SETTLING' },
    ]);
  });

  it('skips entries it cannot map, and throws on a body that is no symbol list', () => {
    const page = parseInstruments('spot', body([
      { symbol: 'NOTICK', status: 'TRADING', baseAsset: 'A', quoteAsset: 'B', filters: [] },
      { symbol: 'NOASSET', status: 'TRADING', quoteAsset: 'B', filters: priceFilter('1') },
      null,
    ]));
    expect(page.instruments).toStrictEqual([]);
    expect(() => parseInstruments('spot', '{"code":-1003,"msg":"Too many requests"}')).toThrow(
      'binance: spot exchangeInfo without "symbols" array: code -1003: Too many requests',
    );
    expect(() => parseInstruments('futures', 'oops')).toThrow('binance: futures exchangeInfo is not JSON');
  });
});

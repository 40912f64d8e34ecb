import { describe, expect, it } from 'vitest';
import { COINBASE_URLS } from './index.js';
import { instrumentsUrl, parseInstruments } from './instruments.js';

// Entries shaped like GET /api/v3/brokerage/market/products answers (fields level4 does not read mostly left out).
const product = (product_id: string, extra: object = {}): object => {
  const [base, quote] = product_id.split('-');
  return {
    product_id,
    base_currency_id: base,
    quote_currency_id: quote,
    price_increment: '0.01',
    base_increment: '0.00000001',
    status: 'online',
    trading_disabled: false,
    is_disabled: false,
    cancel_only: false,
    product_type: 'SPOT',
    product_venue: 'CBE',
    alias: '',
    alias_to: [],
    ...extra,
  };
};
const body = (products: object[]) => JSON.stringify({ products, num_products: products.length, pagination: { prev_cursor: '', next_cursor: '', has_next: false, has_prev: false } });

describe('instrumentsUrl', () => {
  it('asks for the spot products of the public market API, all in one page', () => {
    expect(instrumentsUrl(COINBASE_URLS, 'spot')).toBe('https://api.coinbase.com/api/v3/brokerage/market/products?product_type=SPOT');
    expect(instrumentsUrl({ rest: 'http://127.0.0.1:9000/api/v3/brokerage' }, 'spot')).toBe('http://127.0.0.1:9000/api/v3/brokerage/market/products?product_type=SPOT');
    expect(() => instrumentsUrl(COINBASE_URLS, 'futures')).toThrow('coinbase: no market type "futures" (spot only)');
  });
});

describe('parseInstruments', () => {
  it('maps spot products: upper-case currencies, price_increment as the tick, status online = trading', () => {
    const page = parseInstruments('spot', body([product('BTC-USD', { alias_to: ['BTC-USDC'] }), product('SHIB-USD', { price_increment: '0.00000001' })]));
    expect(page).toEqual({
      instruments: [
        { venue: 'coinbase', type: 'spot', symbol: 'BTC-USD', base: 'BTC', quote: 'USD', tickSize: '0.01', trading: true, status: 'online' },
        { venue: 'coinbase', type: 'spot', symbol: 'SHIB-USD', base: 'SHIB', quote: 'USD', tickSize: '0.00000001', trading: true, status: 'online' },
      ],
    });
  });

  it('an aliased product streams another product’s book: listed, not trading, its status says whose', () => {
    const { instruments } = parseInstruments('spot', body([product('BTC-USDC', { alias: 'BTC-USD' }), product('USDT-USDC')]));
    expect(instruments).toEqual([
      { venue: 'coinbase', type: 'spot', symbol: 'BTC-USDC', base: 'BTC', quote: 'USDC', tickSize: '0.01', trading: false, status: "online, alias of BTC-USD (its market data is BTC-USD's)" },
      // Streams natively (no alias): a market of its own.
      { venue: 'coinbase', type: 'spot', symbol: 'USDT-USDC', base: 'USDT', quote: 'USDC', tickSize: '0.01', trading: true, status: 'online' },
    ]);
  });

  it('delisted or disabled products do not trade; futures on the same API are skipped', () => {
    const { instruments } = parseInstruments(
      'spot',
      body([
        product('OLD-USD', { status: 'delisted', trading_disabled: true }),
        product('OFF-USD', { is_disabled: true }),
        product('HALT-USD', { trading_disabled: true }),
        product('BIT-29AUG26-CDE', { product_type: 'FUTURE', product_venue: 'FCM' }),
      ]),
    );
    expect(instruments.map((i) => [i.symbol, i.trading, i.status])).toEqual([
      ['OLD-USD', false, 'delisted'],
      ['OFF-USD', false, 'online'],
      ['HALT-USD', false, 'online'],
    ]);
  });

  it('throws on a body of another shape or an entry it cannot map', () => {
    expect(() => parseInstruments('spot', 'nope')).toThrow('coinbase: products body is not JSON');
    expect(() => parseInstruments('spot', '{"error":"NOT_FOUND"}')).toThrow('coinbase: products body without a "products" array');
    expect(() => parseInstruments('spot', body([product('BTC-USD', { price_increment: 0.01 })]))).toThrow('coinbase: product without product_id');
    expect(() => parseInstruments('futures', body([]))).toThrow('spot only');
  });
});

import { describe, expect, it } from 'vitest';
import { POLONIEX_URLS } from './index.js';
import { instrumentsUrl, parseInstruments } from './instruments.js';

// Entries shaped like GET /markets answers (spec §2; fields level4 does not read kept for realism).
const market = (symbol: string, priceScale: number, extra: object = {}): object => {
  const [base, quote] = symbol.split('_');
  return {
    symbol,
    baseCurrencyName: base,
    quoteCurrencyName: quote,
    displayName: `${base}/${quote}`,
    state: 'NORMAL',
    visibleStartTime: 1659018816626,
    tradableStartTime: 1659018816626,
    symbolTradeLimit: { symbol, priceScale, quantityScale: 6, amountScale: 2, minQuantity: '0.000001', minAmount: '1', highestBid: '0', lowestAsk: '0' },
    crossMargin: { supportCrossMargin: true, maxLeverage: 3 },
    ...extra,
  };
};

const BODY = JSON.stringify([
  market('BTC_USDT', 2),
  market('MDT_BTC', 9),
  market('XYZ_USDT', 0, { state: 'PAUSE', baseCurrencyName: 'xyz' }),
]);

describe('instrumentsUrl', () => {
  it('is the one market list under the REST base; spot only', () => {
    expect(instrumentsUrl(POLONIEX_URLS, 'spot')).toBe('https://api.poloniex.com/markets');
    expect(instrumentsUrl({ spotRest: 'http://127.0.0.1:9000' }, 'spot')).toBe('http://127.0.0.1:9000/markets');
    expect(() => instrumentsUrl(POLONIEX_URLS, 'futures')).toThrow('poloniex: no market type "futures"');
  });
});

describe('parseInstruments', () => {
  it('maps every market: upper-case assets, tick = 10^-priceScale as text, trading = state NORMAL', () => {
    expect(parseInstruments('spot', BODY)).toEqual({
      instruments: [
        { venue: 'poloniex', type: 'spot', symbol: 'BTC_USDT', base: 'BTC', quote: 'USDT', tickSize: '0.01', trading: true, status: 'NORMAL' },
        { venue: 'poloniex', type: 'spot', symbol: 'MDT_BTC', base: 'MDT', quote: 'BTC', tickSize: '0.000000001', trading: true, status: 'NORMAL' },
        { venue: 'poloniex', type: 'spot', symbol: 'XYZ_USDT', base: 'XYZ', quote: 'USDT', tickSize: '1', trading: false, status: 'PAUSE' },
      ],
    });
  });

  it('skips entries it cannot map (no base or quote, no price scale)', () => {
    const body = JSON.stringify([market('A_USDT', 2, { baseCurrencyName: '' }), market('B_USDT', 2, { symbolTradeLimit: null }), market('C_USDT', 2, { symbolTradeLimit: { priceScale: '2' } }), market('D_USDT', 4)]);
    expect(parseInstruments('spot', body).instruments.map((i) => [i.symbol, i.tickSize])).toEqual([['D_USDT', '0.0001']]);
  });

  it('throws on an error answer or a body of another shape, saying which', () => {
    expect(() => parseInstruments('spot', '{"code":429,"message":"Too many requests"}')).toThrow('poloniex: market list failed: 429 Too many requests');
    expect(() => parseInstruments('spot', '<html>503</html>')).toThrow('poloniex: market list body is not JSON');
    expect(() => parseInstruments('spot', '{}')).toThrow('poloniex: market list body is not an array');
    expect(() => parseInstruments('spot', '[1]')).toThrow('poloniex: market list entry is not an object: 1');
    expect(() => parseInstruments('spot', JSON.stringify([{ ...market('BTC_USDT', 2), state: undefined }]))).toThrow('poloniex: market list entry without symbol or state');
    expect(() => parseInstruments('inverse', '[]')).toThrow('poloniex: no market type "inverse"');
  });
});

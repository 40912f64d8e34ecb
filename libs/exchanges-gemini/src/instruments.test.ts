import { describe, expect, it } from 'vitest';
import { GEMINI_URLS } from './index.js';
import { instrumentsUrl, parseInstruments, splitSymbol } from './instruments.js';

// Bodies shaped like the recorded 2021 answers (shared/fixtures/gemini) and spec §2.
const details = (extra: object = {}): string =>
  JSON.stringify({ symbol: 'BTCUSD', base_currency: 'BTC', quote_currency: 'USD', tick_size: 1e-8, quote_increment: 0.01, min_order_size: '0.00001', status: 'open', ...extra });

describe('instrumentsUrl', () => {
  it('the symbol list, or the details of one symbol (cursor)', () => {
    expect(instrumentsUrl(GEMINI_URLS, 'spot')).toBe('https://api.gemini.com/v1/symbols');
    expect(instrumentsUrl({ rest: 'http://127.0.0.1:9000' }, 'spot', 'BTCUSD')).toBe('http://127.0.0.1:9000/v1/symbols/details/btcusd');
  });
});

describe('splitSymbol', () => {
  it('splits by the known quotes, longest first', () => {
    expect(splitSymbol('btcusd')).toEqual(['BTC', 'USD']);
    expect(splitSymbol('btcgusd')).toEqual(['BTC', 'GUSD']);
    expect(splitSymbol('ethusdt')).toEqual(['ETH', 'USDT']);
    expect(splitSymbol('gusdusd')).toEqual(['GUSD', 'USD']);
    expect(splitSymbol('zecltc')).toEqual(['ZEC', 'LTC']);
    expect(splitSymbol('1inchusd')).toEqual(['1INCH', 'USD']);
    expect(splitSymbol('usd')).toBeUndefined();
    expect(splitSymbol('abcxyz')).toBeUndefined();
  });
});

describe('parseInstruments', () => {
  it('maps /v1/symbols: lower-case symbols for the WebSocket API, base/quote from the name, perpetuals and unknown quotes skipped', () => {
    const body = JSON.stringify(['btcusd', 'btcgusd', 'ethbtc', 'btcgusdperp', 'abcxyz']);
    expect(parseInstruments('spot', body)).toEqual({
      instruments: [
        { venue: 'gemini', type: 'spot', symbol: 'btcusd', base: 'BTC', quote: 'USD', tickSize: '', trading: true, status: 'listed' },
        { venue: 'gemini', type: 'spot', symbol: 'btcgusd', base: 'BTC', quote: 'GUSD', tickSize: '', trading: true, status: 'listed' },
        { venue: 'gemini', type: 'spot', symbol: 'ethbtc', base: 'ETH', quote: 'BTC', tickSize: '', trading: true, status: 'listed' },
      ],
    });
  });

  it('upper-case symbols for v2', () => {
    expect(parseInstruments('spot', '["filusd"]', 'v2').instruments.map((i) => i.symbol)).toEqual(['FILUSD']);
  });

  it('maps one symbol’s details: the price tick is quote_increment (not tick_size), trading = status open', () => {
    expect(parseInstruments('spot', details())).toEqual({
      instruments: [{ venue: 'gemini', type: 'spot', symbol: 'btcusd', base: 'BTC', quote: 'USD', tickSize: '0.01', trading: true, status: 'open' }],
    });
    // JSON numbers keep their text; exponents are written out.
    const ankr = '{"symbol":"ANKRUSD","base_currency":"ANKR","quote_currency":"USD","tick_size":0.000001,"quote_increment":1E-5,"min_order_size":"0.1","status":"limit_only"}';
    expect(parseInstruments('spot', ankr, 'v2').instruments).toEqual([
      { venue: 'gemini', type: 'spot', symbol: 'ANKRUSD', base: 'ANKR', quote: 'USD', tickSize: '0.00001', trading: false, status: 'limit_only' },
    ]);
    expect(parseInstruments('spot', details({ quote_increment: 0.0001 })).instruments[0]?.tickSize).toBe('0.0001');
    expect(parseInstruments('spot', details({ quote_increment: 5 })).instruments[0]?.tickSize).toBe('5');
  });

  it('throws on bodies of another shape, saying which', () => {
    expect(() => parseInstruments('spot', '<html>')).toThrow('gemini: instrument list body is not JSON');
    expect(() => parseInstruments('spot', '3')).toThrow('neither a symbol list nor symbol details');
    expect(() => parseInstruments('spot', '["btcusd",1]')).toThrow('gemini: /v1/symbols entry is not a symbol: 1');
    expect(() => parseInstruments('spot', '{"result":"error","reason":"Bad Request"}')).toThrow('symbol details without symbol');
    expect(() => parseInstruments('spot', details({ quote_increment: '0.01' }))).toThrow('without a numeric "quote_increment"');
    expect(() => parseInstruments('futures', '[]')).toThrow('gemini: no market type "futures" (spot only)');
  });
});

import type { Instrument } from '@level4/feed';
import { describe, expect, it } from 'vitest';
import { parseFrame, parseSnapshot } from './parse.js';

/** A combined-stream frame, as every level4 Binance socket receives them. */
const wrap = (stream: string, data: object): string => JSON.stringify({ stream, data });

describe('parseFrame: depthUpdate', () => {
  it('turns a spot diff into a delta covering U..u, with the levels passed through as text', () => {
    const frame = wrap('bnbbtc@depth@100ms', {
      e: 'depthUpdate', E: 1672515782136, s: 'BNBBTC', U: 157, u: 160,
      b: [['0.0024', '10']], a: [['0.0026', '100'], ['0.0027', '0.00000000']],
    });
    expect(parseFrame(frame, 'spot')).toStrictEqual([
      {
        kind: 'delta', symbol: 'BNBBTC',
        bids: [['0.0024', '10']], asks: [['0.0026', '100'], ['0.0027', '0.00000000']],
        first: 157, last: 160, time: 1672515782136000,
      },
    ]);
  });

  it('reads raw (unwrapped) payloads too', () => {
    const frame = '{"e":"depthUpdate","E":1,"s":"BNBBTC","U":5,"u":5,"b":[],"a":[]}';
    expect(parseFrame(frame, 'spot')).toMatchObject([{ kind: 'delta', symbol: 'BNBBTC', first: 5, last: 5 }]);
  });

  it('gives futures deltas their previous id `pu`, ignoring the 2026 extra fields', () => {
    const frame = wrap('btcusdt@depth@100ms', {
      e: 'depthUpdate', E: 1791283218273, T: 1791283218271, s: 'BTCUSDT', ps: 'BTCUSDT',
      U: 11747004264800, u: 11747004265102, pu: 11747004264789,
      b: [['85999.90', '16.201']], a: [['86000.00', '0']], st: 1,
    });
    expect(parseFrame(frame, 'futures')).toStrictEqual([
      {
        kind: 'delta', symbol: 'BTCUSDT', bids: [['85999.90', '16.201']], asks: [['86000.00', '0']],
        first: 11747004264800, last: 11747004265102, prev: 11747004264789, time: 1791283218273000,
      },
    ]);
  });

  it('does the same for COIN-M', () => {
    const frame = wrap('btcusd_perp@depth@100ms', {
      e: 'depthUpdate', E: 1591270260907, T: 1591270260891, s: 'BTCUSD_PERP', ps: 'BTCUSD',
      U: 17285681, u: 17285702, pu: 17285675, b: [['9517.6', '10']], a: [],
    });
    expect(parseFrame(frame, 'inverse')).toMatchObject([{ symbol: 'BTCUSD_PERP', first: 17285681, last: 17285702, prev: 17285675 }]);
  });

  it('throws, naming the field, on a diff it cannot chain', () => {
    const spot = { e: 'depthUpdate', E: 1, s: 'BNBBTC', U: 1, u: 2, b: [], a: [] };
    expect(() => parseFrame(JSON.stringify({ ...spot, U: undefined }), 'spot')).toThrow('binance: depthUpdate without integer "U"');
    expect(() => parseFrame(JSON.stringify({ ...spot, u: '2' }), 'spot')).toThrow('without integer "u"');
    expect(() => parseFrame(JSON.stringify({ ...spot, b: {} }), 'spot')).toThrow('binance: depthUpdate without "b" array');
    expect(() => parseFrame(JSON.stringify({ ...spot, s: 7 }), 'spot')).toThrow('without "s"');
    // A futures book cannot be kept without `pu`.
    expect(() => parseFrame(JSON.stringify(spot), 'futures')).toThrow('binance: depthUpdate without integer "pu"');
  });
});

describe('parseFrame: trades', () => {
  it('maps a spot trade: id `t`, buyer-is-maker means the taker sold', () => {
    const frame = wrap('bnbbtc@trade', {
      e: 'trade', E: 1672515782136, s: 'BNBBTC', t: 12345, p: '0.001', q: '100', T: 1672515782135, m: true, M: true,
    });
    expect(parseFrame(frame, 'spot')).toStrictEqual([
      { kind: 'trade', symbol: 'BNBBTC', id: '12345', side: 'sell', price: '0.001', size: '100', time: 1672515782135000 },
    ]);
  });

  it('maps an aggTrade: id `a`, m:false means the taker bought; `nq` and `st` are ignored', () => {
    const frame = wrap('btcusdt@aggTrade', {
      e: 'aggTrade', E: 1791283227690, a: 3476465318, s: 'BTCUSDT', p: '86000.00', q: '4.577', nq: '4.571',
      f: 8149533714, l: 8149533773, T: 1791283227688, m: false, st: 1,
    });
    expect(parseFrame(frame, 'futures')).toStrictEqual([
      { kind: 'trade', symbol: 'BTCUSDT', id: '3476465318', side: 'buy', price: '86000.00', size: '4.577', time: 1791283227688000 },
    ]);
  });

  it('throws on a trade without a taker flag or price', () => {
    const trade = { e: 'trade', E: 1, s: 'X', t: 1, p: '1', q: '1', T: 1, m: false };
    expect(() => parseFrame(JSON.stringify({ ...trade, m: 'true' }), 'spot')).toThrow('binance: trade without boolean "m"');
    expect(() => parseFrame(JSON.stringify({ ...trade, e: 'aggTrade', a: 1, p: 1 }), 'spot')).toThrow('binance: aggTrade without "p"');
  });
});

describe('parseFrame: bookTicker', () => {
  it('turns spot bookTicker (no "e", no time) into a top with the depth id `u`', () => {
    const frame = wrap('bnbusdt@bookTicker', { u: 400900217, s: 'BNBUSDT', b: '25.35190000', B: '31.21000000', a: '25.36520000', A: '40.66000000' });
    expect(parseFrame(frame, 'spot')).toStrictEqual([
      { kind: 'top', symbol: 'BNBUSDT', bid: ['25.35190000', '31.21000000'], ask: ['25.36520000', '40.66000000'], sequence: 400900217 },
    ]);
  });

  it('adds the event time of futures bookTicker', () => {
    const frame = wrap('btcusdt@bookTicker', {
      e: 'bookTicker', u: 11747004261523, s: 'BTCUSDT', ps: 'BTCUSDT', b: '85999.90', B: '15.739', a: '86000.00', A: '4.613',
      T: 1791283218109, E: 1791283218110, st: 1,
    });
    expect(parseFrame(frame, 'futures')).toStrictEqual([
      { kind: 'top', symbol: 'BTCUSDT', bid: ['85999.90', '15.739'], ask: ['86000.00', '4.613'], sequence: 11747004261523, time: 1791283218110000 },
    ]);
  });
});

describe('parseFrame: control frames and other events', () => {
  it('acks subscribe answers by request id', () => {
    expect(parseFrame('{"result":null,"id":1}', 'spot')).toStrictEqual([{ kind: 'ack', request: 1 }]);
    expect(parseFrame('{"result":["btcusdt@trade"],"id":"list-3"}', 'spot')).toStrictEqual([{ kind: 'ack', request: 'list-3' }]);
    expect(parseFrame('{"result":null,"id":null}', 'spot')).toStrictEqual([{ kind: 'ack' }]);
  });

  it('reports errors in both shapes, with the request id when there is one', () => {
    expect(parseFrame('{"code":0,"msg":"Unknown property","id":7}', 'spot')).toStrictEqual([
      { kind: 'error', message: 'code 0: Unknown property', request: 7 },
    ]);
    expect(parseFrame('{"code":2,"msg":"Invalid request: unknown variant"}', 'futures')).toStrictEqual([
      { kind: 'error', message: 'code 2: Invalid request: unknown variant' },
    ]);
    expect(parseFrame('{"error":{"code":3,"msg":"Invalid JSON"},"id":9}', 'inverse')).toStrictEqual([
      { kind: 'error', message: 'code 3: Invalid JSON', request: 9 },
    ]);
  });

  it('asks for a reconnect on serverShutdown, raw or combined', () => {
    const reconnect = [{ kind: 'reconnect', reason: 'binance: serverShutdown (server going down)' }];
    expect(parseFrame('{"e":"serverShutdown","E":1770123456789}', 'spot')).toStrictEqual(reconnect);
    expect(parseFrame(wrap('!serverShutdown', { e: 'serverShutdown', E: 1770123456789 }), 'spot')).toStrictEqual(reconnect);
  });

  it('returns nothing for well-formed events it was not asked for', () => {
    expect(parseFrame(wrap('btcusdt@kline_1m', { e: 'kline', E: 1, s: 'BTCUSDT', k: {} }), 'spot')).toStrictEqual([]);
    expect(parseFrame(wrap('btcusdt@markPrice', { e: 'markPriceUpdate', E: 1, s: 'BTCUSDT', p: '1' }), 'futures')).toStrictEqual([]);
    expect(parseFrame('[{"e":"24hrTicker"}]', 'spot')).toStrictEqual([]);
  });

  it('throws on frames it cannot read', () => {
    expect(() => parseFrame('not json', 'spot')).toThrow('binance: frame is not JSON: not json');
    expect(() => parseFrame('42', 'spot')).toThrow('binance: frame is not an object');
    expect(() => parseFrame('{"stream":"x@trade","data":null}', 'spot')).toThrow('without "data" object');
    expect(() => parseFrame('{"hello":1}', 'spot')).toThrow('binance: unrecognised frame');
    expect(() => parseFrame('{"e":5}', 'spot')).toThrow('event type "e" is not text');
  });
});

describe('parseSnapshot', () => {
  const spot: Instrument = { venue: 'binance', type: 'spot', symbol: 'BNBBTC', base: 'BNB', quote: 'BTC', tickSize: '0.000001', trading: true, status: 'TRADING' };
  const coinm: Instrument = { ...spot, type: 'inverse', symbol: 'BTCUSD_PERP', base: 'BTC', quote: 'USD', contractSize: '100' };

  it('reads a spot depth body: lastUpdateId is the sequence, no time', () => {
    const body = '{"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"]]}';
    expect(parseSnapshot(body, spot)).toStrictEqual({
      kind: 'snapshot', symbol: 'BNBBTC', bids: [['4.00000000', '431.00000000']], asks: [['4.00000200', '12.00000000']], sequence: 1027024,
    });
  });

  it('takes the event time E of a futures body', () => {
    const body = '{"lastUpdateId":1027024,"E":1589436922972,"T":1589436922959,"symbol":"BTCUSD_PERP","pair":"BTCUSD","bids":[],"asks":[]}';
    expect(parseSnapshot(body, coinm)).toMatchObject({ symbol: 'BTCUSD_PERP', sequence: 1027024, time: 1589436922972000 });
  });

  it('throws on error bodies, other symbols and missing fields', () => {
    expect(() => parseSnapshot('{"code":-1121,"msg":"Invalid symbol."}', spot)).toThrow('binance: depth snapshot for BNBBTC failed: code -1121: Invalid symbol.');
    expect(() => parseSnapshot('{"lastUpdateId":1,"symbol":"ETHUSD_PERP","bids":[],"asks":[]}', coinm)).toThrow('is for ETHUSD_PERP');
    expect(() => parseSnapshot('{"bids":[],"asks":[]}', spot)).toThrow('without integer "lastUpdateId"');
    expect(() => parseSnapshot('{"lastUpdateId":1,"bids":[]}', spot)).toThrow('without "asks" array');
    expect(() => parseSnapshot('<html>', spot)).toThrow('is not JSON');
  });
});

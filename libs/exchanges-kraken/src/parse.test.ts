import { describe, expect, it } from 'vitest';
import { parseFrame } from './parse.js';

// Frames written from the shapes in the spec (shared/exchanges/kraken.md), as Kraken prints them:
// numbers as bare JSON number tokens at full precision, so they are written here as text.

describe('spot v2 book frames', () => {
  it('a snapshot keeps every number token as written (trailing zeros too) and carries the checksum', () => {
    const frame =
      '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":45283.5,"qty":0.10000000},{"price":45283.4,"qty":1.54582015}],' +
      '"asks":[{"price":45285.2,"qty":0.00100000}],"checksum":3310070434,"timestamp":"2023-10-06T17:35:55.440295Z"}]}';
    expect(parseFrame(frame, 'spot')).toEqual([
      {
        kind: 'snapshot',
        symbol: 'BTC/USD',
        bids: [
          ['45283.5', '0.10000000'],
          ['45283.4', '1.54582015'],
        ],
        asks: [['45285.2', '0.00100000']],
        time: 1696613755440295,
        check: 3310070434,
      },
    ]);
  });

  it('an update is a delta with its checksum (qty 0 removes); a snapshot without timestamp has no time', () => {
    const update =
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[{"price":62807.0,"qty":0.00000000},{"price":62818.8,"qty":0.65540712}],"checksum":4249465476,"timestamp":"2026-08-16T23:37:03.745044Z"}]}';
    expect(parseFrame(update, 'spot')).toEqual([
      {
        kind: 'delta',
        symbol: 'BTC/USD',
        bids: [],
        asks: [
          ['62807.0', '0.00000000'],
          ['62818.8', '0.65540712'],
        ],
        time: 1786923423745044,
        check: 4249465476,
      },
    ]);
    const old = '{"channel":"book","type":"snapshot","data":[{"symbol":"ALGO/USD","bids":[{"price":0.12291,"qty":27039.62776299}],"asks":[],"checksum":1}]}';
    expect(parseFrame(old, 'spot')).toEqual([{ kind: 'snapshot', symbol: 'ALGO/USD', bids: [['0.12291', '27039.62776299']], asks: [], check: 1 }]);
  });

  it('several symbols in one frame give one message each; exponent text and other key orders are kept too', () => {
    const frame =
      '{"channel":"book","type":"update","data":[{"symbol":"A/USD","bids":[{"qty":5e-05,"price":0.0000051}],"asks":[],"checksum":1,"timestamp":"2026-01-01T00:00:00.000001Z"},' +
      '{"symbol":"B/USD","bids":[],"asks":[{"price":2.50,"qty":1.0}],"checksum":2,"timestamp":"2026-01-01T00:00:00.000002Z"}]}';
    const [a, b] = parseFrame(frame, 'spot');
    expect(a).toMatchObject({ kind: 'delta', symbol: 'A/USD', bids: [['0.0000051', '5e-05']], check: 1 });
    expect(b).toMatchObject({ kind: 'delta', symbol: 'B/USD', asks: [['2.50', '1.0']], check: 2 });
  });

  it('throws, saying what is wrong, on a book frame it cannot read', () => {
    const ok = { channel: 'book', type: 'update', data: [{ symbol: 'X/USD', bids: [], asks: [], checksum: 1 }] };
    const f = (v: unknown) => JSON.stringify(v);
    expect(() => parseFrame(f({ ...ok, type: 'partial' }), 'spot')).toThrow('kraken: book of type "partial"');
    expect(() => parseFrame(f({ ...ok, data: {} }), 'spot')).toThrow('kraken: book update without a "data" array');
    expect(() => parseFrame(f({ ...ok, data: [{ ...ok.data[0], symbol: 1 }] }), 'spot')).toThrow('without "symbol"');
    expect(() => parseFrame(f({ ...ok, data: [{ ...ok.data[0], bids: null }] }), 'spot')).toThrow('of X/USD without "bids"/"asks" arrays');
    expect(() => parseFrame(f({ ...ok, data: [{ ...ok.data[0], checksum: undefined }] }), 'spot')).toThrow('of X/USD without "checksum"');
    expect(() => parseFrame(f({ ...ok, data: [{ ...ok.data[0], bids: [{ price: 'x' }] }] }), 'spot')).toThrow('book level without "price" or "qty"');
  });
});

describe('spot v2 trades', () => {
  it('one trade per fill, side = the taker side, trade_id as text, RFC 3339 µs time', () => {
    const frame =
      '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"sell","price":62807.0,"qty":0.00100000,"ord_type":"market","trade_id":4665906,"timestamp":"2026-08-16T23:37:03.745044Z"},' +
      '{"symbol":"BTC/USD","side":"buy","price":62807.1,"qty":0.50000000,"ord_type":"limit","trade_id":4665907,"timestamp":"2026-08-16T23:37:03.745044Z"}]}';
    expect(parseFrame(frame, 'spot')).toEqual([
      { kind: 'trade', symbol: 'BTC/USD', id: '4665906', side: 'sell', price: '62807.0', size: '0.00100000', time: 1786923423745044 },
      { kind: 'trade', symbol: 'BTC/USD', id: '4665907', side: 'buy', price: '62807.1', size: '0.50000000', time: 1786923423745044 },
    ]);
  });

  it('the snapshot of past trades is not published; bad fills throw', () => {
    expect(parseFrame('{"channel":"trade","type":"snapshot","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"trade_id":1,"timestamp":"2026-01-01T00:00:00Z"}]}', 'spot')).toEqual([]);
    const fill = (extra: string) => `{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","price":1.0,"qty":2.0,"trade_id":9,"timestamp":"2026-01-01T00:00:00Z"${extra}}]}`;
    expect(() => parseFrame(fill(',"side":"b"'), 'spot')).toThrow('kraken: trade 9 of BTC/USD with side "b"');
    expect(() => parseFrame(fill(',"side":"buy","timestamp":"yesterday"'), 'spot')).toThrow('with timestamp "yesterday"');
    expect(() => parseFrame('{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD"}]}', 'spot')).toThrow('kraken: trade without "symbol", "price"');
    expect(() => parseFrame('{"channel":"trade","type":"update"}', 'spot')).toThrow('kraken: trade without a "data" array');
  });
});

describe('spot v2 answers, status and the rest', () => {
  it('a subscribe ack gives back the request id; a refusal is an error with the venue text', () => {
    const ack = '{"method":"subscribe","result":{"channel":"book","depth":1000,"snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":"2026-01-01T00:00:00.000000Z","time_out":"2026-01-01T00:00:00.000100Z","req_id":7}';
    expect(parseFrame(ack, 'spot')).toEqual([{ kind: 'ack', request: 7 }]);
    const refused = '{"error":"Subscription depth not supported","method":"subscribe","success":false,"time_in":"x","time_out":"y"}';
    expect(parseFrame(refused, 'spot')).toEqual([{ kind: 'error', message: 'Subscription depth not supported' }]);
    const unknown = '{"error":"Currency pair not supported","method":"subscribe","req_id":3,"success":false,"symbol":"XYZ/USD"}';
    expect(parseFrame(unknown, 'spot')).toEqual([{ kind: 'error', message: 'Currency pair not supported', request: 3, symbol: 'XYZ/USD' }]);
    expect(parseFrame('{"method":"unsubscribe","success":false,"req_id":4}', 'spot')).toEqual([{ kind: 'error', message: 'unsubscribe failed', request: 4 }]);
    expect(() => parseFrame('{"method":"subscribe","req_id":1}', 'spot')).toThrow('kraken: subscribe answer without "success"');
  });

  it('heartbeats, pongs and status online are proof of life; status maintenance asks for a reconnect', () => {
    expect(parseFrame('{"channel":"heartbeat"}', 'spot')).toEqual([{ kind: 'heartbeat' }]);
    expect(parseFrame('{"method":"pong","req_id":5,"time_in":"x","time_out":"y"}', 'spot')).toEqual([{ kind: 'heartbeat' }]);
    const status = (system: string) =>
      `{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":14949390454975033707,"system":"${system}","version":"2.0.8"}]}`;
    expect(parseFrame(status('online'), 'spot')).toEqual([{ kind: 'heartbeat' }]);
    expect(parseFrame(status('post_only'), 'spot')).toEqual([{ kind: 'heartbeat' }]);
    expect(parseFrame(status('maintenance'), 'spot')).toEqual([{ kind: 'reconnect', reason: 'Kraken system status: maintenance' }]);
    expect(() => parseFrame('{"channel":"status","type":"update","data":[]}', 'spot')).toThrow('kraken: status without "data[0].system"');
  });

  it('channels and methods level4 did not ask for give nothing; text that is not a Kraken frame throws', () => {
    expect(parseFrame('{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":1.0}]}', 'spot')).toEqual([]);
    expect(parseFrame('{"method":"add_order","success":true}', 'spot')).toEqual([]);
    expect(() => parseFrame('{"channel":"book",', 'spot')).toThrow('kraken: frame is not JSON');
    expect(() => parseFrame('[1,{"a":[]},"book-10","XBT/USD"]', 'spot')).toThrow('kraken: frame is not a JSON object');
    expect(() => parseFrame('{"hello":1}', 'spot')).toThrow('kraken: frame without "channel" or "method"');
  });
});

describe('futures ws/v1 frames', () => {
  it('book_snapshot: the whole book, seq as sequence, ms -> µs; number texts kept', () => {
    const frame =
      '{"feed":"book_snapshot","product_id":"PI_XBTUSD","timestamp":1626994927654,"seq":5159966,"tickSize":null,"bids":[{"price":32170.5,"qty":1200.0},{"price":32170.0,"qty":130775.0}],"asks":[{"price":32172.0,"qty":10.0}]}';
    expect(parseFrame(frame, 'inverse')).toEqual([
      {
        kind: 'snapshot',
        symbol: 'PI_XBTUSD',
        bids: [
          ['32170.5', '1200.0'],
          ['32170.0', '130775.0'],
        ],
        asks: [['32172.0', '10.0']],
        sequence: 5159966,
        time: 1626994927654000,
      },
    ]);
  });

  it('book: one level, buy = bid, sell = ask, seq as last', () => {
    expect(parseFrame('{"feed":"book","product_id":"PF_ETHUSD","side":"sell","seq":26660860,"price":2004.85,"qty":0.0,"timestamp":1626994927744}', 'futures')).toEqual([
      { kind: 'delta', symbol: 'PF_ETHUSD', bids: [], asks: [['2004.85', '0.0']], last: 26660860, time: 1626994927744000 },
    ]);
    expect(parseFrame('{"feed":"book","product_id":"PI_LTCUSD","side":"buy","seq":3,"price":119.3,"qty":8847.0,"timestamp":1}', 'inverse')).toEqual([
      { kind: 'delta', symbol: 'PI_LTCUSD', bids: [['119.3', '8847.0']], asks: [], last: 3, time: 1000 },
    ]);
  });

  it('trade: taker side, uid as id; trade_snapshot is history and gives nothing', () => {
    const trade = '{"feed":"trade","product_id":"PI_LTCUSD","uid":"e2429e31-8b9d-4195-900e-fd42be2dec89","side":"buy","type":"fill","seq":5956,"time":1626994929946,"qty":320.0,"price":119.44}';
    expect(parseFrame(trade, 'inverse')).toEqual([
      { kind: 'trade', symbol: 'PI_LTCUSD', id: 'e2429e31-8b9d-4195-900e-fd42be2dec89', side: 'buy', price: '119.44', size: '320.0', time: 1626994929946000 },
    ]);
    expect(parseFrame(`{"feed":"trade_snapshot","product_id":"PI_LTCUSD","trades":[${trade}]}`, 'inverse')).toEqual([]);
  });

  it('events: info and heartbeats are proof of life, subscribed an ack, failures errors', () => {
    expect(parseFrame('{"event":"info","version":1}', 'futures')).toEqual([{ kind: 'heartbeat' }]);
    expect(parseFrame('{"feed":"heartbeat","time":1626994927654}', 'futures')).toEqual([{ kind: 'heartbeat' }]);
    expect(parseFrame('{"event":"subscribed","feed":"book","product_ids":["PI_XRPUSD"]}', 'inverse')).toEqual([{ kind: 'ack' }]);
    expect(parseFrame('{"event":"subscribed_failed","feed":"book","product_ids":["pi_nope"]}', 'inverse')).toEqual([
      { kind: 'error', message: 'subscribe to book failed', symbol: 'PI_NOPE' },
    ]);
    expect(parseFrame('{"event":"unsubscribed_failed","feed":"book","product_ids":["PI_X"]}', 'inverse')).toEqual([{ kind: 'error', message: 'unsubscribe from book failed' }]);
    expect(parseFrame('{"event":"error","message":"Json Error"}', 'futures')).toEqual([{ kind: 'error', message: 'Json Error' }]);
    expect(parseFrame('{"feed":"ticker_lite","product_id":"PI_XRPUSD","bid":0.5}', 'inverse')).toEqual([]);
  });

  it('throws on futures frames it cannot read', () => {
    expect(() => parseFrame('{"feed":"book","product_id":"PI_X","side":"buy","price":1.0,"qty":1.0}', 'inverse')).toThrow('kraken: futures book of PI_X without "seq"');
    expect(() => parseFrame('{"feed":"book","product_id":"PI_X","side":"up","seq":1,"price":1.0,"qty":1.0}', 'inverse')).toThrow('with side "up"');
    expect(() => parseFrame('{"feed":"book","side":"buy","seq":1,"price":1.0,"qty":1.0}', 'inverse')).toThrow('without "product_id"');
    expect(() => parseFrame('{"feed":"book_snapshot","product_id":"PI_X","seq":1,"bids":[]}', 'inverse')).toThrow('without "bids"/"asks" arrays');
    expect(() => parseFrame('{"feed":"trade","product_id":"PI_X","side":"buy","time":1,"qty":1.0,"price":1.0}', 'inverse')).toThrow('without "uid"');
    expect(() => parseFrame('{"hello":1}', 'futures')).toThrow('kraken: futures frame without "feed" or "event"');
  });
});

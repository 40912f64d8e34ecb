import { describe, expect, it } from 'vitest';
import { parseFrame, parseV2Frame } from './parse.js';

// WebSocket API frames: the docs examples (shared/fixtures/gemini, docs-example file) and shapes
// from the spec (shared/exchanges/gemini.md §3). v2 frames: shapes of the 2021 recording (§4).
const frame = (value: unknown): string => JSON.stringify(value);

describe('WebSocket API: depth', () => {
  it('a depthUpdate is a delta: U..u as first/last, text levels passed through, E (ns) read exactly', () => {
    // The docs example, byte for byte.
    const text = '{"e":"depthUpdate","E":1751508260659505382,"s":"btcusd","U":12345677,"u":12345678,"b":[["45000.50","1.25000000"],["45000.25","0.00000000"]],"a":[["45001.00","0.75000000"]]}';
    expect(parseFrame(text, 'spot')).toEqual([
      {
        kind: 'delta',
        symbol: 'btcusd',
        bids: [
          ['45000.50', '1.25000000'],
          ['45000.25', '0.00000000'],
        ],
        asks: [['45001.00', '0.75000000']],
        first: 12345677,
        last: 12345678,
        // 1751508260659505382 ns: the float would be ...505344; the text gives ...505 µs.
        time: 1751508260659505,
      },
    ]);
  });

  it('keeps an empty side as an empty array and tolerates extra fields', () => {
    const [delta] = parseFrame(frame({ e: 'depthUpdate', E: 1, s: 'ethusd', U: 5, u: 9, b: [], a: [['2000.1', '1']], x: 'new' }), 'spot');
    expect(delta).toMatchObject({ kind: 'delta', symbol: 'ethusd', bids: [], first: 5, last: 9, time: 0 });
  });

  it('throws, saying what is missing, on a depthUpdate it cannot read', () => {
    const ok = { e: 'depthUpdate', E: 1, s: 'btcusd', U: 1, u: 2, b: [], a: [] };
    expect(() => parseFrame(frame({ ...ok, s: undefined }), 'spot')).toThrow('gemini: depthUpdate without "s"');
    expect(() => parseFrame(frame({ ...ok, u: '2' }), 'spot')).toThrow('gemini: depthUpdate btcusd without numeric "U"/"u"');
    expect(() => parseFrame(frame({ ...ok, a: {} }), 'spot')).toThrow('without "b"/"a" arrays');
  });

  it('streams level4 does not subscribe give nothing (bookTicker, partial depth, depth answer, other events)', () => {
    expect(parseFrame('{"u":1751505576085,"E":1751508438600117161,"s":"btcusd","b":"45000.50","B":"1.25000000","a":"45001.00","A":"0.75000000"}', 'spot')).toEqual([]);
    expect(parseFrame('{"lastUpdateId":12345678,"bids":[["45000.50","1.25000000"]],"asks":[["45001.00","0.75000000"]]}', 'spot')).toEqual([]);
    expect(parseFrame(frame({ e: 'kline', E: 1, s: 'btcusd' }), 'spot')).toEqual([]);
  });
});

describe('WebSocket API: trades', () => {
  it('m = buyer is maker: m true -> the taker sold, m false -> the taker bought; t exact as the id', () => {
    expect(parseFrame('{"E":1751508438600117161,"s":"btcusd","t":9007199254740993,"p":"45000.50","q":"0.10000000","m":true}', 'spot')).toEqual([
      { kind: 'trade', symbol: 'btcusd', id: '9007199254740993', side: 'sell', price: '45000.50', size: '0.10000000', time: 1751508438600117 },
    ]);
    expect(parseFrame(frame({ E: 1751508438600117000, s: 'btcusd', t: 12, p: '45001.00', q: '1', m: false }), 'spot')).toEqual([
      { kind: 'trade', symbol: 'btcusd', id: '12', side: 'buy', price: '45001.00', size: '1', time: 1751508438600117 },
    ]);
  });

  it('throws on a trade without its fields', () => {
    const ok = { E: 1, s: 'btcusd', t: 1, p: '1', q: '1', m: true };
    expect(() => parseFrame(frame({ ...ok, s: 1 }), 'spot')).toThrow('gemini: trade without "s"');
    expect(() => parseFrame(frame({ ...ok, p: 1 }), 'spot')).toThrow('gemini: trade btcusd without text "p"/"q"');
    expect(() => parseFrame(frame({ ...ok, t: 'x' }), 'spot')).toThrow('without numeric "t"');
    expect(() => parseFrame(frame({ ...ok, E: undefined }), 'spot')).toThrow('without numeric "E"');
  });
});

describe('WebSocket API: answers', () => {
  it('status 200 is an ack with the request id the engine sent (digits as text come back as a number)', () => {
    expect(parseFrame('{"id":1,"status":200,"result":null}', 'spot')).toEqual([{ kind: 'ack', request: 1 }]);
    expect(parseFrame('{"id":"7","status":200,"result":null}', 'spot')).toEqual([{ kind: 'ack', request: 7 }]);
    expect(parseFrame('{"id":"list","status":200,"result":["btcusd@trade"]}', 'spot')).toEqual([{ kind: 'ack', request: 'list' }]);
  });

  it('an error answer is an error with Gemini’s message, status and code, for that request', () => {
    expect(parseFrame('{"id":3,"status":400,"error":{"code":-1002,"msg":"Invalid stream: zzzusd@depth@100ms"}}', 'spot')).toEqual([
      { kind: 'error', message: 'Invalid stream: zzzusd@depth@100ms (status 400, code -1002)', request: 3 },
    ]);
    expect(parseFrame('{"id":null,"status":429,"error":{"code":-1003}}', 'spot')).toEqual([{ kind: 'error', message: 'request failed (status 429, code -1003)' }]);
  });

  it('the answer to the keepalive ping is a heartbeat', () => {
    expect(parseFrame('{"id":"ping","status":200,"result":{}}', 'spot')).toEqual([{ kind: 'heartbeat' }]);
  });

  it('throws on text that is not a WebSocket API frame', () => {
    expect(() => parseFrame('{"e":', 'spot')).toThrow('gemini: frame is not JSON');
    expect(() => parseFrame('[1]', 'spot')).toThrow('gemini: frame is not a JSON object');
    expect(() => parseFrame('null', 'spot')).toThrow('gemini: frame is not a JSON object');
    expect(() => parseFrame('{"hello":1}', 'spot')).toThrow('gemini: frame without "e", "id" or "m"');
    expect(() => parseFrame('{"id":4}', 'spot')).toThrow('gemini: answer to request 4 without "status"');
  });
});

describe('Market Data v2', () => {
  it('the first l2_updates of a subscription (with its trade history) is a snapshot; its trades are not published', () => {
    const first = frame({
      type: 'l2_updates',
      symbol: 'BTCGBP',
      changes: [
        ['buy', '24084.23', '0.5'],
        ['sell', '24113.49', '0.04'],
        ['buy', '24080.00', '1'],
      ],
      trades: [{ type: 'trade', symbol: 'BTCGBP', event_id: 45465309641, timestamp: 1624493368377, price: '24046.83', quantity: '0.00001', side: 'buy' }],
      auction_events: [],
    });
    expect(parseV2Frame(first, 'spot')).toEqual([
      {
        kind: 'snapshot',
        symbol: 'BTCGBP',
        bids: [
          ['24084.23', '0.5'],
          ['24080.00', '1'],
        ],
        asks: [['24113.49', '0.04']],
      },
    ]);
  });

  it('later l2_updates are deltas: buy -> bid, sell -> ask, "0" removes', () => {
    const text = '{"type":"l2_updates","symbol":"BTCGBP","changes":[["buy","24084.23","0"],["buy","24087.07","0.04"],["sell","24113.49","0"]]}';
    expect(parseV2Frame(text, 'spot')).toEqual([
      {
        kind: 'delta',
        symbol: 'BTCGBP',
        bids: [
          ['24084.23', '0'],
          ['24087.07', '0.04'],
        ],
        asks: [['24113.49', '0']],
      },
    ]);
  });

  it('a trade: side is the taker side, timestamp ms -> µs, event_id the id', () => {
    const text = '{"type":"trade","symbol":"FILUSD","event_id":45465842999,"timestamp":1624493681030,"price":"58.4998","quantity":"15.4053","side":"buy"}';
    expect(parseV2Frame(text, 'spot')).toEqual([
      { kind: 'trade', symbol: 'FILUSD', id: '45465842999', side: 'buy', price: '58.4998', size: '15.4053', time: 1624493681030000 },
    ]);
  });

  it('heartbeats, errors, and types level4 does not read', () => {
    expect(parseV2Frame('{"type":"heartbeat","timestamp":1624493666869}', 'spot')).toEqual([{ kind: 'heartbeat' }]);
    expect(parseV2Frame('{"result":"error","reason":"InvalidJson","message":"Could not parse subscription"}', 'spot')).toEqual([
      { kind: 'error', message: 'InvalidJson: Could not parse subscription' },
    ]);
    expect(parseV2Frame('{"type":"candles_1m_updates","symbol":"BTCUSD","changes":[]}', 'spot')).toEqual([]);
  });

  it('throws, naming what is wrong, on v2 frames it cannot read', () => {
    expect(() => parseV2Frame('{"type":"l2_up', 'spot')).toThrow('gemini: frame is not JSON');
    expect(() => parseV2Frame('"x"', 'spot')).toThrow('gemini: frame is not a JSON object');
    expect(() => parseV2Frame('{"symbol":"BTCUSD"}', 'spot')).toThrow('gemini: v2 frame without "type"');
    expect(() => parseV2Frame(frame({ type: 'l2_updates', changes: [] }), 'spot')).toThrow('gemini: l2_updates without "symbol"');
    expect(() => parseV2Frame(frame({ type: 'l2_updates', symbol: 'BTCUSD' }), 'spot')).toThrow('without a "changes" array');
    expect(() => parseV2Frame(frame({ type: 'l2_updates', symbol: 'BTCUSD', changes: [['bid', '1', '1']] }), 'spot')).toThrow('change with side "bid"');
    expect(() => parseV2Frame(frame({ type: 'l2_updates', symbol: 'BTCUSD', changes: ['x'] }), 'spot')).toThrow('change 0 is not an array');
    const trade = { type: 'trade', symbol: 'BTCUSD', event_id: 1, timestamp: 1, price: '1', quantity: '1', side: 'buy' };
    expect(() => parseV2Frame(frame({ ...trade, price: 1 }), 'spot')).toThrow('gemini: trade BTCUSD without "event_id", "timestamp", "price" or "quantity"');
    expect(() => parseV2Frame(frame({ ...trade, side: 'ask' }), 'spot')).toThrow('gemini: trade BTCUSD 1 with side "ask"');
  });
});

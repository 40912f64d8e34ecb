import { describe, expect, it } from 'vitest';
import { numberText, parseFrame } from './parse.js';

// Frames written from the shapes in the spec (shared/exchanges/bitmex.md), shortened to a few rows.
const frame = (value: unknown): string => JSON.stringify(value);
const us = (iso: string) => Date.parse(iso) * 1000;

describe('orderBookL2 frames', () => {
  it('a partial is the whole book of its symbol: levels keep their ids, Buy = bids, Sell = asks', () => {
    const messages = parseFrame(
      frame({
        table: 'orderBookL2',
        action: 'partial',
        keys: ['symbol', 'id', 'side'],
        filter: { symbol: 'XBTUSD' },
        data: [
          { symbol: 'XBTUSD', id: 8796812450, side: 'Sell', size: 36000, price: 32187 },
          { symbol: 'XBTUSD', id: 8796813500, side: 'Buy', size: 1407700, price: 32186.5 },
          { symbol: 'XBTUSD', id: 8796813600, side: 'Buy', size: 1200, price: 32186 },
        ],
      }),
      'inverse',
    );
    expect(messages).toEqual([
      {
        kind: 'snapshot',
        symbol: 'XBTUSD',
        bids: [
          ['32186.5', '1407700', '8796813500'],
          ['32186', '1200', '8796813600'],
        ],
        asks: [['32187', '36000', '8796812450']],
      },
    ]);
  });

  it('an empty partial is an empty book (closed instrument), for the symbol of its filter', () => {
    expect(parseFrame(frame({ table: 'orderBookL2', action: 'partial', filter: { symbol: 'XBTH26' }, data: [] }), 'inverse')).toEqual([
      { kind: 'snapshot', symbol: 'XBTH26', bids: [], asks: [] },
    ]);
    expect(parseFrame(frame({ table: 'orderBookL2', action: 'update', data: [] }), 'inverse')).toEqual([]);
  });

  it('current rows (2023-): insert carries the price; update and delete go by id alone; the last row timestamp is the time', () => {
    const ts = '2024-11-24T08:15:38.704Z';
    const row = { symbol: 'XBTUSDT', id: 33371900001, side: 'Buy', size: 5000, price: 98570.9, timestamp: ts, transactTime: ts };
    expect(parseFrame(frame({ table: 'orderBookL2', action: 'insert', data: [row] }), 'futures')).toEqual([
      { kind: 'delta', symbol: 'XBTUSDT', bids: [['98570.9', '5000', '33371900001']], asks: [], time: us(ts) },
    ]);
    expect(parseFrame(frame({ table: 'orderBookL2', action: 'update', data: [{ ...row, side: 'Sell', size: 7000 }] }), 'futures')).toEqual([
      { kind: 'delta', symbol: 'XBTUSDT', bids: [], asks: [['', '7000', '33371900001']], time: us(ts) },
    ]);
    const { size: _size, ...gone } = row;
    expect(parseFrame(frame({ table: 'orderBookL2', action: 'delete', data: [gone] }), 'futures')).toEqual([
      { kind: 'delta', symbol: 'XBTUSDT', bids: [['', '0', '33371900001']], asks: [], time: us(ts) },
    ]);
  });

  it('legacy rows (2021): update rows without price or timestamp, delete rows with only symbol, id and side', () => {
    expect(
      parseFrame(
        frame({
          table: 'orderBookL2',
          action: 'update',
          data: [
            { symbol: 'XBTUSD', id: 8796766500, side: 'Sell', size: 100 },
            { symbol: 'XBTUSD', id: 8796792800, side: 'Buy', size: 20500 },
          ],
        }),
        'inverse',
      ),
    ).toEqual([{ kind: 'delta', symbol: 'XBTUSD', bids: [['', '20500', '8796792800']], asks: [['', '100', '8796766500']] }]);
    expect(parseFrame(frame({ table: 'orderBookL2', action: 'delete', data: [{ symbol: 'XBTUSD', id: 8796779950, side: 'Sell' }] }), 'inverse')).toEqual([
      { kind: 'delta', symbol: 'XBTUSD', bids: [], asks: [['', '0', '8796779950']] },
    ]);
  });

  it('routes each row by its own symbol: one message per run of rows of one symbol', () => {
    const messages = parseFrame(
      frame({
        table: 'orderBookL2',
        action: 'insert',
        data: [
          { symbol: 'SOLUSDT', id: 1, side: 'Sell', size: 991, price: 27.52 },
          { symbol: 'XRPU21', id: 2, side: 'Buy', size: 3, price: 1.814e-5 },
        ],
      }),
      'futures',
    );
    expect(messages).toEqual([
      { kind: 'delta', symbol: 'SOLUSDT', bids: [], asks: [['27.52', '991', '1']] },
      { kind: 'delta', symbol: 'XRPU21', bids: [['0.00001814', '3', '2']], asks: [] },
    ]);
  });

  it('throws, saying what is wrong, on a book frame it cannot read', () => {
    const ok = { symbol: 'XBTUSD', id: 1, side: 'Buy', size: 1, price: 1 };
    expect(() => parseFrame(frame({ table: 'orderBookL2', action: 'update' }), 'inverse')).toThrow('bitmex: orderBookL2 update without a "data" array');
    expect(() => parseFrame(frame({ table: 'orderBookL2', action: 'upsert', data: [ok] }), 'inverse')).toThrow('bitmex: orderBookL2 with action "upsert"');
    expect(() => parseFrame(frame({ table: 'orderBookL2', action: 'insert', data: [{ ...ok, symbol: undefined }] }), 'inverse')).toThrow('row without "symbol"');
    expect(() => parseFrame(frame({ table: 'orderBookL2', action: 'insert', data: [null] }), 'inverse')).toThrow('row without "symbol"');
    expect(() => parseFrame(frame({ table: 'orderBookL2', action: 'insert', data: [{ ...ok, id: null }] }), 'inverse')).toThrow('row without "id"');
    expect(() => parseFrame(frame({ table: 'orderBookL2', action: 'insert', data: [{ ...ok, side: 'buy' }] }), 'inverse')).toThrow('bitmex: orderBookL2 insert row 1 with side "buy"');
    expect(() => parseFrame(frame({ table: 'orderBookL2', action: 'insert', data: [{ ...ok, timestamp: 'yesterday' }] }), 'inverse')).toThrow('bitmex: orderBookL2 row with timestamp "yesterday"');
  });
});

describe('trade frames', () => {
  const fill = {
    timestamp: '2024-11-24T08:15:38.704Z',
    symbol: 'XBTUSD',
    side: 'Sell',
    size: 100,
    price: 98570.9,
    tickDirection: 'ZeroPlusTick',
    trdMatchID: '00000000-006d-1000-0000-000e8737d536',
    grossValue: 101450,
    homeNotional: 0.0010145,
    foreignNotional: 100.0,
    trdType: 'Regular',
  };

  it('an insert is one trade per row; side is the taker side; the partial on subscribe is history, not published', () => {
    expect(parseFrame(frame({ table: 'trade', action: 'insert', data: [fill, { ...fill, side: 'Buy', trdMatchID: 'b' }] }), 'inverse')).toEqual([
      { kind: 'trade', symbol: 'XBTUSD', id: '00000000-006d-1000-0000-000e8737d536', side: 'sell', price: '98570.9', size: '100', time: us(fill.timestamp) },
      { kind: 'trade', symbol: 'XBTUSD', id: 'b', side: 'buy', price: '98570.9', size: '100', time: us(fill.timestamp) },
    ]);
    expect(parseFrame(frame({ table: 'trade', action: 'partial', filter: { symbol: 'XBTUSD' }, data: [fill] }), 'inverse')).toEqual([]);
  });

  it('leaves out prints that are not order-book matches; rows of 2021 (no trdType) are matches', () => {
    const { trdType: _t, ...old } = fill;
    expect(parseFrame(frame({ table: 'trade', action: 'insert', data: [{ ...fill, trdType: 'Settlement', side: '' }, old] }), 'inverse')).toHaveLength(1);
  });

  it('throws on a trade it cannot read', () => {
    expect(() => parseFrame(frame({ table: 'trade', action: 'insert', data: [{ ...fill, trdMatchID: 7 }] }), 'inverse')).toThrow('bitmex: trade row without');
    expect(() => parseFrame(frame({ table: 'trade', action: 'insert', data: [{ ...fill, side: 'Hold' }] }), 'inverse')).toThrow('with side "Hold"');
    expect(() => parseFrame(frame({ table: 'trade', action: 'insert', data: {} }), 'inverse')).toThrow('bitmex: trade insert without a "data" array');
  });
});

describe('quote frames', () => {
  it('one top of book per symbol, from its last row (earlier rows of a batch describe earlier books)', () => {
    const rows = [
      { timestamp: '2021-07-22T22:36:10.087Z', symbol: 'XBTUSD', bidSize: 1050200, bidPrice: 32180, askPrice: 32180.5, askSize: 161000 },
      { timestamp: '2021-07-22T22:36:10.100Z', symbol: 'SOLUSDT', bidSize: 5, bidPrice: 27.47, askPrice: 27.503, askSize: 1 },
      { timestamp: '2021-07-22T22:36:10.404Z', symbol: 'XBTUSD', bidSize: 1050200, bidPrice: 32180, askPrice: 32180.5, askSize: 99200 },
    ];
    expect(parseFrame(frame({ table: 'quote', action: 'insert', data: rows }), 'inverse')).toEqual([
      { kind: 'top', symbol: 'SOLUSDT', bid: ['27.47', '5'], ask: ['27.503', '1'], time: us('2021-07-22T22:36:10.100Z') },
      { kind: 'top', symbol: 'XBTUSD', bid: ['32180', '1050200'], ask: ['32180.5', '99200'], time: us('2021-07-22T22:36:10.404Z') },
    ]);
  });

  it('an empty side is not compared', () => {
    const row = { timestamp: '2021-07-22T22:35:53.978Z', symbol: 'XRPU21', bidSize: null, bidPrice: null, askPrice: 0.00001819, askSize: 1703 };
    expect(parseFrame(frame({ table: 'quote', action: 'partial', filter: { symbol: 'XRPU21' }, data: [row] }), 'futures')).toEqual([
      { kind: 'top', symbol: 'XRPU21', ask: ['0.00001819', '1703'], time: us(row.timestamp) },
    ]);
  });
});

describe('answers and notices', () => {
  it('the welcome and other info frames, and the text pong, are proof of life', () => {
    const welcome = { info: 'Welcome to the BitMEX Realtime API.', version: '2021-07-14T01:26:29.000Z', timestamp: '2021-07-22T22:36:07.865Z', docs: 'https://www.bitmex.com/app/wsAPI', limit: { remaining: 39 } };
    expect(parseFrame(frame(welcome), 'spot')).toEqual([{ kind: 'heartbeat' }]);
    expect(parseFrame('pong', 'spot')).toEqual([{ kind: 'heartbeat' }]);
  });

  it('subscribe and unsubscribe answers are acks without a request id (BitMEX echoes the request, not an id)', () => {
    const request = { op: 'subscribe', args: ['orderBookL2:XBTUSD', 'quote:XBTUSD', 'trade:XBTUSD'] };
    expect(parseFrame(frame({ success: true, subscribe: 'orderBookL2:XBTUSD', request }), 'inverse')).toEqual([{ kind: 'ack' }]);
    expect(parseFrame(frame({ success: true, unsubscribe: 'orderBookL2:XBTUSD', request: { ...request, op: 'unsubscribe' } }), 'inverse')).toEqual([{ kind: 'ack' }]);
  });

  it('a refused subscribe is an error for each symbol it named; other errors are reported alone', () => {
    const request = { op: 'subscribe', args: ['orderBookL2:XBTUSD', 'trade:XBTUSD', 'orderBookL2:XBTZ26'] };
    expect(parseFrame(frame({ status: 400, error: 'Unknown or expired symbol.', meta: {}, request }), 'inverse')).toEqual([
      { kind: 'error', message: '400 Unknown or expired symbol.', symbol: 'XBTUSD' },
      { kind: 'error', message: '400 Unknown or expired symbol.', symbol: 'XBTZ26' },
    ]);
    expect(parseFrame(frame({ status: 400, error: 'Not subscribed.', request: { ...request, op: 'unsubscribe' } }), 'inverse')).toEqual([{ kind: 'error', message: '400 Not subscribed.' }]);
    expect(parseFrame(frame({ status: 429, error: 'Rate limit exceeded, retry in 1 seconds.', meta: { retryAfter: 1 } }), 'inverse')).toEqual([
      { kind: 'error', message: '429 Rate limit exceeded, retry in 1 seconds.' },
    ]);
    expect(parseFrame(frame({ success: false, error: 'no' }), 'inverse')).toEqual([{ kind: 'error', message: 'no' }]);
  });

  it('a 5xx (overloaded, going down for an upgrade) asks for a new connection', () => {
    expect(parseFrame(frame({ status: 503, error: 'The system is currently overloaded. Please try again later.', meta: {} }), 'spot')).toEqual([
      { kind: 'reconnect', reason: '503 The system is currently overloaded. Please try again later.' },
    ]);
  });

  it('ignores tables level4 does not subscribe', () => {
    expect(parseFrame(frame({ table: 'instrument', action: 'update', data: [{ symbol: 'XBTUSD', fundingRate: 0.0001 }] }), 'inverse')).toEqual([]);
    expect(parseFrame(frame({ table: 'orderBookL2_25', action: 'partial', data: [] }), 'inverse')).toEqual([]);
  });

  it('throws on frames that are not JSON objects or have none of the known keys', () => {
    expect(() => parseFrame('{"table":"orderBookL2","act', 'spot')).toThrow('bitmex: frame is not JSON: "{\\"table\\":\\"orderBookL2\\",\\"act"');
    expect(() => parseFrame('[1,2]', 'spot')).toThrow('bitmex: frame is not a JSON object');
    expect(() => parseFrame('null', 'spot')).toThrow('bitmex: frame is not a JSON object');
    expect(() => parseFrame('{"hello":1}', 'spot')).toThrow('bitmex: frame without "table", "success", "error" or "info"');
  });
});

describe('numberText', () => {
  it('keeps the value of every JSON number BitMEX sends, written plainly', () => {
    expect(numberText(32186.5)).toBe('32186.5');
    expect(numberText(100.0)).toBe('100');
    expect(numberText(1.814e-5)).toBe('0.00001814');
    expect(numberText(3e-8)).toBe('0.00000003');
    expect(numberText(1.1e-7)).toBe('0.00000011');
    expect(numberText(1e-8)).toBe('0.00000001');
    expect(numberText(2.5e21)).toBe('2500000000000000000000');
    expect(numberText(-3.5e-7)).toBe('-0.00000035');
    expect(numberText(0)).toBe('0');
    expect(numberText('0.5')).toBe('0.5');
  });
});

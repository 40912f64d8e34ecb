import { describe, expect, it } from 'vitest';
import { parseFrame } from './parse.js';

// Frames written from the shapes in the spec (shared/exchanges/hitbtc.md), shortened to a few levels.
const frame = (value: unknown): string => JSON.stringify(value);

describe('order book frames (orderbook/full)', () => {
  it('a snapshot carries the whole book, its s as sequence and t as time', () => {
    const messages = parseFrame(
      frame({
        ch: 'orderbook/full',
        snapshot: { ETHBTC: { t: 1681300780018, s: 1204702, a: [['0.062390', '424.7196'], ['0.063710', '175.4782']], b: [['0.060606', '172.8993']] } },
      }),
      'spot',
    );
    expect(messages).toEqual([
      {
        kind: 'snapshot',
        symbol: 'ETHBTC',
        bids: [['0.060606', '172.8993']],
        asks: [['0.062390', '424.7196'], ['0.063710', '175.4782']],
        sequence: 1204702,
        time: 1681300780018000,
      },
    ]);
  });

  it('an update carries changed levels (size "0" removes) and s as last, text kept as sent', () => {
    const [delta] = parseFrame(
      frame({ ch: 'orderbook/full', update: { BTCUSDT_PERP: { t: 1681300781478, s: 1204703, a: [['30000.10', '0']], b: [['29999.00', '1.50000']] } } }),
      'futures',
    );
    expect(delta).toEqual({
      kind: 'delta',
      symbol: 'BTCUSDT_PERP',
      bids: [['29999.00', '1.50000']],
      asks: [['30000.10', '0']],
      last: 1204703,
      time: 1681300781478000,
    });
  });

  it('an update with empty sides still advances the sequence; several symbols give several messages', () => {
    const messages = parseFrame(
      frame({ ch: 'orderbook/full', update: { ETHBTC: { t: 1, s: 8, a: [], b: [] }, BTCUSDT: { t: 2, s: 40, a: [['1', '2']], b: [] } } }),
      'spot',
    );
    expect(messages.map((m) => [m.kind, 'symbol' in m ? m.symbol : '', 'last' in m ? m.last : 0])).toEqual([
      ['delta', 'ETHBTC', 8],
      ['delta', 'BTCUSDT', 40],
    ]);
  });

  it('ignores the extra fields a frame may carry', () => {
    const [delta] = parseFrame(frame({ ch: 'orderbook/full', extra: 1, update: { ETHBTC: { t: 1, s: 2, a: [], b: [], x: 'y' } } }), 'spot');
    expect(delta).toMatchObject({ kind: 'delta', symbol: 'ETHBTC', last: 2 });
  });

  it('ignores book channels level4 does not subscribe (top-N, best price)', () => {
    expect(parseFrame(frame({ ch: 'orderbook/D20/100ms', data: { ETHBTC: { t: 1, s: 2, a: [], b: [] } } }), 'spot')).toEqual([]);
    expect(parseFrame(frame({ ch: 'orderbook/top/1000ms', data: { ETHBTC: { t: 1, a: '1', A: '2', b: '0.5', B: '3' } } }), 'spot')).toEqual([]);
    expect(parseFrame(frame({ ch: 'ticker/1s', data: {} }), 'spot')).toEqual([]);
  });

  it('throws, saying what is missing, on a book frame it cannot read', () => {
    const ok = { t: 1, s: 2, a: [], b: [] };
    expect(() => parseFrame(frame({ ch: 'orderbook/full' }), 'spot')).toThrow('hitbtc: orderbook/full without a "snapshot" or "update" object');
    expect(() => parseFrame(frame({ ch: 'orderbook/full', update: [ok] }), 'spot')).toThrow('without a "snapshot" or "update" object');
    expect(() => parseFrame(frame({ ch: 'orderbook/full', update: { ETHBTC: null } }), 'spot')).toThrow('hitbtc: orderbook/full ETHBTC is not an object');
    expect(() => parseFrame(frame({ ch: 'orderbook/full', update: { ETHBTC: { ...ok, s: '2' } } }), 'spot')).toThrow('ETHBTC without sequence "s"');
    expect(() => parseFrame(frame({ ch: 'orderbook/full', snapshot: { ETHBTC: { ...ok, b: {} } } }), 'spot')).toThrow('ETHBTC without "a"/"b" arrays');
  });
});

describe('trade frames', () => {
  it('one trade per entry of an update, side = the taker side, id as text', () => {
    const messages = parseFrame(
      frame({
        ch: 'trades',
        update: {
          BTCUSDT: [
            { t: 1661352113934, i: 1872478761, p: '21460.55', q: '0.00105', s: 'buy' },
            { t: 1661352113934, i: 1872478762, p: '21460.56', q: '0.07000', s: 'sell' },
          ],
        },
      }),
      'spot',
    );
    expect(messages).toEqual([
      { kind: 'trade', symbol: 'BTCUSDT', id: '1872478761', side: 'buy', price: '21460.55', size: '0.00105', time: 1661352113934000 },
      { kind: 'trade', symbol: 'BTCUSDT', id: '1872478762', side: 'sell', price: '21460.56', size: '0.07000', time: 1661352113934000 },
    ]);
  });

  it('the trades snapshot after subscribe is history: nothing is published', () => {
    const history = { ch: 'trades', snapshot: { BTCUSDT: [{ t: 1626861109494, i: 1555634969, p: '30881.96', q: '12.66828', s: 'buy' }] } };
    expect(parseFrame(frame(history), 'spot')).toEqual([]);
    expect(parseFrame(frame({ ch: 'trades', snapshot: { BTCUSDT: [] } }), 'spot')).toEqual([]);
  });

  it('throws on a trade without its fields or with an unknown side', () => {
    const fill = { t: 1, i: 5, p: '1', q: '1', s: 'buy' };
    const trades = (update: unknown): string => frame({ ch: 'trades', update });
    expect(() => parseFrame(frame({ ch: 'trades' }), 'spot')).toThrow('hitbtc: trades without a "snapshot" or "update" object');
    expect(() => parseFrame(trades([fill]), 'spot')).toThrow('hitbtc: trades "update" is not an object');
    expect(() => parseFrame(trades({ BTCUSDT: fill }), 'spot')).toThrow('hitbtc: trades BTCUSDT is not an array');
    expect(() => parseFrame(trades({ BTCUSDT: [{ ...fill, p: 1 }] }), 'spot')).toThrow('trade without "i", "p", "q" or "t"');
    expect(() => parseFrame(trades({ BTCUSDT: [{ ...fill, i: '5' }] }), 'spot')).toThrow('trade without "i", "p", "q" or "t"');
    expect(() => parseFrame(trades({ BTCUSDT: [{ ...fill, s: 'Buy' }] }), 'spot')).toThrow('trades BTCUSDT trade 5 with side "Buy"');
  });
});

describe('answers, pongs and everything else', () => {
  it('a subscribe or unsubscribe answer is an ack with the request id and the symbols the channel now carries', () => {
    const ack = { result: { ch: 'orderbook/full', subscriptions: ['BTCUSDT', 'BTCUSDT_PERP'] }, id: 12 };
    expect(parseFrame(frame(ack), 'spot')).toEqual([{ kind: 'ack', request: 12, symbols: ['BTCUSDT', 'BTCUSDT_PERP'] }]);
    expect(parseFrame(frame({ ...ack, id: '13' }), 'spot')).toEqual([{ kind: 'ack', request: 13, symbols: ['BTCUSDT', 'BTCUSDT_PERP'] }]);
    expect(parseFrame(frame({ result: { ch: 'trades', subscriptions: [] } }), 'spot')).toEqual([{ kind: 'ack', symbols: [] }]);
  });

  it('an error answer is an error with code, message, description and the request id', () => {
    const error = { error: { code: 2003, message: 'Unknown channel', description: 'Channel is not supported: orderbook/D30/100ms' }, id: 5 };
    expect(parseFrame(frame(error), 'spot')).toEqual([{ kind: 'error', message: '2003 Unknown channel: Channel is not supported: orderbook/D30/100ms', request: 5 }]);
    expect(parseFrame(frame({ error: { code: 2001, message: 'Symbol not found' }, id: 6 }), 'futures')).toEqual([
      { kind: 'error', message: '2001 Symbol not found', request: 6 },
    ]);
    // Invalid json has no request to blame.
    expect(parseFrame(frame({ error: { code: 1, message: 'Invalid json', description: 'unexpected end' } }), 'spot')).toEqual([
      { kind: 'error', message: '1 Invalid json: unexpected end' },
    ]);
  });

  it('503 Service Unavailable (HitBTC’s maintenance answer) asks for a reconnect', () => {
    const down = { error: { code: 503, message: 'Service Unavailable', description: 'Try it again later' } };
    expect(parseFrame(frame(down), 'spot')).toEqual([{ kind: 'reconnect', reason: 'hitbtc: 503 Service Unavailable: Try it again later' }]);
    expect(parseFrame(frame({ ...down, id: 3 }), 'futures')).toEqual([{ kind: 'reconnect', reason: 'hitbtc: 503 Service Unavailable: Try it again later' }]);
  });

  it('the answer to an application ping is a heartbeat', () => {
    expect(parseFrame('{"id":4,"result":"pong"}', 'spot')).toEqual([{ kind: 'heartbeat' }]);
  });

  it('throws on text that is not a HitBTC frame', () => {
    expect(() => parseFrame('{"ch":', 'spot')).toThrow('hitbtc: frame is not JSON');
    expect(() => parseFrame('[1,2]', 'spot')).toThrow('hitbtc: frame is not a JSON object');
    expect(() => parseFrame('null', 'spot')).toThrow('hitbtc: frame is not a JSON object');
    expect(() => parseFrame('{"hello":1}', 'spot')).toThrow('hitbtc: frame without "ch", "result" or "error"');
    expect(() => parseFrame('{"error":"boom","id":1}', 'spot')).toThrow('hitbtc: "error" is not an object');
  });
});

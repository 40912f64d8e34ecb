import { describe, expect, it } from 'vitest';
import { parseFrame } from './parse.js';

// Frames written from the shapes in the spec (shared/exchanges/bybit.md), shortened to a few levels.
const frame = (value: unknown): string => JSON.stringify(value);

describe('order book frames', () => {
  it('a snapshot carries the whole book, its u as sequence and the matching-engine time', () => {
    const messages = parseFrame(
      frame({
        topic: 'orderbook.1000.BTCUSDT',
        type: 'snapshot',
        ts: 1672304484978,
        data: { s: 'BTCUSDT', b: [['16493.50', '0.006'], ['16493.00', '0.100']], a: [['16611.00', '0.029']], u: 18521288, seq: 7961638724 },
        cts: 1672304484976,
      }),
      'futures',
    );
    expect(messages).toEqual([
      {
        kind: 'snapshot',
        symbol: 'BTCUSDT',
        bids: [['16493.50', '0.006'], ['16493.00', '0.100']],
        asks: [['16611.00', '0.029']],
        sequence: 18521288,
        time: 1672304484976000,
      },
    ]);
  });

  it('a delta carries changed levels (size "0" removes) and u as last, text kept as sent', () => {
    const [delta] = parseFrame(
      frame({
        topic: 'orderbook.1000.BTCUSDT',
        ts: 1703430557896,
        type: 'delta',
        data: { s: 'BTCUSDT', b: [['43730', '0']], a: [['43732.02', '1.5']], u: 5179080, seq: 19967461033 },
        cts: 1703430557847,
      }),
      'spot',
    );
    expect(delta).toEqual({
      kind: 'delta',
      symbol: 'BTCUSDT',
      bids: [['43730', '0']],
      asks: [['43732.02', '1.5']],
      last: 5179080,
      time: 1703430557847000,
    });
  });

  it('a delta with u = 1 is a service restart: the message is the whole book', () => {
    const [message] = parseFrame(
      frame({ topic: 'orderbook.1000.BTCUSD', type: 'delta', ts: 1700000000000, data: { s: 'BTCUSD', b: [['37000.5', '1200']], a: [['37001.0', '800']], u: 1 } }),
      'inverse',
    );
    expect(message).toMatchObject({ kind: 'snapshot', symbol: 'BTCUSD', sequence: 1, time: 1700000000000000 });
  });

  it('reads any depth, and falls back to the push time when there is no cts', () => {
    const [message] = parseFrame(
      frame({ topic: 'orderbook.500.XRPUSDT', type: 'delta', ts: 1733011200693, data: { s: 'XRPUSDT', b: [], a: [['1.9535', '8415']], u: 20254870 } }),
      'futures',
    );
    expect(message).toMatchObject({ kind: 'delta', symbol: 'XRPUSDT', last: 20254870, time: 1733011200693000 });
  });

  it('ignores book streams level4 does not subscribe (full depth, RPI)', () => {
    const full = { topic: 'orderbook.full.MNTUSDT', ts: 1, type: 'delta', data: { s: 'MNTUSDT', b: [], a: [], u: 278547 } };
    expect(parseFrame(frame(full), 'spot')).toEqual([]);
    expect(parseFrame(frame({ ...full, topic: 'orderbook.rpi.MNTUSDT' }), 'spot')).toEqual([]);
  });

  it('throws, saying what is missing, on a book frame it cannot read', () => {
    const ok = { topic: 'orderbook.1000.BTCUSDT', type: 'delta', ts: 1, data: { s: 'BTCUSDT', b: [], a: [], u: 2 } };
    expect(() => parseFrame(frame({ ...ok, data: undefined }), 'spot')).toThrow('bybit: orderbook.1000.BTCUSDT without "data"');
    expect(() => parseFrame(frame({ ...ok, data: { ...ok.data, u: '2' } }), 'spot')).toThrow('without "data.u"');
    expect(() => parseFrame(frame({ ...ok, data: { ...ok.data, s: undefined } }), 'spot')).toThrow('without "data.s"');
    expect(() => parseFrame(frame({ ...ok, data: { ...ok.data, b: {} } }), 'spot')).toThrow('"data.b"/"data.a" arrays');
    expect(() => parseFrame(frame({ ...ok, type: 'partial' }), 'spot')).toThrow('of type "partial"');
  });
});

describe('trade frames', () => {
  it('one trade per fill of a batch, side = the taker side', () => {
    const messages = parseFrame(
      frame({
        topic: 'publicTrade.BTCUSDT',
        ts: 1680652847526,
        type: 'snapshot',
        data: [
          { i: '2290000000050703789', T: 1680652847524, p: '28165.38', v: '0.041732', S: 'Sell', s: 'BTCUSDT', BT: false },
          { i: '2290000000050703790', T: 1680652847524, p: '28165.40', v: '0.008513', S: 'Buy', s: 'BTCUSDT', BT: false },
        ],
      }),
      'spot',
    );
    expect(messages).toEqual([
      { kind: 'trade', symbol: 'BTCUSDT', id: '2290000000050703789', side: 'sell', price: '28165.38', size: '0.041732', time: 1680652847524000 },
      { kind: 'trade', symbol: 'BTCUSDT', id: '2290000000050703790', side: 'buy', price: '28165.40', size: '0.008513', time: 1680652847524000 },
    ]);
  });

  it('reads the current format (seq, RPI, tick direction) the same way', () => {
    const [trade] = parseFrame(
      frame({
        topic: 'publicTrade.BTCUSDT',
        type: 'snapshot',
        ts: 1672304486868,
        data: [{ T: 1672304486865, s: 'BTCUSDT', S: 'Buy', v: '0.001', p: '16578.50', L: 'PlusTick', i: '20f43950-d8dd-5b31-9112-a178eb6023af', BT: false, RPI: false, seq: 1783284617 }],
      }),
      'futures',
    );
    expect(trade).toEqual({ kind: 'trade', symbol: 'BTCUSDT', id: '20f43950-d8dd-5b31-9112-a178eb6023af', side: 'buy', price: '16578.50', size: '0.001', time: 1672304486865000 });
  });

  it('throws on a fill without its fields or with an unknown side', () => {
    const fill = { i: '1', T: 1, p: '1', v: '1', S: 'Buy' };
    const trades = (data: unknown): string => frame({ topic: 'publicTrade.BTCUSD', type: 'snapshot', ts: 1, data });
    expect(() => parseFrame(trades({ ...fill }), 'inverse')).toThrow('bybit: publicTrade.BTCUSD without a "data" array');
    expect(() => parseFrame(trades([{ ...fill, p: 1 }]), 'inverse')).toThrow('fill without "i", "p", "v" or "T"');
    expect(() => parseFrame(trades([{ ...fill, S: 'buy' }]), 'inverse')).toThrow('fill 1 with side "buy"');
  });
});

describe('answers, pongs and everything else', () => {
  it('a subscribe ack gives the request id back as the number the engine sent', () => {
    const ack = { success: true, ret_msg: '', conn_id: 'c1', req_id: '12', op: 'subscribe' };
    expect(parseFrame(frame(ack), 'futures')).toEqual([{ kind: 'ack', request: 12 }]);
    expect(parseFrame(frame({ ...ack, op: 'unsubscribe', req_id: 'sub-1' }), 'futures')).toEqual([{ kind: 'ack', request: 'sub-1' }]);
  });

  it('a spot ack may come without req_id: an ack without a request', () => {
    const ack = { success: true, ret_msg: 'subscribe', conn_id: 'c2', op: 'subscribe' };
    expect(parseFrame(frame(ack), 'spot')).toEqual([{ kind: 'ack' }]);
    expect(parseFrame(frame({ ...ack, req_id: '' }), 'spot')).toEqual([{ kind: 'ack' }]);
  });

  it('a failed subscribe is an error with the venue message and the request id', () => {
    const failure = { success: false, ret_msg: 'error:already subscribed,topic:publicTrade.BTCUSDT', conn_id: 'c3', req_id: '4', op: 'subscribe' };
    expect(parseFrame(frame(failure), 'futures')).toEqual([
      { kind: 'error', message: 'error:already subscribed,topic:publicTrade.BTCUSDT', request: 4 },
    ]);
    expect(parseFrame(frame({ ...failure, ret_msg: '' }), 'futures')).toEqual([{ kind: 'error', message: 'subscribe failed', request: 4 }]);
  });

  it('every pong shape is a heartbeat', () => {
    const pongs = [
      { success: true, ret_msg: 'pong', conn_id: 'c4', op: 'ping' }, // spot
      { success: true, ret_msg: 'pong', conn_id: 'c5', req_id: '', op: 'ping' }, // linear, inverse
      { args: ['1672916271846'], op: 'pong' }, // option, spread
      { req_id: 'x', op: 'pong', args: ['1675418560633'], conn_id: 'c6' }, // private
    ];
    for (const pong of pongs) expect(parseFrame(frame(pong), 'spot')).toEqual([{ kind: 'heartbeat' }]);
  });

  it('topics and ops level4 did not ask for give nothing', () => {
    expect(parseFrame(frame({ topic: 'tickers.BTCUSDT', type: 'snapshot', ts: 1, data: { symbol: 'BTCUSDT' } }), 'futures')).toEqual([]);
    expect(parseFrame(frame({ success: true, ret_msg: '', op: 'auth', conn_id: 'c7' }), 'futures')).toEqual([]);
  });

  it('throws on text that is not a Bybit frame', () => {
    expect(() => parseFrame('{"topic":', 'spot')).toThrow('bybit: frame is not JSON');
    expect(() => parseFrame('[1,2]', 'spot')).toThrow('bybit: frame is not a JSON object');
    expect(() => parseFrame('null', 'spot')).toThrow('bybit: frame is not a JSON object');
    expect(() => parseFrame('{"hello":1}', 'spot')).toThrow('bybit: frame without "topic" or "op"');
    expect(() => parseFrame('{"op":"subscribe","req_id":"1"}', 'spot')).toThrow('bybit: subscribe answer without "success"');
  });
});

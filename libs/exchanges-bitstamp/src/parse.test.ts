import type { Instrument } from '@level4/feed';
import { describe, expect, it } from 'vitest';
import { parseFrame, parseSnapshot } from './parse.js';

describe('parseFrame: diff_order_book', () => {
  it('turns a diff into a delta: levels passed through as text, microtimestamp = last and time (spec §5 example)', () => {
    const frame =
      '{"data":{"timestamp":"1641343721","microtimestamp":"1641343721598250","bids":[],' +
      '"asks":[["0.88702","33883.96385"],["0.89655","14566.33531"],["0.89999","0.00000"]]},' +
      '"channel":"diff_order_book_usdteur","event":"data"}';
    expect(parseFrame(frame, 'spot')).toStrictEqual([
      {
        kind: 'delta', symbol: 'usdteur', bids: [],
        asks: [['0.88702', '33883.96385'], ['0.89655', '14566.33531'], ['0.89999', '0.00000']],
        last: 1641343721598250, time: 1641343721598250,
      },
    ]);
  });

  it('ignores data events of other channels (order_book, detail_order_book, live_orders)', () => {
    expect(parseFrame('{"data":{"bids":[],"asks":[]},"channel":"order_book_btcusd","event":"data"}', 'spot')).toStrictEqual([]);
    expect(parseFrame('{"data":{"id":1},"channel":"live_orders_btcusd","event":"order_created"}', 'spot')).toStrictEqual([]);
  });

  it('throws, naming the field, on a diff it cannot use', () => {
    const diff = (data: unknown) => JSON.stringify({ data, channel: 'diff_order_book_btcusd', event: 'data' });
    expect(() => parseFrame(diff({ timestamp: '1', bids: [], asks: [] }), 'spot')).toThrow('bitstamp: diff_order_book_btcusd without integer "microtimestamp"');
    expect(() => parseFrame(diff({ microtimestamp: 'soon', bids: [], asks: [] }), 'spot')).toThrow('without integer "microtimestamp"');
    expect(() => parseFrame(diff({ microtimestamp: '1', asks: [] }), 'spot')).toThrow('bitstamp: diff_order_book_btcusd without "bids" array');
    expect(() => parseFrame(diff({ microtimestamp: '1', bids: [] }), 'spot')).toThrow('without "asks" array');
    expect(() => parseFrame(diff(null), 'spot')).toThrow('bitstamp: diff_order_book_btcusd without "data" object');
    expect(() => parseFrame('{"data":{},"event":"data"}', 'spot')).toThrow('bitstamp: data event without "channel"');
  });
});

describe('parseFrame: live_trades', () => {
  const trade = (over: Record<string, unknown> = {}) =>
    JSON.stringify({
      data: {
        id: 216000477, timestamp: '1641343699', amount: 0.0792, amount_str: '0.07920000', price: 3805.44, price_str: '3805.44',
        type: 0, microtimestamp: '1641343699596000', buy_order_id: 1443875737346049, sell_order_id: 1443875731320832, ...over,
      },
      channel: 'live_trades_ethusd',
      event: 'trade',
    });

  it('maps a trade: the _str fields, type 0 = the taker bought (spec §7 example)', () => {
    expect(parseFrame(trade(), 'spot')).toStrictEqual([
      { kind: 'trade', symbol: 'ethusd', id: '216000477', side: 'buy', price: '3805.44', size: '0.07920000', time: 1641343699596000 },
    ]);
  });

  it('type 1 = the taker sold', () => {
    expect(parseFrame(trade({ type: 1, id: 216000484 }), 'spot')).toMatchObject([{ id: '216000484', side: 'sell' }]);
  });

  it('throws on a trade without a known side, price text or id', () => {
    expect(() => parseFrame(trade({ type: 2 }), 'spot')).toThrow('bitstamp: live_trades_ethusd trade with "type" 2 (0 = buy, 1 = sell)');
    expect(() => parseFrame(trade({ type: '0' }), 'spot')).toThrow('with "type" "0"');
    expect(() => parseFrame(trade({ price_str: undefined }), 'spot')).toThrow('bitstamp: live_trades_ethusd trade without "price_str"');
    expect(() => parseFrame(trade({ amount_str: 0.0792 }), 'spot')).toThrow('without "amount_str"');
    expect(() => parseFrame(trade({ id: null }), 'spot')).toThrow('trade without "id"');
    expect(() => parseFrame(trade({ microtimestamp: undefined }), 'spot')).toThrow('bitstamp: live_trades_ethusd without integer "microtimestamp"');
  });
});

describe('parseFrame: bts events', () => {
  it('acks subscribe and unsubscribe answers, naming the market of the channel (no request id comes back)', () => {
    expect(parseFrame('{"event":"bts:subscription_succeeded","channel":"diff_order_book_btcusd","data":{}}', 'spot')).toStrictEqual([{ kind: 'ack', symbol: 'btcusd' }]);
    expect(parseFrame('{"event":"bts:unsubscription_succeeded","channel":"live_trades_ethbtc","data":{}}', 'spot')).toStrictEqual([{ kind: 'ack', symbol: 'ethbtc' }]);
    expect(parseFrame('{"event":"bts:subscription_succeeded","channel":"order_book_btcusd","data":{}}', 'spot')).toStrictEqual([{ kind: 'ack' }]);
  });

  it('reports bts:error with its message (and code); the market only when the channel names one', () => {
    expect(parseFrame('{"event":"bts:error","channel":"","data":{"code":null,"message":"Bad subscription string."}}', 'spot')).toStrictEqual([
      { kind: 'error', message: 'Bad subscription string.' },
    ]);
    expect(parseFrame('{"event":"bts:error","channel":"","data":{"code":4009,"message":"Invalid token."}}', 'spot')).toStrictEqual([
      { kind: 'error', message: 'code 4009: Invalid token.' },
    ]);
    expect(parseFrame('{"event":"bts:error","channel":"diff_order_book_btcusdx","data":{"code":null,"message":"Invalid channel provided."}}', 'spot')).toStrictEqual([
      { kind: 'error', message: 'Invalid channel provided.', symbol: 'btcusdx' },
    ]);
    expect(parseFrame('{"event":"bts:error","channel":""}', 'spot')).toStrictEqual([{ kind: 'error', message: 'unspecified error' }]);
  });

  it('turns the heartbeat answer into a heartbeat', () => {
    expect(parseFrame('{"event":"bts:heartbeat","channel":"","data":{"status":"success"}}', 'spot')).toStrictEqual([{ kind: 'heartbeat' }]);
  });

  it('asks for a reconnect on bts:request_reconnect, whatever its data', () => {
    const reconnect = [{ kind: 'reconnect', reason: 'bitstamp: bts:request_reconnect (server going into maintenance)' }];
    expect(parseFrame('{"event":"bts:request_reconnect","channel":"","data":""}', 'spot')).toStrictEqual(reconnect);
    expect(parseFrame('{"event":"bts:request_reconnect","channel":"","data":{}}', 'spot')).toStrictEqual(reconnect);
    expect(parseFrame('{"event":"bts:request_reconnect","channel":"","data":null}', 'spot')).toStrictEqual(reconnect);
  });

  it('returns nothing for well-formed events it was not asked for', () => {
    expect(parseFrame('{"event":"bts:something_new","channel":"","data":{}}', 'spot')).toStrictEqual([]);
    expect(parseFrame('{"event":"trade","channel":"funding_rate_btcusd-perp","data":{}}', 'spot')).toStrictEqual([]);
  });

  it('throws on frames it cannot read', () => {
    expect(() => parseFrame('not json', 'spot')).toThrow('bitstamp: frame is not JSON: not json');
    expect(() => parseFrame('[1]', 'spot')).toThrow('bitstamp: frame is not an object');
    expect(() => parseFrame('null', 'spot')).toThrow('bitstamp: frame is not an object');
    expect(() => parseFrame('{"channel":"x","data":{}}', 'spot')).toThrow('bitstamp: frame without "event" text');
  });
});

describe('parseSnapshot', () => {
  const ethusd: Instrument = { venue: 'bitstamp', type: 'spot', symbol: 'ethusd', base: 'ETH', quote: 'USD', tickSize: '0.01', trading: true, status: 'Enabled' };

  it('reads the full book: microtimestamp is the sequence and the time, levels as text', () => {
    const body = '{"timestamp":"1641343695","microtimestamp":"1641343695681418","bids":[["3802.90","0.60000000"],["3802.89","3.23948640"]],"asks":[["3805.44","1.00000000"]]}';
    expect(parseSnapshot(body, ethusd)).toStrictEqual({
      kind: 'snapshot', symbol: 'ethusd',
      bids: [['3802.90', '0.60000000'], ['3802.89', '3.23948640']], asks: [['3805.44', '1.00000000']],
      sequence: 1641343695681418, time: 1641343695681418,
    });
  });

  it('throws on error bodies and missing fields', () => {
    expect(() => parseSnapshot('{"status":"error","reason":"Invalid currency pair.","code":"API0001"}', ethusd)).toThrow(
      'bitstamp: order book snapshot for ethusd failed: "Invalid currency pair."',
    );
    expect(() => parseSnapshot('{"timestamp":"1","bids":[],"asks":[]}', ethusd)).toThrow('bitstamp: order book snapshot for ethusd without integer "microtimestamp"');
    expect(() => parseSnapshot('{"microtimestamp":"1","bids":[]}', ethusd)).toThrow('without "asks" array');
    expect(() => parseSnapshot('<html>', ethusd)).toThrow('is not JSON');
    expect(() => parseSnapshot('[]', ethusd)).toThrow('is not an object');
  });
});

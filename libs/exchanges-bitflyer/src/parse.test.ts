import { OrderBook } from '@level4/orderbook';
import { describe, expect, it } from 'vitest';
import { checkMid, midPriceMatches, verifyMid } from './checksum.js';
import { parseFrame } from './parse.js';

const channelMessage = (channel: string, message: string) => `{"jsonrpc":"2.0","method":"channelMessage","params":{"channel":"${channel}","message":${message}}}`;

describe('parseFrame: board', () => {
  it('reads a snapshot, keeping every number as bitFlyer wrote it, with mid_price as the check', () => {
    const frame = channelMessage('lightning_board_snapshot_ETH_JPY', '{"mid_price":471328.0,"bids":[{"price":471156.0,"size":0.02675395},{"price":471155.0,"size":1e-8}],"asks":[{"price":471501.0,"size":0.1}]}');
    expect(parseFrame(frame, 'spot')).toEqual([
      { kind: 'snapshot', symbol: 'ETH_JPY', bids: [['471156.0', '0.02675395'], ['471155.0', '1e-8']], asks: [['471501.0', '0.1']], check: '471328.0' },
    ]);
  });

  it('reads a diff: absolute sizes, size 0 removes, an empty side changes nothing', () => {
    const frame = channelMessage('lightning_board_XRP_JPY', '{"mid_price":95.05,"bids":[],"asks":[{"price":95.1,"size":0}]}');
    expect(parseFrame(frame, 'spot')).toEqual([{ kind: 'delta', symbol: 'XRP_JPY', bids: [], asks: [['95.1', '0']], check: '95.05' }]);
  });

  it('drops price 0 (itayose) entries and reads levels of another shape by name', () => {
    const frame = channelMessage('lightning_board_BTC_JPY', '{"mid_price":100,"bids":[{"price":0,"size":3.2},{"price":99.0,"size":1}],"asks":[{"size":2, "price":101}]}');
    expect(parseFrame(frame, 'spot')).toEqual([{ kind: 'delta', symbol: 'BTC_JPY', bids: [['99.0', '1']], asks: [['101', '2']], check: '100' }]);
  });

  it('ignores tickers and unknown notifications; extra fields are ignored', () => {
    expect(parseFrame(channelMessage('lightning_ticker_BTC_JPY', '{"product_code":"BTC_JPY","state":"RUNNING"}'), 'spot')).toEqual([]);
    expect(parseFrame('{"jsonrpc":"2.0","method":"somethingNew","params":{}}', 'spot')).toEqual([]);
    expect(parseFrame(channelMessage('lightning_board_BTC_JPY', '{"extra":{"a":[1,true,null,"x\\"y"]},"mid_price":1,"bids":[],"asks":[]}'), 'spot')).toHaveLength(1);
  });

  it('throws, naming the venue and the fault, on frames it cannot read', () => {
    expect(() => parseFrame('not json', 'spot')).toThrow(/^bitflyer: frame is not JSON/);
    expect(() => parseFrame('{"a":1} x', 'spot')).toThrow(/^bitflyer: frame is not JSON/);
    expect(() => parseFrame('42', 'spot')).toThrow('bitflyer: frame is not a JSON object: "42"');
    expect(() => parseFrame('{"jsonrpc":"2.0"}', 'spot')).toThrow(/^bitflyer: frame without "method", "result" or "error"/);
    expect(() => parseFrame('{"method":"channelMessage"}', 'spot')).toThrow('bitflyer: channelMessage without "params"');
    expect(() => parseFrame(channelMessage('lightning_board_BTC_JPY', '{"bids":[],"asks":[]}'), 'spot')).toThrow('bitflyer: lightning_board_BTC_JPY without "mid_price"');
    expect(() => parseFrame(channelMessage('lightning_board_BTC_JPY', '{"mid_price":1,"bids":{},"asks":[]}'), 'spot')).toThrow('bitflyer: lightning_board_BTC_JPY without "bids"/"asks" arrays');
    expect(() => parseFrame(channelMessage('lightning_board_BTC_JPY', '{"mid_price":1,"bids":[{"size":1}],"asks":[]}'), 'spot')).toThrow(/level without "price" or "size"/);
    expect(() => parseFrame(channelMessage('lightning_board_BTC_JPY', '[]'), 'spot')).toThrow(/without "bids"\/"asks" arrays/);
  });
});

describe('parseFrame: executions', () => {
  const execution = (side: string) =>
    `{"id":2284078760,"side":"${side}","price":95.96,"size":918.992246,"exec_date":"2021-12-12T23:05:30.0946265Z","buy_child_order_acceptance_id":"JRF1","sell_child_order_acceptance_id":"JRF2"}`;

  it('one trade per execution of the batch; side is the taker side; exec_date to µs', () => {
    expect(parseFrame(channelMessage('lightning_executions_XRP_JPY', `[${execution('SELL')},${execution('BUY')}]`), 'spot')).toEqual([
      { kind: 'trade', symbol: 'XRP_JPY', id: '2284078760', side: 'sell', price: '95.96', size: '918.992246', time: 1639350330094626 },
      { kind: 'trade', symbol: 'XRP_JPY', id: '2284078760', side: 'buy', price: '95.96', size: '918.992246', time: 1639350330094626 },
    ]);
  });

  it('leaves out itayose executions (side ""), which have no taker side', () => {
    expect(parseFrame(channelMessage('lightning_executions_XRP_JPY', `[${execution('')}]`), 'spot')).toEqual([]);
  });

  it('throws on an unknown side, a bad date or a missing field', () => {
    expect(() => parseFrame(channelMessage('lightning_executions_XRP_JPY', `[${execution('HOLD')}]`), 'spot')).toThrow('bitflyer: lightning_executions_XRP_JPY execution 2284078760 with side "HOLD"');
    expect(() => parseFrame(channelMessage('lightning_executions_XRP_JPY', '[{"id":1,"side":"BUY","price":1,"size":1,"exec_date":"yesterday"}]'), 'spot')).toThrow(/with exec_date "yesterday"/);
    expect(() => parseFrame(channelMessage('lightning_executions_XRP_JPY', '[{"id":1,"side":"BUY","size":1,"exec_date":"x"}]'), 'spot')).toThrow(/execution without/);
    expect(() => parseFrame(channelMessage('lightning_executions_XRP_JPY', '{}'), 'spot')).toThrow('bitflyer: lightning_executions_XRP_JPY without a "message" array');
  });
});

describe('parseFrame: answers', () => {
  it('result true -> ack with the request id; error or result false -> error', () => {
    expect(parseFrame('{"jsonrpc":"2.0","id":7,"result":true}', 'spot')).toEqual([{ kind: 'ack', request: 7 }]);
    expect(parseFrame('{"jsonrpc":"2.0","id":7,"result":false}', 'spot')).toEqual([{ kind: 'error', message: 'request refused (result false)', request: 7 }]);
    expect(parseFrame('{"jsonrpc":"2.0","id":8,"error":{"code":-32602,"message":"Invalid params"}}', 'spot')).toEqual([{ kind: 'error', message: 'Invalid params (code -32602)', request: 8 }]);
    expect(parseFrame('{"jsonrpc":"2.0","result":true}', 'spot')).toEqual([{ kind: 'ack' }]);
  });

  it('a batch answer is one ack, or its first error', () => {
    expect(parseFrame('[{"jsonrpc":"2.0","id":3,"result":true},{"jsonrpc":"2.0","id":3,"result":true}]', 'spot')).toEqual([{ kind: 'ack', request: 3 }]);
    expect(parseFrame('[{"jsonrpc":"2.0","id":3,"result":true},{"jsonrpc":"2.0","id":3,"error":{"message":"no such channel"}}]', 'spot')).toEqual([{ kind: 'error', message: 'no such channel', request: 3 }]);
    expect(() => parseFrame('[1]', 'spot')).toThrow(/batch answer with a non-object entry/);
  });
});

describe('mid_price check', () => {
  it('holds when the venue mid is the book mid rounded down to the tick (spec example 471156 / 471501 -> 471328.0)', () => {
    expect(checkMid('471156.0', '471501.0', '471328.0', '1')).toBe(true);
    expect(checkMid('471156.0', '471501.0', '471329.0', '1')).toBe(false);
    expect(checkMid('471156.0', '471501.0', '471327.0', '1')).toBe(false);
    expect(checkMid('95.0', '95.11', '95.05', '0.01')).toBe(true); // 95.055
    expect(checkMid('95.0', '95.11', '95.06', '0.01')).toBe(false);
    expect(checkMid('0.00919', '0.00923', '0.00921', '0.00001')).toBe(true);
    expect(checkMid('0.00919', '0.00924', '0.00921', '0.00001')).toBe(true); // 0.009215
  });

  it('the BigInt rule agrees on long and exponent text; no tick means no check', () => {
    expect(midPriceMatches('12345678901234567.5', '12345678901234568.5', '12345678901234568', '1')).toBe(true);
    expect(checkMid('12345678901234567.5', '12345678901234568.5', '12345678901234569', '1')).toBe(false);
    expect(midPriceMatches('1e-5', '3e-5', '0.00002', '0.00001')).toBe(true);
    expect(checkMid('1', '3', '2', '0')).toBe(true);
    expect(checkMid('1', '3', 'x', '1')).toBe(false);
  });

  it('verifyMid reads the book; a one-sided book has no mid and passes', () => {
    const book = new OrderBook();
    book.applySnapshot({ bids: [['100.0', '1']], asks: [] });
    expect(verifyMid(book, '5', '1')).toBe(true);
    book.applyDelta('ask', '103.0', '1');
    expect(verifyMid(book, '101.0', '1')).toBe(true);
    expect(verifyMid(book, '102.0', '1')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { parseFrame } from './parse.js';

// Frames shaped from the spec (shared/exchanges/coinbase.md) and the 2026-08-09 recording, shortened.
const frame = (value: unknown): string => JSON.stringify(value);
const envelope = (channel: string, sequence_num: number, events: unknown[]) => ({ channel, client_id: '', timestamp: '2026-04-07T14:30:01.456789Z', sequence_num, events });
const TIME = Date.parse('2026-04-07T14:30:01Z') * 1000 + 456789;
const level = (side: string, price_level: string, new_quantity: string) => ({ side, event_time: '1970-01-01T00:00:00Z', price_level, new_quantity });

describe('l2_data frames', () => {
  it('a snapshot event holds the whole book (unsorted, both sides in one array); the frame counts on the connection first', () => {
    const messages = parseFrame(
      frame(envelope('l2_data', 13, [{ type: 'snapshot', product_id: 'BTC-USD', updates: [level('bid', '68900.00', '1.5'), level('offer', '68901.00', '0.5'), level('bid', '68899.50', '0.75')] }])),
      'spot',
    );
    expect(messages).toEqual([
      { kind: 'connection-sequence', value: 13 },
      { kind: 'snapshot', symbol: 'BTC-USD', bids: [['68900.00', '1.5'], ['68899.50', '0.75']], asks: [['68901.00', '0.5']], sequence: 13, time: TIME },
    ]);
  });

  it('an update carries absolute sizes ("0" in any spelling removes), text as sent, the frame number as last', () => {
    const [, delta] = parseFrame(
      frame(envelope('l2_data', 14, [{ type: 'update', product_id: 'BTC-USD', updates: [level('bid', '68900.00', '2.00000000'), level('offer', '68901.00', '0.00000000')] }])),
      'spot',
    );
    expect(delta).toEqual({ kind: 'delta', symbol: 'BTC-USD', bids: [['68900.00', '2.00000000']], asks: [['68901.00', '0.00000000']], last: 14, time: TIME });
  });

  it('routes every event of a frame by its own product_id', () => {
    const messages = parseFrame(
      frame(envelope('l2_data', 7, [
        { type: 'update', product_id: 'ETH-USD', updates: [level('bid', '1919.4', '1')] },
        { type: 'update', product_id: 'BTC-USD', updates: [] },
      ])),
      'spot',
    );
    expect(messages.map((m) => [m.kind, 'symbol' in m ? m.symbol : undefined])).toEqual([
      ['connection-sequence', undefined],
      ['delta', 'ETH-USD'],
      ['delta', 'BTC-USD'],
    ]);
  });

  it('throws, saying what is wrong, on a book frame it cannot read', () => {
    const ok = { type: 'update', product_id: 'BTC-USD', updates: [level('bid', '1', '1')] };
    expect(() => parseFrame(frame(envelope('l2_data', 1, [{ ...ok, product_id: undefined }])), 'spot')).toThrow('coinbase: l2_data event without "product_id"');
    expect(() => parseFrame(frame(envelope('l2_data', 1, [{ ...ok, updates: {} }])), 'spot')).toThrow('l2_data event of BTC-USD without an "updates" array');
    expect(() => parseFrame(frame(envelope('l2_data', 1, [{ ...ok, updates: [level('ask', '1', '1')] }])), 'spot')).toThrow('l2_data level of BTC-USD with side "ask"');
    expect(() => parseFrame(frame(envelope('l2_data', 1, [{ ...ok, type: 'partial' }])), 'spot')).toThrow('of type "partial"');
    expect(() => parseFrame(frame({ ...envelope('l2_data', 1, [ok]), timestamp: 'yesterday' }), 'spot')).toThrow('l2_data frame with timestamp "yesterday"');
  });
});

describe('market_trades frames', () => {
  const fill = (trade_id: string, side: string) => ({ product_id: 'BTC-USD', trade_id, price: '65083.67', size: '0.01034361', time: '2026-08-09T21:05:48.167634Z', side });

  it('one trade per fill; Coinbase names the maker side, so BUY is a taker sell and SELL a taker buy', () => {
    const messages = parseFrame(frame(envelope('market_trades', 9, [{ type: 'update', trades: [fill('1068572091', 'SELL'), fill('1068572092', 'BUY')] }])), 'spot');
    const time = Date.parse('2026-08-09T21:05:48Z') * 1000 + 167634;
    expect(messages).toEqual([
      { kind: 'connection-sequence', value: 9 },
      { kind: 'trade', symbol: 'BTC-USD', id: '1068572091', side: 'buy', price: '65083.67', size: '0.01034361', time },
      { kind: 'trade', symbol: 'BTC-USD', id: '1068572092', side: 'sell', price: '65083.67', size: '0.01034361', time },
    ]);
  });

  it('the snapshot of recent trades sent on subscribe is history, not new prints', () => {
    expect(parseFrame(frame(envelope('market_trades', 0, [{ type: 'snapshot', trades: [fill('1', 'BUY')] }])), 'spot')).toEqual([{ kind: 'connection-sequence', value: 0 }]);
  });

  it('throws on a fill without its fields, with an unknown side or time', () => {
    const trades = (t: unknown) => frame(envelope('market_trades', 1, [{ type: 'update', trades: [t] }]));
    expect(() => parseFrame(trades({ ...fill('1', 'BUY'), price: 1 }), 'spot')).toThrow('coinbase: market_trades trade without trade_id, product_id, price, size or time');
    expect(() => parseFrame(trades(fill('1', 'buy')), 'spot')).toThrow('market_trades trade 1 with side "buy"');
    expect(() => parseFrame(trades({ ...fill('1', 'BUY'), time: 'now' }), 'spot')).toThrow('market_trades trade 1 with time "now"');
    expect(() => parseFrame(frame(envelope('market_trades', 1, [{ type: 'update' }])), 'spot')).toThrow('without a "trades" array');
  });
});

describe('ticker frames', () => {
  it('the venue’s best bid and ask per product, for the engine to compare with the book', () => {
    const ticker = { type: 'ticker', product_id: 'BTC-USD', price: '65086.18', best_bid: '65083.66', best_ask: '65083.67', best_bid_quantity: '0.20371215', best_ask_quantity: '0.24290402' };
    expect(parseFrame(frame(envelope('ticker', 6, [{ type: 'snapshot', tickers: [ticker] }])), 'spot')).toEqual([
      { kind: 'connection-sequence', value: 6 },
      { kind: 'top', symbol: 'BTC-USD', bid: ['65083.66', '0.20371215'], ask: ['65083.67', '0.24290402'], time: TIME },
    ]);
    // A side without a price is left out (not compared).
    const [, top] = parseFrame(frame(envelope('ticker', 7, [{ type: 'update', tickers: [{ ...ticker, best_ask: '' }] }])), 'spot');
    expect(top).toEqual({ kind: 'top', symbol: 'BTC-USD', bid: ['65083.66', '0.20371215'], time: TIME });
  });
});

describe('heartbeats, acks, errors and everything else', () => {
  it('a heartbeat is proof of life and counts on the connection (counter as number or text)', () => {
    const beat = { current_time: '2026-09-07 23:37:22.674409 +0000 UTC m=+139651.272674714', heartbeat_counter: 139651 };
    expect(parseFrame(frame(envelope('heartbeats', 3, [beat])), 'spot')).toEqual([{ kind: 'connection-sequence', value: 3 }, { kind: 'heartbeat' }]);
    expect(parseFrame(frame(envelope('heartbeats', 4, [{ ...beat, heartbeat_counter: '139652' }])), 'spot')).toEqual([{ kind: 'connection-sequence', value: 4 }, { kind: 'heartbeat' }]);
  });

  it('the subscriptions list is an ack without request (Coinbase echoes no id)', () => {
    expect(parseFrame(frame(envelope('subscriptions', 1, [{ subscriptions: { level2: ['BTC-USD'] } }])), 'spot')).toEqual([{ kind: 'connection-sequence', value: 1 }, { kind: 'ack' }]);
  });

  it('an error frame has no envelope: an error with the message (and the reason when given)', () => {
    expect(parseFrame('{"type":"error","message":"failure to subscribe"}', 'spot')).toEqual([{ kind: 'error', message: 'failure to subscribe' }]);
    expect(parseFrame('{"type":"error","message":"Failed to subscribe","reason":"BTC-USDX is not a valid product"}', 'spot')).toEqual([
      { kind: 'error', message: 'Failed to subscribe: BTC-USDX is not a valid product' },
    ]);
  });

  it('channels level4 did not ask for still count on the connection, and give nothing else', () => {
    expect(parseFrame(frame(envelope('candles', 3, [{ type: 'snapshot', candles: [] }])), 'spot')).toEqual([{ kind: 'connection-sequence', value: 3 }]);
  });

  it('throws on text that is not a Coinbase frame', () => {
    expect(() => parseFrame('{"channel":', 'spot')).toThrow('coinbase: frame is not JSON');
    expect(() => parseFrame('[1]', 'spot')).toThrow('coinbase: frame is not a JSON object');
    expect(() => parseFrame('{"hello":1}', 'spot')).toThrow('coinbase: frame without "channel"');
    expect(() => parseFrame(frame({ ...envelope('l2_data', 1, []), sequence_num: '1' }), 'spot')).toThrow('coinbase: l2_data frame without an integer "sequence_num"');
    expect(() => parseFrame(frame({ channel: 'heartbeats', sequence_num: 1 }), 'spot')).toThrow('coinbase: heartbeats frame without an "events" array');
  });
});

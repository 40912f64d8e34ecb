import { describe, expect, it } from 'vitest';
import { parseFrame } from './parse.js';

// Frames written from the shapes in the spec (shared/exchanges/poloniex.md), shortened to a few levels.
const frame = (value: unknown): string => JSON.stringify(value);
const book = (action: string, data: unknown[]) => frame({ channel: 'book_lv2', data, action });

describe('order book frames (book_lv2)', () => {
  it('a snapshot carries the top-20 book, its id as sequence and createTime as time', () => {
    const messages = parseFrame(
      book('snapshot', [
        {
          symbol: 'BTC_USDT',
          createTime: 1661123515950,
          asks: [['21617.15', '0.34'], ['21620', '1']],
          bids: [['21614.59', '0.011'], ['21600.1', '2.5']],
          lastId: 4485675,
          id: 4485676,
          ts: 1661123517823,
        },
      ]),
      'spot',
    );
    expect(messages).toEqual([
      {
        kind: 'snapshot',
        symbol: 'BTC_USDT',
        bids: [['21614.59', '0.011'], ['21600.1', '2.5']],
        asks: [['21617.15', '0.34'], ['21620', '1']],
        sequence: 4485676,
        time: 1661123515950000,
      },
    ]);
  });

  it('an update carries changed levels (absolute sizes, "0" removes), id as last and lastId as prev, text kept as sent', () => {
    const [delta] = parseFrame(
      book('update', [{ symbol: 'BTC_USDT', createTime: 1661123517832, asks: [['21617.15', '0.34']], bids: [], lastId: 4485675, id: 4485676, ts: 1661123517837 }]),
      'spot',
    );
    expect(delta).toEqual({ kind: 'delta', symbol: 'BTC_USDT', bids: [], asks: [['21617.15', '0.34']], last: 4485676, prev: 4485675, time: 1661123517832000 });
  });

  it('passes the level arrays through untouched when no delete follows a set', () => {
    const asks = [['36.842', '0'], ['47', '1']];
    const bids = [['36.55', '2.5'], ['36.5', '1']];
    const [delta] = parseFrame(book('update', [{ symbol: 'SOL_USDT', createTime: 1, asks, bids, lastId: 1, id: 2 }]), 'spot');
    expect(delta).toMatchObject({ asks, bids });
  });

  it('hands the levels over as sent, deletes and sets in the venue’s order (the engine trims the window after the message)', () => {
    const [delta] = parseFrame(
      book('update', [
        {
          symbol: 'SOL_USDT',
          createTime: 1,
          asks: [['36.842', '353.838425'], ['36.9', '0.000'], ['40', '2'], ['47', '0']],
          bids: [['36.7', '1'], ['36.6', '0']],
          lastId: 1,
          id: 2,
        },
      ]),
      'spot',
    );
    expect(delta).toMatchObject({
      asks: [['36.842', '353.838425'], ['36.9', '0.000'], ['40', '2'], ['47', '0']],
      bids: [['36.7', '1'], ['36.6', '0']],
    });
  });

  it('one message per element of data; ids are not required to step by one', () => {
    const messages = parseFrame(
      book('update', [
        { symbol: 'BTC_USDT', createTime: 1, asks: [], bids: [['1', '2']], lastId: 10, id: 15 },
        { symbol: 'ETH_USDT', createTime: 2, asks: [], bids: [], lastId: 40, id: 41 },
      ]),
      'spot',
    );
    expect(messages.map((m) => [m.kind, 'symbol' in m ? m.symbol : '', 'prev' in m ? m.prev : 0, 'last' in m ? m.last : 0])).toEqual([
      ['delta', 'BTC_USDT', 10, 15],
      ['delta', 'ETH_USDT', 40, 41],
    ]);
  });

  it('ignores extra fields, channels level4 does not subscribe and book actions it does not know', () => {
    const [delta] = parseFrame(frame({ channel: 'book_lv2', extra: 1, action: 'update', data: [{ symbol: 'A_B', asks: [], bids: [], lastId: 1, id: 2, x: 'y' }] }), 'spot');
    expect(delta).toMatchObject({ kind: 'delta', symbol: 'A_B', last: 2, prev: 1, time: undefined });
    expect(parseFrame(frame({ channel: 'book', data: [{ symbol: 'BTC_USDT', asks: [], bids: [] }] }), 'spot')).toEqual([]);
    expect(parseFrame(frame({ channel: 'ticker', data: [] }), 'spot')).toEqual([]);
    expect(parseFrame(book('reset', []), 'spot')).toEqual([]);
  });

  it('throws, saying what is missing, on a book frame it cannot read', () => {
    const ok = { symbol: 'BTC_USDT', createTime: 1, asks: [], bids: [], lastId: 1, id: 2 };
    expect(() => parseFrame(frame({ channel: 'book_lv2', data: [ok] }), 'spot')).toThrow('poloniex: book_lv2 without "action"');
    expect(() => parseFrame(frame({ channel: 'book_lv2', action: 'update', data: ok }), 'spot')).toThrow('poloniex: book_lv2 update without a "data" array');
    expect(() => parseFrame(book('update', [null]), 'spot')).toThrow('poloniex: book_lv2 update entry is not an object');
    expect(() => parseFrame(book('update', [{ ...ok, symbol: undefined }]), 'spot')).toThrow('poloniex: book_lv2 update without "symbol"');
    expect(() => parseFrame(book('snapshot', [{ ...ok, id: '2' }]), 'spot')).toThrow('poloniex: book_lv2 BTC_USDT without version "id"');
    expect(() => parseFrame(book('update', [{ ...ok, lastId: null }]), 'spot')).toThrow('poloniex: book_lv2 BTC_USDT update without "lastId"');
    expect(() => parseFrame(book('update', [{ ...ok, asks: {} }]), 'spot')).toThrow('poloniex: book_lv2 BTC_USDT without "asks"/"bids" arrays');
  });
});

describe('trade frames', () => {
  it('one trade per entry, size = quantity (base, not the quote amount), side = takerSide, id as text', () => {
    const messages = parseFrame(
      frame({
        channel: 'trades',
        data: [
          { symbol: 'BTC_USDT', amount: '248.3516391', quantity: '0.01149', takerSide: 'sell', createTime: 1661123520381, price: '21614.59', id: '60184114', ts: 1661123520386 },
          { symbol: 'BTC_USDT', amount: '130.14963495', quantity: '0.006021', takerSide: 'buy', createTime: 1661123528888, price: '21615.95', id: 60184115, ts: 1661123528893 },
        ],
      }),
      'spot',
    );
    expect(messages).toEqual([
      { kind: 'trade', symbol: 'BTC_USDT', id: '60184114', side: 'sell', price: '21614.59', size: '0.01149', time: 1661123520381000 },
      { kind: 'trade', symbol: 'BTC_USDT', id: '60184115', side: 'buy', price: '21615.95', size: '0.006021', time: 1661123528888000 },
    ]);
  });

  it('throws on a trade without its fields or with an unknown taker side', () => {
    const fill = { symbol: 'BTC_USDT', amount: '1', quantity: '1', takerSide: 'buy', createTime: 1, price: '1', id: '5', ts: 2 };
    const trades = (data: unknown): string => frame({ channel: 'trades', data });
    expect(() => parseFrame(trades(fill), 'spot')).toThrow('poloniex: trades without a "data" array');
    expect(() => parseFrame(trades([1]), 'spot')).toThrow('poloniex: trades entry is not an object');
    expect(() => parseFrame(trades([{ ...fill, symbol: 1 }]), 'spot')).toThrow('poloniex: trades entry without "symbol"');
    expect(() => parseFrame(trades([{ ...fill, price: 1 }]), 'spot')).toThrow('trade without "id", "price", "quantity" or "createTime"');
    expect(() => parseFrame(trades([{ ...fill, quantity: undefined }]), 'spot')).toThrow('trade without "id", "price", "quantity" or "createTime"');
    expect(() => parseFrame(trades([{ ...fill, takerSide: 'BUY' }]), 'spot')).toThrow('poloniex: trades BTC_USDT trade 5 with takerSide "BUY"');
  });
});

describe('answers, pongs and everything else', () => {
  it('a subscribe or unsubscribe answer is an ack (Poloniex echoes no request id)', () => {
    expect(parseFrame(frame({ event: 'subscribe', channel: 'book_lv2', symbols: ['BTC_USDT', 'ETH_USDT'] }), 'spot')).toEqual([{ kind: 'ack' }]);
    expect(parseFrame(frame({ event: 'unsubscribe', channel: 'trades', symbols: ['ETH_USDT'] }), 'spot')).toEqual([{ kind: 'ack' }]);
  });

  it('an answer with a message, or an error event, is an error naming what the venue said', () => {
    expect(parseFrame(frame({ event: 'subscribe', channel: 'book_lv2', symbols: ['X_Y'], message: 'Subscription failed' }), 'spot')).toEqual([
      { kind: 'error', message: 'subscribe failed: Subscription failed' },
    ]);
    expect(parseFrame(frame({ event: 'error', message: 'Already subscribed' }), 'spot')).toEqual([{ kind: 'error', message: 'Already subscribed' }]);
    expect(parseFrame(frame({ event: 'error' }), 'spot')).toEqual([{ kind: 'error', message: 'error' }]);
  });

  it('the pong to our ping is a heartbeat; other events are ignored', () => {
    expect(parseFrame('{"event":"pong"}', 'spot')).toEqual([{ kind: 'heartbeat' }]);
    expect(parseFrame(frame({ event: 'list_subscriptions', subscriptions: ['book_lv2'] }), 'spot')).toEqual([]);
  });

  it('throws on text that is not a Poloniex frame', () => {
    expect(() => parseFrame('{"channel":', 'spot')).toThrow('poloniex: frame is not JSON');
    expect(() => parseFrame('[1,2]', 'spot')).toThrow('poloniex: frame is not a JSON object');
    expect(() => parseFrame('null', 'spot')).toThrow('poloniex: frame is not a JSON object');
    expect(() => parseFrame('{"hello":1}', 'spot')).toThrow('poloniex: frame without "event" or "channel"');
    expect(() => parseFrame('{"event":5}', 'spot')).toThrow('poloniex: "event" is not text: 5');
  });
});

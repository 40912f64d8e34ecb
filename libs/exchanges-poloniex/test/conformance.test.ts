/**
 * Conformance: the real Poloniex spot v3 recording (../shared/fixtures/poloniex, see its README)
 * replayed over WebSocket and HTTP on 127.0.0.1 into the full feed engine with this adapter. The
 * recording holds its own `GET /markets` answer (524 markets, 2022 states), so every market is
 * resolved by base/quote through the real instrument path from the recorded body. The session
 * (11 symbols, `book_lv2` + `trades`) proves what the rebuilt books must show: every update chains
 * (`lastId` = previous `id`), no book crosses or holds more than 20 levels a side, each book ends
 * equal to the venue's window rebuilt independently from the frames, and each trade arrives once
 * with its taker side.
 */
import { join } from 'node:path';
import type { FeedSpec } from '@level4/feed';
import { capturesDir, readCapture, replayFeeds, spreadsOf, statusStory, tradesOf, unsoundSpreads, type CaptureLine } from '@level4/replay';
import { describe, expect, it } from 'vitest';
import { createPoloniexAdapter, POLONIEX_URLS } from '../src/index.js';

const dir = capturesDir(import.meta.dirname);
const FILE = 'poloniex_spot_v3_2022-08-21_book_lv2_trades_11symbols.jsonl';

type Level = [string, string];

interface BookEntry {
  readonly symbol: string;
  readonly createTime: number;
  readonly asks: Level[];
  readonly bids: Level[];
  readonly lastId: number;
  readonly id: number;
}

interface TradeEntry {
  readonly symbol: string;
  readonly id: string;
  readonly price: string;
  readonly quantity: string;
  readonly takerSide: 'buy' | 'sell';
  readonly createTime: number;
}

interface Frame {
  readonly event?: string;
  readonly channel?: string;
  readonly action?: 'snapshot' | 'update';
  readonly data?: unknown[];
}

/** The recording's symbols, in the order of its subscribe frames (the engine adds them in this order). */
const SYMBOLS = ['BCH_USDT', 'EFI_USDT', 'USDJ_USDT', 'DYP_USDT', 'SOL_USDT', 'MDT_BTC', 'GRT_USDT', 'GF_USDT', 'BCH_BTC', 'ZEC_USDT', 'BTC_USDT'];

/** The best bid and ask each book ends at, and its last `id` (from the recording's frames). */
const FINAL: Record<string, [bid: Level, ask: Level, id: number]> = {
  BCH_USDT: [['119.88', '48.449936'], ['120.24', '14.101117'], 1090057],
  EFI_USDT: [['0.1003', '296.2622'], ['0.1499', '13.3422'], 17007],
  USDJ_USDT: [['0.9996', '67.2095'], ['0.9998', '264.0257'], 74233],
  DYP_USDT: [['0.2002', '140.8591'], ['0.2999', '30.01'], 8554],
  SOL_USDT: [['36.64', '23.416953'], ['36.776', '353.838425'], 1838434],
  MDT_BTC: [['0.000001119', '4959'], ['0.000001368', '64'], 55346],
  GRT_USDT: [['0.1078', '1466.6410'], ['0.109', '876.9280'], 261156],
  GF_USDT: [['0.2303', '8.6843'], ['0.2999', '10.0033'], 19299],
  BCH_BTC: [['0.005532', '9.73'], ['0.00555', '0.01'], 1432838],
  ZEC_USDT: [['64.55', '1.839317'], ['65.99', '0.409002'], 158954],
  BTC_USDT: [['21599.85', '0.68'], ['21602.02', '0.68'], 4485905],
};

function frames(capture: readonly CaptureLine[]): Frame[] {
  return capture.filter((l) => l.dir === 'recv').map((l) => JSON.parse(l.data ?? '{}') as Frame);
}

/**
 * The venue's window rebuilt from the frames, independently of the engine: every level of every
 * message applied (keyed by numeric price), then each side cut to its best 20 after the message.
 */
function windows(recorded: readonly Frame[]): Map<string, { bid: Level[]; ask: Level[] }> {
  const books = new Map<string, { bid: Map<number, Level>; ask: Map<number, Level> }>();
  for (const f of recorded) {
    if (f.event !== undefined || f.channel !== 'book_lv2') continue;
    for (const d of f.data as BookEntry[]) {
      if (f.action === 'snapshot') books.set(d.symbol, { bid: new Map(), ask: new Map() });
      const book = books.get(d.symbol)!;
      for (const [side, levels] of [['bid', d.bids], ['ask', d.asks]] as const) {
        for (const level of levels) {
          if (Number(level[1]) === 0) book[side].delete(Number(level[0]));
          else book[side].set(Number(level[0]), level);
        }
        const kept = sorted(book[side], side).slice(0, 20);
        book[side] = new Map(kept.map((l) => [Number(l[0]), l]));
      }
    }
  }
  const out = new Map<string, { bid: Level[]; ask: Level[] }>();
  for (const [symbol, book] of books) out.set(symbol, { bid: sorted(book.bid, 'bid'), ask: sorted(book.ask, 'ask') });
  return out;
}

const sorted = (levels: Map<number, Level>, side: 'bid' | 'ask'): Level[] =>
  [...levels.entries()].sort(([a], [b]) => (side === 'bid' ? b - a : a - b)).map(([, l]) => l);

describe.skipIf(dir === undefined)('Poloniex recording through the replay server and the feed engine', () => {
  it(`${FILE}: 11 books chain on their snapshots, never cross, keep the venue's 20-level window and end at the recorded best prices; 6 trades once with the taker side`, async () => {
    const capture = await readCapture(join(dir!, 'poloniex', FILE));
    const recorded = frames(capture);
    const books = recorded.filter((f) => f.event === undefined && f.channel === 'book_lv2');
    const entries = (action: string) => books.filter((f) => f.action === action).flatMap((f) => f.data as BookEntry[]);
    // The README's facts: 11 snapshots (20 levels a side, DYP_USDT 11 bids), 283 updates, 6 trades frames.
    expect(entries('snapshot')).toHaveLength(11);
    expect(entries('snapshot').map((s) => [s.symbol, s.bids.length, s.asks.length]).filter(([, b, a]) => b !== 20 || a !== 20)).toEqual([['DYP_USDT', 11, 20]]);
    expect(entries('update')).toHaveLength(283);
    const fills = recorded.filter((f) => f.event === undefined && f.channel === 'trades').flatMap((f) => f.data as TradeEntry[]);
    expect(fills).toHaveLength(6);

    const markets: FeedSpec[] = SYMBOLS.map((symbol, n) => {
      const [base, quote] = symbol.split('_') as [string, string];
      return { id: n + 1, venue: 'poloniex', type: 'spot', base, quote };
    });
    const run = await replayFeeds({ capture, urls: POLONIEX_URLS, adapter: (urls) => createPoloniexAdapter({ urls }), markets });
    try {
      // Resolved by base/quote through the recorded market list.
      expect(run.server.requests).toEqual([{ url: '/markets', status: 200 }]);
      // One subscribe per channel for all 11 symbols, the very frames of the recording (it sent trades first).
      const sends = capture.filter((l) => l.dir === 'send').map((l) => l.data);
      expect(run.server.received.map((r) => r.data).sort()).toEqual([...sends].sort());
      expect(run.server.connections).toBe(1);

      const expected = windows(recorded);
      for (const market of markets) {
        const symbol = SYMBOLS[market.id - 1]!;
        const feed = run.feeds.get(market.id)!;
        expect(feed.instrument).toMatchObject({ venue: 'poloniex', type: 'spot', symbol, trading: true, status: 'NORMAL' });
        expect(feed.state).toBe('live');
        const updates = entries('update').filter((u) => u.symbol === symbol).length;
        const trades = fills.filter((t) => t.symbol === symbol).length;
        // Every update chained, nothing crossed or unreadable, never resynced.
        expect(feed.counters, symbol).toMatchObject({
          snapshots: 1,
          deltas: updates,
          gaps: 0,
          crossedBooks: 0,
          malformedFrames: 0,
          resyncs: 0,
          reconnects: 0,
          venueErrors: 0,
          checksumFailures: 0,
          topChecks: 0,
          trades,
        });
        const [bid, ask, id] = FINAL[symbol]!;
        expect(feed.sequence, symbol).toBe(id);

        const book = run.engine.book(market.id)!;
        expect(book.isCrossed()).toBe(false);
        expect([book.bestBid(), book.bestAsk()], symbol).toEqual([
          { price: bid[0], size: bid[1] },
          { price: ask[0], size: ask[1] },
        ]);
        // The whole window, level by level, equals the one rebuilt from the frames; every venue delete hit a held level.
        expect([...book.levels('bid')].map((l) => [l.price, l.size]), symbol).toEqual(expected.get(symbol)!.bid);
        expect([...book.levels('ask')].map((l) => [l.price, l.size]), symbol).toEqual(expected.get(symbol)!.ask);
        expect(book.missingRemovals, symbol).toBe(0);
        expect(book.levelCount('bid')).toBeLessThanOrEqual(20);
        expect(book.levelCount('ask')).toBeLessThanOrEqual(20);

        const spreads = spreadsOf(run.events, market.id);
        expect(spreads.at(-1), symbol).toMatchObject({ symbol, bidPrice: bid[0], bidSize: bid[1], askPrice: ask[0], askSize: ask[1] });
        expect(unsoundSpreads(run.events, market.id, { bothSides: true }), symbol).toEqual([]);
        expect(statusStory(run.events, market.id).map(([s]) => s)).toEqual(['starting', 'syncing', 'live']);
      }
      // The snapshot's createTime (ms) is the first Spread's exchange time (µs).
      const btc = entries('snapshot').find((s) => s.symbol === 'BTC_USDT')!;
      expect(spreadsOf(run.events, 11)[0]!.exchangeTime).toBe(btc.createTime * 1000);

      // Each recorded trade once, in order, with quantity as size and takerSide as side.
      const trades = SYMBOLS.flatMap((_, n) => tradesOf(run.events, n + 1)).sort((a, b) => a.exchangeTime - b.exchangeTime);
      expect(trades.map((t) => [t.symbol, t.tradeId, t.side, t.price, t.size, t.exchangeTime])).toEqual(
        fills.map((f) => [f.symbol, f.id, f.takerSide, f.price, f.quantity, f.createTime * 1000]),
      );
      expect(trades.map((t) => [t.tradeId, t.side])).toEqual([
        ['60184114', 'sell'],
        ['60040539', 'sell'],
        ['60184115', 'buy'],
        ['60013780', 'sell'],
        ['60184116', 'buy'],
        ['60184117', 'buy'],
      ]);
    } finally {
      await run.close();
    }
  });
});

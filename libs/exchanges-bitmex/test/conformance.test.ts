/**
 * Conformance: the real BitMEX recording (../shared/fixtures/bitmex, see its README) replayed over
 * WebSocket and HTTP on 127.0.0.1 into the full feed engine with this adapter. The recording holds
 * the instrument list the client fetched first (`GET /api/v1/instrument/active`), so every market
 * is resolved by base/quote from BitMEX's own list, as in production. It proves what the rebuilt
 * books must show: every update and delete names an id the book knows (legacy rows without price),
 * the book never crosses, BitMEX's `quote` table agrees with the rebuilt top of book every time,
 * and each recorded trade arrives once with its taker side.
 */
import { join } from 'node:path';
import type { MarketType } from '@level4/feed';
import { capturesDir, readCapture, replayFeeds, spreadsOf, statusStory, tradesOf, unsoundSpreads, type CaptureLine } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { BITMEX_URLS, bitmex, createBitmexAdapter } from '../src/index.js';

const dir = capturesDir(import.meta.dirname);

const LEGACY = 'bitmex_2021-07-22_orderBookL2_trade_quote_legacy-rows.jsonl';
const DOCS_EXAMPLE = 'bitmex_docs-example_orderBookL2_2023-format.jsonl';

interface Market {
  readonly id: number;
  readonly type: MarketType;
  readonly base: string;
  readonly quote: string;
  readonly symbol: string;
  /** The instrument as level4 reads it from the recorded list. */
  readonly instrument: Record<string, unknown>;
  /** insert/update/delete messages of the symbol after its partial: every one applied. */
  readonly deltas: number;
  /** `quote` messages of the symbol after its book's partial, each compared with the rebuilt top. */
  readonly topChecks: number;
  /** Levels per side at the end. */
  readonly bids: number;
  readonly asks: number;
  /** The final top of book: [bid price, bid size, ask price, ask size]. */
  readonly top: readonly [string, string, string, string];
  /** Trades recorded as `insert` rows (the `partial` on subscribe holds past trades: not published). */
  readonly trades: number;
}

const MARKETS: readonly Market[] = [
  {
    id: 1,
    type: 'inverse',
    base: 'BTC',
    quote: 'USD',
    symbol: 'XBTUSD',
    instrument: { tickSize: '0.5', contractSize: '1', trading: true, status: 'Open' },
    deltas: 1299,
    topChecks: 28,
    bids: 5557,
    asks: 3795,
    top: ['32186.5', '1407700', '32187', '36000'],
    trades: 15,
  },
  {
    id: 2,
    type: 'futures',
    base: 'SOL',
    quote: 'USDT',
    symbol: 'SOLUSDT',
    // A quanto contract: no base-asset size per contract.
    instrument: { tickSize: '0.001', trading: true, status: 'Open' },
    deltas: 141,
    topChecks: 8,
    bids: 143,
    asks: 60,
    top: ['27.47', '894', '27.503', '1'],
    trades: 0,
  },
  {
    id: 3,
    type: 'futures',
    base: 'XRP',
    quote: 'BTC',
    symbol: 'XRPU21',
    instrument: { tickSize: '0.00000001', contractSize: '1', expiry: Date.parse('2021-09-24T12:00:00.000Z'), trading: true, status: 'Open' },
    deltas: 5,
    topChecks: 1,
    bids: 116,
    asks: 92,
    top: ['0.00001814', '859', '0.00001819', '1703'],
    trades: 0,
  },
];

interface Recorded {
  readonly table?: string;
  readonly action?: string;
  readonly data?: Record<string, unknown>[];
}

function recvFrames(capture: readonly CaptureLine[]): Recorded[] {
  return capture.filter((line) => line.kind === 'ws' && line.dir === 'recv').map((line) => JSON.parse(line.data ?? '{}') as Recorded);
}

describe.skipIf(dir === undefined)('BitMEX recordings through the replay server and the feed engine', () => {
  it(`${LEGACY}: XBTUSD (inverse), SOLUSDT and XRPU21 (futures) stay in sync from the partial on, agree with every quote, and publish every trade once`, async () => {
    const capture = await readCapture(join(dir!, 'bitmex', LEGACY));
    const frames = recvFrames(capture);
    // The recording's own facts (README): legacy rows, 37 quote inserts, 1,448 book messages.
    expect(frames.filter((f) => f.table === 'quote' && f.action === 'insert')).toHaveLength(37);
    expect(frames.filter((f) => f.table === 'orderBookL2')).toHaveLength(1448);
    const updates = frames.filter((f) => f.table === 'orderBookL2' && f.action === 'update').flatMap((f) => f.data ?? []);
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((row) => row['price'] === undefined)).toBe(true);

    const run = await replayFeeds({
      capture,
      urls: BITMEX_URLS,
      adapter: (urls) => createBitmexAdapter({ urls }),
      markets: MARKETS.map((m) => ({ id: m.id, venue: 'bitmex', type: m.type, base: m.base, quote: m.quote })),
    });
    try {
      // Symbols come from BitMEX's instrument list (the recorded body), fetched for each type.
      expect(run.server.requests.length).toBeGreaterThan(0);
      for (const request of run.server.requests) expect(request).toEqual({ url: '/api/v1/instrument/active', status: 200 });
      // One socket per market type (inverse, futures), each replaying the recorded session.
      expect(run.server.connections).toBe(2);
      // Client frames are rate-limited: the last may reach the server after the replay is over.
      await vi.waitFor(() => {
        const subscribes = run.server.received.map((r) => JSON.parse(r.data) as unknown);
        expect(subscribes).toContainEqual({ op: 'subscribe', args: ['orderBookL2:XBTUSD', 'quote:XBTUSD', 'trade:XBTUSD'] });
        expect(subscribes).toContainEqual({
          op: 'subscribe',
          args: ['orderBookL2:SOLUSDT', 'quote:SOLUSDT', 'trade:SOLUSDT', 'orderBookL2:XRPU21', 'quote:XRPU21', 'trade:XRPU21'],
        });
      });

      let topChecks = 0;
      for (const m of MARKETS) {
        const feed = run.feeds.get(m.id)!;
        expect(feed.instrument).toMatchObject({ venue: 'bitmex', type: m.type, symbol: m.symbol, base: m.base, quote: m.quote, ...m.instrument });
        expect(feed.state).toBe('live');
        // Never crossed, no unknown id (it would count as malformed), never resynced, quotes all agree.
        expect(feed.counters).toMatchObject({
          gaps: 0,
          crossedBooks: 0,
          malformedFrames: 0,
          resyncs: 0,
          reconnects: 0,
          venueErrors: 0,
          checksumFailures: 0,
          snapshots: 1,
          deltas: m.deltas,
          topChecks: m.topChecks,
          topMismatches: 0,
          trades: m.trades,
        });
        topChecks += feed.counters.topChecks;

        const book = run.engine.book(m.id)!;
        expect(book.isCrossed()).toBe(false);
        expect([book.levelCount('bid'), book.levelCount('ask')]).toEqual([m.bids, m.asks]);
        const [bid, bidSize, ask, askSize] = m.top;
        expect(book.bestBid()).toMatchObject({ price: bid, size: bidSize });
        expect(book.bestAsk()).toMatchObject({ price: ask, size: askSize });
        expect(spreadsOf(run.events, m.id).at(-1)).toMatchObject({ bidPrice: bid, bidSize, askPrice: ask, askSize, symbol: m.symbol, venue: 'bitmex', marketType: m.type });
        expect(unsoundSpreads(run.events, m.id, { bothSides: true })).toEqual([]);
        expect(statusStory(run.events, m.id).map(([s]) => s)).toEqual(['starting', 'syncing', 'live']);

        // Every trade inserted after subscribe, once, in order, with the taker side and the row's time.
        const recorded = frames.filter((f) => f.table === 'trade' && f.action === 'insert').flatMap((f) => (f.data ?? []).filter((row) => row['symbol'] === m.symbol));
        expect(recorded).toHaveLength(m.trades);
        const trades = tradesOf(run.events, m.id);
        expect(trades.map((t) => [t.tradeId, t.side, t.price, t.size, t.exchangeTime, t.symbol, t.marketType])).toEqual(
          recorded.map((r) => [r['trdMatchID'], r['side'] === 'Buy' ? 'buy' : 'sell', String(r['price']), String(r['size']), Date.parse(r['timestamp'] as string) * 1000, m.symbol, m.type]),
        );
        expect(trades.map((t) => t.sequence)).toEqual(trades.map((_, n) => n + 1));
      }
      // The README's check: 37 of 37 quotes equal the rebuilt top of book.
      expect(topChecks).toBe(37);
      // All 15 trades were taker buys.
      expect(tradesOf(run.events, 1).every((t) => t.side === 'buy')).toBe(true);
    } finally {
      await run.close();
    }
  });

  it(`${DOCS_EXAMPLE}: the current row format (price and timestamp on every row, arbitrary id) reads as insert, update, delete of one level`, async () => {
    const frames = (await readCapture(join(dir!, 'bitmex', DOCS_EXAMPLE))).filter((l) => l.dir === 'recv').map((l) => l.data ?? '');
    expect(frames.map((f) => bitmex.parse(f, 'inverse'))).toEqual([
      [{ kind: 'delta', symbol: 'XBTUSD', bids: [['26902', '32800', '8798309800']], asks: [], time: Date.parse('2023-05-19T08:51:43.911Z') * 1000 }],
      // Update and delete go to the engine by id: the price comes from its id map.
      [{ kind: 'delta', symbol: 'XBTUSD', bids: [['', '42800', '8798309800']], asks: [], time: Date.parse('2023-05-19T08:51:44.911Z') * 1000 }],
      [{ kind: 'delta', symbol: 'XBTUSD', bids: [['', '0', '8798309800']], asks: [], time: Date.parse('2023-05-19T08:51:45.911Z') * 1000 }],
    ]);
  });
});

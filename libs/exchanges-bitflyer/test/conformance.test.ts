/**
 * Conformance: the real bitFlyer Lightning recording (../shared/fixtures/bitflyer, see its README)
 * replayed over WebSocket on 127.0.0.1 into the full feed engine with this adapter. The recording
 * holds bitFlyer's own `/v1/markets` answer, which the replay server serves to the engine's
 * instrument request. What it proves: the 7 diffs before their product's first snapshot are
 * dropped, every snapshot replaces the book, the book never crosses, and every board message's
 * `mid_price` (239) recomputes from the rebuilt book.
 */
import { join } from 'node:path';
import type { FeedSpec, VenueAdapter } from '@level4/feed';
import { capturesDir, readCapture, replayFeeds, spreadsOf, statusStory, tradesOf, unsoundSpreads, type CaptureLine } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { BITFLYER_URLS, createBitflyerAdapter } from '../src/index.js';

const dir = capturesDir(import.meta.dirname);
const FILE = 'bitflyer_spot_jsonrpc_2021-12-12_board_snapshot_executions_ticker_ETHJPY_XRPJPY_BCHBTC.jsonl';

interface Market {
  readonly id: number;
  readonly base: string;
  readonly quote: string;
  readonly symbol: string;
  readonly tick: string;
  /** Board snapshots and the diffs applied after the first of them (the README's counts, split per product). */
  readonly snapshots: number;
  readonly deltas: number;
  /** Best prices after the last board message (from the recording: the README lists none). */
  readonly bid: string;
  readonly ask: string;
}

const MARKETS: readonly Market[] = [
  { id: 1, base: 'ETH', quote: 'JPY', symbol: 'ETH_JPY', tick: '1', snapshots: 6, deltas: 133, bid: '472196.0', ask: '472542.0' },
  { id: 2, base: 'XRP', quote: 'JPY', symbol: 'XRP_JPY', tick: '0.01', snapshots: 6, deltas: 82, bid: '96.03', ask: '96.25' },
  { id: 3, base: 'BCH', quote: 'BTC', symbol: 'BCH_BTC', tick: '0.00001', snapshots: 6, deltas: 6, bid: '0.00919', ask: '0.00923' },
];

/** Executions after their product's book was live (the README's 14; the first two XRP_JPY ones came before). */
const SIDED = 14;

interface RecordedExecution {
  readonly id: number;
  readonly side: string;
  readonly exec_date: string;
}

/** Recorded frames of one channel, as parsed JSON (numbers as doubles: only for counting and ids). */
function channelMessages(capture: readonly CaptureLine[], channel: string): unknown[] {
  const out: unknown[] = [];
  for (const line of capture) {
    if (line.dir !== 'recv' || line.data === undefined) continue;
    const frame = JSON.parse(line.data) as { params?: { channel?: string; message?: unknown } };
    if (frame.params?.channel === channel) out.push(frame.params.message);
  }
  return out;
}

/** The number tokens of the recorded executions of one product, in order: [id, price, size]. */
function executionTokens(capture: readonly CaptureLine[], symbol: string): [string, string, string][] {
  const out: [string, string, string][] = [];
  const pattern = /"id":(\d+),"side":"[A-Z]*","price":([0-9.eE+-]+),"size":([0-9.eE+-]+)/g;
  for (const line of capture) {
    if (line.dir !== 'recv' || !line.data?.includes(`"lightning_executions_${symbol}"`)) continue;
    for (const m of line.data.matchAll(pattern)) out.push([m[1]!, m[2]!, m[3]!]);
  }
  return out;
}

describe.skipIf(dir === undefined)('bitFlyer recording through the replay server and the feed engine', () => {
  it(`${FILE}: books never cross, every mid_price check recomputes, the books end at the recorded best prices`, async () => {
    const capture = await readCapture(join(dir!, 'bitflyer', FILE));
    let checks = 0;
    let mismatches = 0;
    // The engine counts failed checks (checksumFailures); counting every call proves how many ran.
    const counting = (urls: Record<string, string>): VenueAdapter => {
      const adapter = createBitflyerAdapter({ urls });
      return {
        ...adapter,
        verify: (book, check, instrument) => {
          checks += 1;
          const ok = adapter.verify!(book, check, instrument);
          if (!ok) mismatches += 1;
          return ok;
        },
      };
    };
    const markets: FeedSpec[] = MARKETS.map((m) => ({ id: m.id, venue: 'bitflyer', type: 'spot', base: m.base, quote: m.quote }));
    const run = await replayFeeds({ capture, urls: BITFLYER_URLS, adapter: counting, markets });
    try {
      // The instrument list is bitFlyer's recorded answer; markets resolve by base/quote from it.
      expect(run.server.requests).toEqual([{ url: '/v1/markets', status: 200 }]);
      // Every board message of the three products once it had a snapshot: 18 snapshots + 221 diffs.
      expect(checks).toBe(239);
      expect(mismatches).toBe(0);
      for (const m of MARKETS) {
        const feed = run.feeds.get(m.id)!;
        expect(feed.instrument).toEqual({ venue: 'bitflyer', type: 'spot', symbol: m.symbol, base: m.base, quote: m.quote, tickSize: m.tick, trading: true, status: 'Spot' });
        expect(feed.state).toBe('live');
        expect(feed.counters).toMatchObject({ snapshots: m.snapshots, deltas: m.deltas, checksumFailures: 0, crossedBooks: 0, gaps: 0, malformedFrames: 0, resyncs: 0, reconnects: 0, venueErrors: 0 });
        const book = run.engine.book(m.id)!;
        expect(book.isCrossed()).toBe(false);
        expect(book.bestBid()!.price).toBe(m.bid);
        expect(book.bestAsk()!.price).toBe(m.ask);
        expect(spreadsOf(run.events, m.id).at(-1)).toMatchObject({ bidPrice: m.bid, askPrice: m.ask, symbol: m.symbol, venue: 'bitflyer', marketType: 'spot' });
        expect(unsoundSpreads(run.events, m.id, { bothSides: true })).toEqual([]);
        expect(statusStory(run.events, m.id).map(([s]) => s)).toEqual(['starting', 'syncing', 'live']);
        // The book is the last snapshot plus the diffs after it: as deep as bitFlyer sent it (≈300 a side).
        const snapshots = channelMessages(capture, `lightning_board_snapshot_${m.symbol}`);
        expect(snapshots).toHaveLength(m.snapshots);
      }
      // 7 diffs arrived before their product's first snapshot and belonged to no book.
      const boardDiffs = MARKETS.reduce((n, m) => n + channelMessages(capture, `lightning_board_${m.symbol}`).length, 0);
      expect(boardDiffs).toBe(228);
      expect(boardDiffs - MARKETS.reduce((n, m) => n + m.deltas, 0)).toBe(7);
      // The engine subscribed each market with one batch: snapshot, diffs, executions, its request id.
      // Client frames are rate-limited: the last may reach the server after the replay is over.
      await vi.waitFor(() =>
        expect(run.server.received.map((r) => JSON.parse(r.data) as unknown)).toEqual(
          MARKETS.map((m) =>
            ['lightning_board_snapshot_', 'lightning_board_', 'lightning_executions_'].map((c) => ({ jsonrpc: '2.0', id: m.id, method: 'subscribe', params: { channel: `${c}${m.symbol}` } })),
          ),
        ),
      );
    } finally {
      await run.close();
    }
  });

  it(`${FILE}: every recorded execution arrives once, with the taker side, the exact number text and µs time`, async () => {
    const capture = await readCapture(join(dir!, 'bitflyer', FILE));
    const markets: FeedSpec[] = MARKETS.map((m) => ({ id: m.id, venue: 'bitflyer', type: 'spot', base: m.base, quote: m.quote }));
    const run = await replayFeeds({ capture, urls: BITFLYER_URLS, adapter: (urls) => createBitflyerAdapter({ urls }), markets });
    try {
      let all = 0;
      let buys = 0;
      let sided = 0;
      for (const m of MARKETS) {
        const recorded = channelMessages(capture, `lightning_executions_${m.symbol}`).flat() as RecordedExecution[];
        const tokens = executionTokens(capture, m.symbol);
        expect(tokens).toHaveLength(recorded.length);
        const trades = tradesOf(run.events, m.id);
        expect(run.feeds.get(m.id)!.counters.trades).toBe(recorded.length);
        expect(trades.map((t) => [t.tradeId, t.side, t.price, t.size, t.symbol])).toEqual(
          recorded.map((r, i) => [tokens[i]![0], r.side === 'BUY' ? 'buy' : 'sell', tokens[i]![1], tokens[i]![2], m.symbol]),
        );
        // exec_date has 7 fraction digits (100 ns): µs keeps the first 6.
        expect(trades.map((t) => t.exchangeTime)).toEqual(recorded.map((r) => Date.parse(r.exec_date.slice(0, 19) + 'Z') * 1000 + Number(r.exec_date.slice(20, 26))));
        // The taker side against the book at that moment (once there is one): a BUY at or above the
        // best ask, a SELL at or below the best bid.
        for (const trade of trades) {
          const at = run.events.indexOf(trade);
          const top = spreadsOf(run.events.slice(0, at), m.id).at(-1);
          if (top === undefined) continue;
          sided += 1;
          if (trade.side === 'buy') expect(Number(trade.price)).toBeGreaterThanOrEqual(Number(top.askPrice));
          else expect(Number(trade.price)).toBeLessThanOrEqual(Number(top.bidPrice));
        }
        all += trades.length;
        buys += trades.filter((t) => t.side === 'buy').length;
      }
      // 12 execution frames (batches of 1-5): 16 executions, 11 BUY and 5 SELL.
      expect([all, buys]).toEqual([16, 11]);
      expect(sided).toBe(SIDED);
    } finally {
      await run.close();
    }
  });
});

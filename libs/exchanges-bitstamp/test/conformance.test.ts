/**
 * Conformance: the real Bitstamp recording (../shared/fixtures/bitstamp, see its README) replayed
 * over WebSocket and HTTP on 127.0.0.1 into the full feed engine with this adapter. The recording
 * holds the legacy instrument list only, so the replay server answers `/api/v2/markets/` from a
 * small hand-written body and each market is resolved by base/quote through the real instrument
 * path. Its four REST snapshots were fetched before the socket was read, so the diffs start older
 * than the snapshots: exactly what the microtimestamp rule handles (README: 56 diffs dropped, 309
 * applied, the book never crossed).
 */
import { join } from 'node:path';
import type { FeedSpec } from '@level4/feed';
import { capturesDir, readCapture, replayFeeds, spreadsOf, statusStory, tradesOf, unsoundSpreads, type CaptureLine } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { BITSTAMP_URLS, createBitstampAdapter } from '../src/index.js';

const dir = capturesDir(import.meta.dirname);

const FILE = 'bitstamp_v2_2022-01-05_diff_order_book_live_trades_rest-snapshot_ETHUSD_XRPEUR_USDTUSD_BATBTC.jsonl';

interface Expected {
  readonly base: string;
  readonly quote: string;
  readonly symbol: string;
  readonly counterDecimals: number;
  /** Diffs at or before the snapshot's microtimestamp (in it) and after it (applied). */
  readonly dropped: number;
  readonly applied: number;
  /**
   * Best prices after the last diff. The fixtures' README gives none for Bitstamp: these were
   * computed from the recording independently of level4 (Python, decimal book: snapshot, then the
   * diffs newer than it), and are the wire text.
   */
  readonly bid: string;
  readonly ask: string;
}

const MARKETS: readonly Expected[] = [
  { base: 'ETH', quote: 'USD', symbol: 'ethusd', counterDecimals: 2, dropped: 12, applied: 73, bid: '3800.78', ask: '3803.58' },
  { base: 'XRP', quote: 'EUR', symbol: 'xrpeur', counterDecimals: 5, dropped: 6, applied: 64, bid: '0.73480', ask: '0.73518' },
  { base: 'USDT', quote: 'USD', symbol: 'usdtusd', counterDecimals: 5, dropped: 13, applied: 61, bid: '0.99948', ask: '0.99988' },
  { base: 'BAT', quote: 'BTC', symbol: 'batbtc', counterDecimals: 8, dropped: 25, applied: 111, bid: '0.00002834', ask: '0.00002843' },
];

/** The replay server's answer to the engine's `/api/v2/markets/` request (shape of spec §2). */
function marketsRoute(): { url: string; body: string } {
  const body = MARKETS.map((m) => ({
    name: `${m.base}/${m.quote}`, market_symbol: m.symbol, base_currency: m.base, counter_currency: m.quote, base_decimals: 8,
    counter_decimals: m.counterDecimals, instant_order_counter_decimals: m.counterDecimals, minimum_order_value: '10',
    trading: 'Enabled', instant_and_market_orders: 'Enabled', description: `${m.base} / ${m.quote}`, market_type: 'SPOT',
  }));
  return { url: '/api/v2/markets/', body: JSON.stringify(body) };
}

interface Frame {
  event: string;
  channel: string;
  data: { microtimestamp: string; id?: number; type?: number; price_str?: string; amount_str?: string };
}

function frames(capture: readonly CaptureLine[]): Frame[] {
  return capture.filter((l) => l.kind === 'ws' && l.dir === 'recv').map((l) => JSON.parse(l.data ?? '{}') as Frame);
}

describe.skipIf(dir === undefined)('Bitstamp recording through the replay server and the feed engine', () => {
  it(`${FILE}: books sync by microtimestamp, never cross, end at the recorded best prices; trades with the taker side`, async () => {
    const capture = await readCapture(join(dir!, 'bitstamp', FILE));
    const recorded = frames(capture);
    const markets: FeedSpec[] = MARKETS.map((m, i) => ({ id: i + 1, venue: 'bitstamp', type: 'spot', base: m.base, quote: m.quote }));
    const run = await replayFeeds({
      capture,
      urls: BITSTAMP_URLS,
      adapter: (urls) => createBitstampAdapter({ urls }),
      markets,
      // The adapter asks for `/api/v2/order_book/<pair>/` (documented form); cryptofeed recorded it without the slash.
      // No waitForRequests: the recorded snapshots precede every frame, while the engine fetches
      // each one only once a diff is buffered (spec §4 step 2).
      replay: {
        routes: [marketsRoute()],
        paths: Object.fromEntries(MARKETS.map((m) => [`/api/v2/order_book/${m.symbol}/`, `/api/v2/order_book/${m.symbol}`])),
      },
    });
    try {
      // One instrument list, one snapshot per market, nothing fetched twice (never too old, never resynced).
      expect(run.server.requests.map((r) => [r.url, r.status]).sort()).toEqual(
        [['/api/v2/markets/', 200], ...MARKETS.map((m) => [`/api/v2/order_book/${m.symbol}/`, 200])].sort(),
      );
      // One channel per subscribe frame: book and trades of each market.
      // Client frames are rate-limited: the last may reach the server after the replay is over.
      await vi.waitFor(() =>
        expect(run.server.received.map((r) => JSON.parse(r.data) as unknown)).toEqual(
          MARKETS.flatMap((m) => [
            { event: 'bts:subscribe', data: { channel: `diff_order_book_${m.symbol}` } },
            { event: 'bts:subscribe', data: { channel: `live_trades_${m.symbol}` } },
          ]),
        ),
      );
      let dropped = 0;
      let applied = 0;
      for (const [i, expected] of MARKETS.entries()) {
        const id = i + 1;
        const feed = run.feeds.get(id)!;
        expect(feed.instrument).toMatchObject({ venue: 'bitstamp', type: 'spot', symbol: expected.symbol, base: expected.base, quote: expected.quote, trading: true });
        expect(feed.state).toBe('live');
        // Never crossed, nothing unreadable, never resynced or reconnected.
        expect(feed.counters).toMatchObject({ gaps: 0, crossedBooks: 0, malformedFrames: 0, resyncs: 0, reconnects: 0, venueErrors: 0, bufferOverflows: 0 });
        const diffs = recorded.filter((f) => f.event === 'data' && f.channel === `diff_order_book_${expected.symbol}`);
        const trades = recorded.filter((f) => f.event === 'trade' && f.channel === `live_trades_${expected.symbol}`);
        expect(diffs).toHaveLength(expected.dropped + expected.applied);
        // Every diff newer than the snapshot applied once; those in it dropped.
        expect(feed.counters.deltas).toBe(expected.applied);
        expect(feed.counters.messages).toBe(diffs.length + trades.length);
        dropped += diffs.length - feed.counters.deltas;
        applied += feed.counters.deltas;
        expect(feed.sequence).toBe(Number(diffs.at(-1)!.data.microtimestamp));

        const book = run.engine.book(id)!;
        expect(book.isCrossed()).toBe(false);
        expect(book.bestBid()!.price).toBe(expected.bid);
        expect(book.bestAsk()!.price).toBe(expected.ask);
        expect(spreadsOf(run.events, id).at(-1)).toMatchObject({ bidPrice: expected.bid, askPrice: expected.ask, symbol: expected.symbol, venue: 'bitstamp' });
        // Each Spread while live, two-sided, uncrossed, numbered 1, 2, 3, ...
        expect(unsoundSpreads(run.events, id, { bothSides: true })).toEqual([]);

        // Every recorded trade once, in order, with the taker side: type 0 = buy, 1 = sell.
        expect(feed.counters.trades).toBe(trades.length);
        expect(tradesOf(run.events, id).map((t) => [t.tradeId, t.side, t.price, t.size, t.exchangeTime])).toEqual(
          trades.map((r) => [String(r.data.id), r.data.type === 0 ? 'buy' : 'sell', r.data.price_str, r.data.amount_str, Number(r.data.microtimestamp)]),
        );
        expect(statusStory(run.events, id).map(([s]) => s)).toEqual(['starting', 'syncing', 'live']);
      }
      // The README's counts for the whole recording.
      expect([dropped, applied]).toEqual([56, 309]);
      // The ten ETH/USD trades: one taker buy, nine taker sells (spec §7).
      expect(tradesOf(run.events, 1).map((t) => t.side)).toEqual(['buy', ...Array.from({ length: 9 }, () => 'sell')]);
    } finally {
      await run.close();
    }
  });
});

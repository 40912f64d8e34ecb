/**
 * Conformance: real Binance recordings (../shared/fixtures/binance, see its README) replayed over
 * WebSocket and HTTP on 127.0.0.1 into the full feed engine with this adapter. The recordings prove
 * what the rebuilt books must show: the venue's own bookTicker agrees with the book whenever it
 * names the same update id, and the final best prices are those the fixtures' README lists.
 */
import { join } from 'node:path';
import type { FeedSpec, MarketType } from '@level4/feed';
import { canonicalDecimal } from '@level4/orderbook';
import { capturesDir, readCapture, replayFeeds, spreadsOf, statusStory, tradesOf, unsoundSpreads, type CaptureLine } from '@level4/replay';
import { describe, expect, it } from 'vitest';
import { BINANCE_URLS, createBinanceAdapter } from '../src/index.js';

const dir = capturesDir(import.meta.dirname);

interface Expected {
  readonly base: string;
  readonly quote: string;
  readonly symbol: string;
  readonly bid: string;
  readonly ask: string;
}

interface Session {
  readonly file: string;
  readonly type: MarketType;
  readonly markets: readonly Expected[];
  /** bookTicker messages naming the book's update id, per the fixtures' README. */
  readonly topChecks: number;
  /** The USD-M recording predates the /public + /market split: both routes replay its one socket. */
  readonly paths?: Record<string, string>;
}

const SESSIONS: readonly Session[] = [
  {
    file: 'spot_2021-10-12_cryptofeed.jsonl',
    type: 'spot',
    topChecks: 26,
    markets: [
      { base: 'NKN', quote: 'USDT', symbol: 'NKNUSDT', bid: '0.3527', ask: '0.3531' },
      { base: 'BLZ', quote: 'ETH', symbol: 'BLZETH', bid: '0.00006547', ask: '0.00006560' },
      { base: 'LRC', quote: 'BTC', symbol: 'LRCBTC', bid: '0.00000637', ask: '0.00000638' },
      { base: 'RUNE', quote: 'EUR', symbol: 'RUNEEUR', bid: '6.251', ask: '6.269' },
    ],
  },
  {
    file: 'usdm_2021-07-22_cryptofeed.jsonl',
    type: 'futures',
    topChecks: 12,
    paths: { '/public/stream': '/stream', '/market/stream': '/stream' },
    markets: [
      { base: 'SUSHI', quote: 'USDT', symbol: 'SUSHIUSDT', bid: '7.6120', ask: '7.6160' },
      { base: 'AKRO', quote: 'USDT', symbol: 'AKROUSDT', bid: '0.01734', ask: '0.01735' },
      { base: 'CTK', quote: 'USDT', symbol: 'CTKUSDT', bid: '1.011', ask: '1.012' },
    ],
  },
  {
    file: 'coinm_2021-07-22_cryptofeed.jsonl',
    type: 'inverse',
    topChecks: 14,
    markets: [
      { base: 'BCH', quote: 'USD', symbol: 'BCHUSD_PERP', bid: '427.79', ask: '427.80' },
      // A quarterly contract: base/quote alone would pick the perpetual, so it is named by symbol.
      { base: 'BTC', quote: 'USD', symbol: 'BTCUSD_211231', bid: '32627.7', ask: '32627.8' },
    ],
  },
];

/** The recorded trades of one symbol, as the venue sent them (aggTrade frames). */
function recordedTrades(capture: readonly CaptureLine[], symbol: string): { a: number; p: string; q: string; m: boolean }[] {
  return capture
    .filter((line) => line.dir === 'recv')
    .map((line) => JSON.parse(line.data ?? '{}') as { data?: { e?: string; s?: string; a: number; p: string; q: string; m: boolean } })
    .flatMap((frame) => (frame.data?.e === 'aggTrade' && frame.data.s === symbol ? [frame.data] : []));
}

describe.skipIf(dir === undefined)('Binance recordings through the replay server and the feed engine', () => {
  for (const session of SESSIONS) {
    it(`${session.file}: books stay in sync, agree with bookTicker, and end at the recorded best prices`, async () => {
      const capture = await readCapture(join(dir!, 'binance', session.file));
      const markets: FeedSpec[] = session.markets.map((m, i) => ({
        id: i + 1,
        venue: 'binance',
        type: session.type,
        base: m.base,
        quote: m.quote,
        ...(m.symbol.includes('_2') ? { symbol: m.symbol } : {}),
      }));
      const run = await replayFeeds({
        capture,
        urls: BINANCE_URLS,
        adapter: (urls) => createBinanceAdapter({ urls }),
        markets,
        replay: { waitForRequests: true, ...(session.paths ? { paths: session.paths } : {}) },
      });
      try {
        let topChecks = 0;
        for (const [i, expected] of session.markets.entries()) {
          const id = i + 1;
          const feed = run.feeds.get(id)!;
          expect(feed.instrument.symbol).toBe(expected.symbol);
          expect(feed.state).toBe('live');
          // Never crossed, never a gap, nothing unreadable, never resynced: every delta chained.
          expect(feed.counters).toMatchObject({ gaps: 0, crossedBooks: 0, malformedFrames: 0, resyncs: 0, reconnects: 0, topMismatches: 0 });
          expect(feed.counters.deltas).toBeGreaterThan(0);
          topChecks += feed.counters.topChecks;

          const book = run.engine.book(id)!;
          // The README writes prices canonically; the venue writes them with its trailing zeros.
          expect(canonicalDecimal(book.bestBid()!.price)).toBe(canonicalDecimal(expected.bid));
          expect(canonicalDecimal(book.bestAsk()!.price)).toBe(canonicalDecimal(expected.ask));
          const spreads = spreadsOf(run.events, id);
          expect(spreads.at(-1)).toMatchObject({ bidPrice: book.bestBid()!.price, askPrice: book.bestAsk()!.price, symbol: expected.symbol });
          // Each Spread while live, uncrossed, numbered 1, 2, 3, …
          expect(unsoundSpreads(run.events, id)).toEqual([]);

          // Every recorded trade of the market arrives once, with the taker side (`m` = buyer was maker = taker sold).
          const trades = tradesOf(run.events, id);
          const recorded = recordedTrades(capture, expected.symbol);
          expect(trades.map((t) => [t.tradeId, t.side, t.price, t.size])).toEqual(
            recorded.map((r) => [String(r.a), r.m ? 'sell' : 'buy', r.p, r.q]),
          );
        }
        expect(topChecks).toBe(session.topChecks);
        // The status story of each market: starting, syncing, live, and nothing else.
        for (const id of markets.map((m) => m.id)) {
          expect(statusStory(run.events, id).map(([s]) => s)).toEqual(['starting', 'syncing', 'live']);
        }
      } finally {
        await run.close();
      }
    });
  }
});

/**
 * Conformance: the real Gemini Market Data v2 recording (../shared/fixtures/gemini, see its README)
 * replayed over WebSocket and HTTP on 127.0.0.1 into the full feed engine with the v2 adapter. The
 * recording holds Gemini's own `/v1/symbols` answer, so every market is resolved by base/quote through
 * the real instrument path. What it proves: ten books rebuilt from their in-band snapshots and every
 * delta, never crossed, ending at the best prices below (computed from the recording with an
 * independent decimal book; the README states only "never crossed" and "buys print at the best
 * ask"), and every trade published once with the taker's side.
 *
 * No recording of the WebSocket API (wss://ws.gemini.com) exists yet: its session below is written
 * from the spec (§3), and its faults are in faults.test.ts.
 */
import { join } from 'node:path';
import { compareDecimal } from '@level4/orderbook';
import { capturesDir, readCapture, replayFeeds, spreadsOf, statusStory, tradesOf, unsoundSpreads, type CaptureLine } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { createGeminiAdapter, GEMINI_URLS } from '../src/index.js';

const dir = capturesDir(import.meta.dirname);
const FILE = 'gemini_marketdata-v2_2021-06-24_l2_10symbols.jsonl';

interface Book {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** `l2_updates` after the snapshot, every one of which must be applied. */
  readonly deltas: number;
  /** Levels per side and best prices after the last frame. */
  readonly bids: number;
  readonly asks: number;
  readonly bid: string;
  readonly ask: string;
}

/** In the order of the recorded subscribe frame. */
const BOOKS: readonly Book[] = [
  { symbol: 'BTCGBP', base: 'BTC', quote: 'GBP', deltas: 152, bids: 99, asks: 148, bid: '24175.82', ask: '24204.04' },
  { symbol: 'LINKETH', base: 'LINK', quote: 'ETH', deltas: 15, bids: 26, asks: 34, bid: '0.0093213', ask: '0.0093512' },
  { symbol: 'FILUSD', base: 'FIL', quote: 'USD', deltas: 167, bids: 179, asks: 474, bid: '58.6448', ask: '58.7256' },
  { symbol: 'ZECLTC', base: 'ZEC', quote: 'LTC', deltas: 6, bids: 24, asks: 38, bid: '0.858', ask: '0.897' },
  { symbol: 'BATBTC', base: 'BAT', quote: 'BTC', deltas: 46, bids: 16, asks: 66, bid: '0.00001613', ask: '0.00001758' },
  { symbol: 'ETHEUR', base: 'ETH', quote: 'EUR', deltas: 55, bids: 32, asks: 243, bid: '1648.98', ask: '1661.57' },
  { symbol: 'LTCETH', base: 'LTC', quote: 'ETH', deltas: 2, bids: 30, asks: 160, bid: '0.0655', ask: '0.0658' },
  { symbol: 'GRTUSD', base: 'GRT', quote: 'USD', deltas: 75, bids: 211, asks: 466, bid: '0.6173', ask: '0.6201' },
  { symbol: 'ANKRUSD', base: 'ANKR', quote: 'USD', deltas: 106, bids: 142, asks: 81, bid: '0.08', ask: '0.08027' },
  { symbol: 'ALCXUSD', base: 'ALCX', quote: 'USD', deltas: 21, bids: 135, asks: 28, bid: '302.75', ask: '303.33' },
];

interface RecordedTrade {
  type: string;
  symbol: string;
  event_id: number;
  timestamp: number;
  price: string;
  quantity: string;
  side: 'buy' | 'sell';
}

function recvFrames(capture: readonly CaptureLine[]): { type?: string; symbol?: string; trades?: unknown }[] {
  return capture.filter((l) => l.kind === 'ws' && l.dir === 'recv').map((l) => JSON.parse(l.data ?? '{}') as { type?: string; symbol?: string });
}

describe.skipIf(dir === undefined)(`Gemini Market Data v2 recording (${FILE}) through the replay server and the feed engine`, () => {
  it('ten books stay in sync from their in-band snapshots, never cross, end at the recorded best prices; every trade once with the taker side', async () => {
    const capture = await readCapture(join(dir!, 'gemini', FILE));
    const frames = recvFrames(capture);
    // The recording: one snapshot (with trade history) per symbol, then deltas; 16 live trades.
    for (const b of BOOKS) {
      const l2 = frames.filter((f) => f.type === 'l2_updates' && f.symbol === b.symbol);
      expect(l2.filter((f) => Array.isArray(f.trades))).toHaveLength(1);
      expect(l2).toHaveLength(b.deltas + 1);
    }
    const recordedTrades = frames.filter((f) => f.type === 'trade') as unknown as RecordedTrade[];
    expect(recordedTrades).toHaveLength(16);

    const run = await replayFeeds({
      capture,
      urls: GEMINI_URLS,
      adapter: (urls) => createGeminiAdapter({ urls, api: 'v2' }),
      markets: BOOKS.map((b, i) => ({ id: i + 1, venue: 'gemini', type: 'spot', base: b.base, quote: b.quote })),
      // The recording's socket URL has a trailing slash (cryptofeed's).
      replay: { paths: { '/v2/marketdata': '/v2/marketdata/' } },
    });
    try {
      // Instruments came from Gemini's recorded /v1/symbols answer, once.
      expect(run.server.requests).toEqual([{ url: '/v1/symbols', status: 200 }]);
      // One subscribe frame, the recorded one, byte for byte.
      const recordedSend = capture.find((l) => l.dir === 'send')!.data;
      await vi.waitFor(() => expect(run.server.received.map((r) => r.data)).toEqual([recordedSend]));
      expect(run.server.connections).toBe(1);

      for (const [i, b] of BOOKS.entries()) {
        const id = i + 1;
        const feed = run.feeds.get(id)!;
        expect(feed.instrument).toMatchObject({ venue: 'gemini', type: 'spot', symbol: b.symbol, base: b.base, quote: b.quote, trading: true });
        expect(feed.state).toBe('live');
        expect(feed.counters).toMatchObject({
          gaps: 0,
          crossedBooks: 0,
          checksumFailures: 0,
          malformedFrames: 0,
          resyncs: 0,
          reconnects: 0,
          venueErrors: 0,
          snapshots: 1,
          deltas: b.deltas,
        });
        const book = run.engine.book(id)!;
        expect(book.isCrossed()).toBe(false);
        expect([book.levelCount('bid'), book.levelCount('ask')]).toEqual([b.bids, b.asks]);
        expect([book.bestBid()!.price, book.bestAsk()!.price]).toEqual([b.bid, b.ask]);
        expect(spreadsOf(run.events, id).at(-1)).toMatchObject({ bidPrice: b.bid, askPrice: b.ask, symbol: b.symbol, venue: 'gemini', marketType: 'spot' });
        expect(unsoundSpreads(run.events, id, { bothSides: true })).toEqual([]);
        expect(statusStory(run.events, id).map(([s]) => s)).toEqual(['starting', 'syncing', 'live']);

        // Trades: the live ones only (the snapshot's 50 historical trades are not published), in order.
        const recorded = recordedTrades.filter((t) => t.symbol === b.symbol);
        expect(feed.counters.trades).toBe(recorded.length);
        expect(tradesOf(run.events, id).map((t) => [t.tradeId, t.side, t.price, t.size, t.exchangeTime])).toEqual(
          recorded.map((r) => [String(r.event_id), r.side, r.price, r.quantity, r.timestamp * 1000]),
        );
      }

      // Every trade is a taker buy that lifted the ask: at or above the best ask the book showed at
      // that moment (the later prints of a sweep come before the l2_updates that removes the level).
      const asks = new Map<number, string>();
      let atAsk = 0;
      let trades = 0;
      for (const event of run.events) {
        if (event.kind === 'spread' && event.askPrice !== null) asks.set(event.marketId, event.askPrice);
        if (event.kind !== 'trade') continue;
        trades++;
        const ask = asks.get(event.marketId)!;
        expect(event.side).toBe('buy');
        expect(compareDecimal(event.price, ask)).toBeGreaterThanOrEqual(0);
        if (compareDecimal(event.price, ask) === 0) atAsk++;
      }
      expect(trades).toBe(16);
      expect(atAsk).toBe(12);
    } finally {
      await run.close();
    }
  });
});

// No recording of the WebSocket API exists (fixtures README: docs examples only): its normal session
// is written from the spec (§3.2-3.4), in the docs examples' shapes.
describe('Gemini WebSocket API session, written from the spec', () => {
  it('btcusd: the first depthUpdate is the whole book, U..u chain, stale frames dropped, trades with m -> taker side', async () => {
    const url = 'wss://ws.gemini.com?snapshot=-1';
    let t = 1_751_508_260_000;
    const recv = (frame: unknown): CaptureLine => ({ t: (t += 100), kind: 'ws', dir: 'recv', url, data: JSON.stringify(frame) });
    const depth = (U: number, u: number, b: string[][], a: string[][]) => recv({ e: 'depthUpdate', E: t * 1_000_000 + 123_456, s: 'btcusd', U, u, b, a });
    const capture: CaptureLine[] = [
      { t, kind: 'ws', dir: 'open', url },
      recv({ id: 1, status: 200, result: null }),
      depth(1, 500, [['45000.50', '1.25000000'], ['45000.25', '0.50000000']], [['45001.00', '0.75000000'], ['45001.25', '2.00000000']]),
      depth(501, 503, [['45000.25', '0.00000000']], [['45000.75', '0.10000000']]),
      depth(502, 503, [['44000.00', '9']], []), // u <= the book's: already in it, dropped
      recv({ E: t * 1_000_000 + 5, s: 'btcusd', t: 9001, p: '45000.75', q: '0.10000000', m: false }),
      depth(504, 504, [], [['45000.75', '0.00000000']]),
      recv({ E: t * 1_000_000 + 7, s: 'btcusd', t: 9002, p: '45000.50', q: '0.25000000', m: true }),
      depth(505, 507, [['45000.50', '1.00000000']], []),
      recv({ id: 'ping', status: 200, result: {} }),
    ];
    const run = await replayFeeds({
      capture,
      urls: GEMINI_URLS,
      adapter: (urls) => createGeminiAdapter({ urls }),
      markets: [{ id: 1, venue: 'gemini', type: 'spot', base: 'BTC', quote: 'USD' }],
      replay: { routes: [{ url: '/v1/symbols', body: '["btcusd","ethusd","btcgusd"]' }] },
    });
    try {
      expect(run.server.requests).toEqual([{ url: '/v1/symbols', status: 200 }]);
      await vi.waitFor(() => expect(run.server.received.length).toBeGreaterThan(0));
      expect(JSON.parse(run.server.received[0]!.data)).toEqual({ id: 1, method: 'subscribe', params: ['btcusd@depth@100ms', 'btcusd@trade'] });
      const feed = run.feeds.get(1)!;
      expect(feed.instrument).toMatchObject({ symbol: 'btcusd', base: 'BTC', quote: 'USD' });
      expect(feed.state).toBe('live');
      expect(feed.counters).toMatchObject({ snapshots: 1, deltas: 3, gaps: 0, resyncs: 0, crossedBooks: 0, malformedFrames: 0, trades: 2 });
      expect(feed.sequence).toBe(507);
      expect(run.engine.book(1)!.sizeAt('bid', '44000.00')).toBeUndefined();
      expect(spreadsOf(run.events, 1).map((s) => [s.bidPrice, s.bidSize, s.askPrice, s.askSize])).toEqual([
        ['45000.50', '1.25000000', '45001.00', '0.75000000'],
        ['45000.50', '1.25000000', '45000.75', '0.10000000'],
        ['45000.50', '1.25000000', '45001.00', '0.75000000'],
        ['45000.50', '1.00000000', '45001.00', '0.75000000'],
      ]);
      // E (ns) -> µs: the first book frame's time.
      expect(spreadsOf(run.events, 1)[0]!.exchangeTime % 1000).toBe(123);
      expect(unsoundSpreads(run.events, 1, { bothSides: true })).toEqual([]);
      expect(tradesOf(run.events, 1).map((x) => [x.tradeId, x.side, x.price])).toEqual([
        ['9001', 'buy', '45000.75'],
        ['9002', 'sell', '45000.50'],
      ]);
      expect(statusStory(run.events, 1).map(([s]) => s)).toEqual(['starting', 'syncing', 'live']);
    } finally {
      await run.close();
    }
  });
});

/**
 * Faults: hand-written Binance sessions (frames shaped after the venue's documented events, see
 * shared/exchanges/binance.md §3-§8) replayed over WebSocket and HTTP on 127.0.0.1 into the full
 * feed engine with this adapter, with the replay server breaking them on purpose: a skipped depth
 * event, a dropped or stalled socket, unreadable frames, a refused subscription, a rate-limited
 * snapshot, a server shutdown notice, a futures `pu` that does not chain. Each case proves the
 * market says what happened (Status), counts it, never publishes a Spread from a broken book, and
 * comes back live by itself with the book it should have.
 */
import type { EngineTiming, FeedEvent, FeedSpec } from '@level4/feed';
import type { OrderBook } from '@level4/orderbook';
import { afterLive, CaptureScript, collectingLogger, replayRunner, spreadsOf, states, statusStory, tradesOf, unsoundSpreads, type CaptureLine, type ReplayedFeeds } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { BINANCE_URLS, createBinanceAdapter } from '../src/index.js';

// ---------------------------------------------------------------------------------------------
// Recording helpers: capture lines written by hand, in time order.

const SPOT_INFO = 'https://api.binance.com/api/v3/exchangeInfo';
const SPOT_WS = 'wss://stream.binance.com:9443/stream';
const FUT_INFO = 'https://fapi.binance.com/fapi/v1/exchangeInfo';
const FUT_PUBLIC = 'wss://fstream.binance.com/public/stream';
const FUT_MARKET = 'wss://fstream.binance.com/market/stream';
/** Recorded with limit=1000; the replay serves it for the adapter's limit=5000 request. */
const spotDepthUrl = (symbol: string) => `https://api.binance.com/api/v3/depth?symbol=${symbol}&limit=1000`;
const futDepthUrl = (symbol: string) => `https://fapi.binance.com/fapi/v1/depth?symbol=${symbol}&limit=1000`;

const T0 = 1_700_000_000_000;

/** A fresh script of capture lines, 5 ms apart from T0. */
const recording = () => new CaptureScript({ t0: T0, step: 5 });

type Levels = readonly (readonly [string, string])[];

interface Depth {
  readonly U: number;
  readonly u: number;
  /** Futures only: `u` of the previous event of the stream. */
  readonly pu?: number;
  readonly b?: Levels;
  readonly a?: Levels;
}

/** A combined-stream diff depth event (spot shape; futures add `T` and `pu`). */
function depthFrame(symbol: string, d: Depth): string {
  const E = T0 + d.u;
  const data =
    d.pu === undefined
      ? { e: 'depthUpdate', E, s: symbol, U: d.U, u: d.u, b: d.b ?? [], a: d.a ?? [] }
      : { e: 'depthUpdate', E, T: E - 1, s: symbol, U: d.U, u: d.u, pu: d.pu, b: d.b ?? [], a: d.a ?? [] };
  return JSON.stringify({ stream: `${symbol.toLowerCase()}@depth@100ms`, data });
}

/** Spot `@trade`: `m` = the buyer was the maker, i.e. the taker sold. */
function tradeFrame(symbol: string, t: number, p: string, q: string, m: boolean): string {
  return JSON.stringify({ stream: `${symbol.toLowerCase()}@trade`, data: { e: 'trade', E: T0 + t, s: symbol, t, p, q, T: T0 + t - 1, m, M: true } });
}

/** USD-M `@aggTrade`. */
function aggTradeFrame(symbol: string, a: number, p: string, q: string, m: boolean): string {
  return JSON.stringify({ stream: `${symbol.toLowerCase()}@aggTrade`, data: { e: 'aggTrade', E: T0 + a, s: symbol, a, p, q, f: a * 10, l: a * 10 + 1, T: T0 + a - 1, m } });
}

const ack = (id: number) => JSON.stringify({ result: null, id });

function spotInfo(symbols: readonly [symbol: string, base: string, quote: string, tick: string][]) {
  return {
    timezone: 'UTC',
    serverTime: T0,
    rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }],
    symbols: symbols.map(([symbol, baseAsset, quoteAsset, tickSize]) => ({
      symbol,
      status: 'TRADING',
      baseAsset,
      quoteAsset,
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: tickSize, maxPrice: '1000000.00000000', tickSize },
        { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
      ],
    })),
  };
}

const snapshot = (lastUpdateId: number, bids: Levels, asks: Levels) => ({ lastUpdateId, bids, asks });

// ---------------------------------------------------------------------------------------------
// The spot BTCUSDT story: snapshot A at 100, deltas 101..110, and B = the book at 106, which also
// holds levels A was too shallow to show (29990.00 bid, 30010.00 ask): a book rebuilt from B says so.

const BTC_A = snapshot(
  100,
  [
    ['30000.00', '1.00000000'],
    ['29999.00', '2.00000000'],
  ],
  [
    ['30001.00', '1.50000000'],
    ['30002.00', '3.00000000'],
  ],
);

const BTC_DELTAS: readonly Depth[] = [
  { U: 101, u: 101, b: [['30000.00', '1.10000000']] },
  { U: 102, u: 102, a: [['30001.00', '1.40000000']] },
  { U: 103, u: 103, b: [['30000.50', '0.50000000']] },
  { U: 104, u: 104, a: [['30001.00', '0.00000000']] },
  { U: 105, u: 105, b: [['29999.00', '0.00000000']], a: [['30001.50', '0.70000000']] },
  { U: 106, u: 106, b: [['30000.00', '0.00000000']] },
  { U: 107, u: 107, b: [['30000.75', '0.30000000']] },
  { U: 108, u: 108, a: [['30001.50', '0.00000000']] },
  { U: 109, u: 109, b: [['30000.50', '0.40000000']], a: [['30002.50', '1.00000000']] },
  { U: 110, u: 110, b: [['30000.75', '0.25000000']] },
];

const BTC_B = snapshot(
  106,
  [
    ['30000.50', '0.50000000'],
    ['29990.00', '7.00000000'],
  ],
  [
    ['30001.50', '0.70000000'],
    ['30002.00', '3.00000000'],
    ['30010.00', '2.00000000'],
  ],
);

/** A + 101..110: the book after an uninterrupted session. */
const BTC_FINAL_FROM_A = {
  bid: [
    ['30000.75', '0.25000000'],
    ['30000.50', '0.40000000'],
  ],
  ask: [
    ['30002.00', '3.00000000'],
    ['30002.50', '1.00000000'],
  ],
};

/** B + 107..110. */
const BTC_FINAL_FROM_B = {
  bid: [
    ['30000.75', '0.25000000'],
    ['30000.50', '0.40000000'],
    ['29990.00', '7.00000000'],
  ],
  ask: [
    ['30002.00', '3.00000000'],
    ['30002.50', '1.00000000'],
    ['30010.00', '2.00000000'],
  ],
};

/** ETHUSDT on the same socket: snapshot at 500, deltas 501..506, E2 = the book at 504. */
const ETH_A = snapshot(500, [['2000.00', '10.00000000']], [['2000.10', '5.00000000']]);
const ETH_DELTAS: readonly Depth[] = [
  { U: 501, u: 501, b: [['2000.00', '9.00000000']] },
  { U: 502, u: 502, a: [['2000.10', '4.00000000']] },
  { U: 503, u: 503, b: [['2000.05', '1.00000000']] },
  { U: 504, u: 504, a: [['2000.20', '2.00000000']] },
  { U: 505, u: 505, b: [['2000.05', '0.00000000']] },
  { U: 506, u: 506, a: [['2000.10', '3.50000000']] },
];
const ETH_B = snapshot(
  504,
  [
    ['2000.05', '1.00000000'],
    ['2000.00', '9.00000000'],
    ['1999.00', '8.00000000'],
  ],
  [
    ['2000.10', '4.00000000'],
    ['2000.20', '2.00000000'],
  ],
);
const ETH_FINAL_FROM_A = { bid: [['2000.00', '9.00000000']], ask: [['2000.10', '3.50000000'], ['2000.20', '2.00000000']] };
const ETH_FINAL_FROM_B = {
  bid: [
    ['2000.00', '9.00000000'],
    ['1999.00', '8.00000000'],
  ],
  ask: [
    ['2000.10', '3.50000000'],
    ['2000.20', '2.00000000'],
  ],
};

/**
 * One spot socket for BTCUSDT: ack, 101, the snapshot get (frames behind it wait for the engine's
 * request), 102..110 with two trades. `later` = further recorded answers for the same snapshot URL
 * (the replay serves recorded answers in order, then the last one again), recorded after 106.
 */
function spotBtcSession(later: readonly unknown[] = []): CaptureLine[] {
  const r = recording();
  r.get(SPOT_INFO, spotInfo([['BTCUSDT', 'BTC', 'USDT', '0.01000000']]));
  r.open(SPOT_WS);
  r.recv(ack(1), SPOT_WS);
  for (const d of BTC_DELTAS) {
    r.recv(depthFrame('BTCUSDT', d), SPOT_WS);
    if (d.u === 101) r.get(spotDepthUrl('BTCUSDT'), BTC_A);
    if (d.u === 102) r.recv(tradeFrame('BTCUSDT', 5001, '30001.00', '0.10000000', false), SPOT_WS);
    if (d.u === 106) for (const body of later) r.get(spotDepthUrl('BTCUSDT'), body);
    if (d.u === 108) r.recv(tradeFrame('BTCUSDT', 5002, '30000.50', '0.20000000', true), SPOT_WS);
  }
  return r.lines;
}

/** BTCUSDT and ETHUSDT interleaved on one spot socket; each symbol's second answer is recorded later. */
function spotTwoSymbolSession(): CaptureLine[] {
  const r = recording();
  r.get(
    SPOT_INFO,
    spotInfo([
      ['BTCUSDT', 'BTC', 'USDT', '0.01000000'],
      ['ETHUSDT', 'ETH', 'USDT', '0.01000000'],
    ]),
  );
  r.open(SPOT_WS);
  r.recv(ack(1), SPOT_WS);
  for (let i = 0; i < BTC_DELTAS.length; i++) {
    const btc = BTC_DELTAS[i]!;
    r.recv(depthFrame('BTCUSDT', btc), SPOT_WS);
    const eth = ETH_DELTAS[i];
    if (eth) r.recv(depthFrame('ETHUSDT', eth), SPOT_WS);
    if (i === 0) {
      r.get(spotDepthUrl('BTCUSDT'), BTC_A);
      r.get(spotDepthUrl('ETHUSDT'), ETH_A);
    }
    if (eth?.u === 504) r.get(spotDepthUrl('ETHUSDT'), ETH_B);
    if (btc.u === 106) r.get(spotDepthUrl('BTCUSDT'), BTC_B);
  }
  return r.lines;
}

// ---------------------------------------------------------------------------------------------
// Running and checking.

const TIMING: Partial<EngineTiming> = { reconnectMinMs: 20, reconnectMaxMs: 100, resyncTimeoutMs: 300, subscribeRetryMs: 50 };

const spot = (id: number, base: string, quote = 'USDT'): FeedSpec => ({ id, venue: 'binance', type: 'spot', base, quote });

const run = replayRunner({
  urls: BINANCE_URLS,
  adapter: (urls) => createBinanceAdapter({ urls }),
  timing: TIMING,
  timeoutMs: 15_000,
  // settleMs: a little room for the engine to install the snapshot before the frames behind it.
  replay: { waitForRequests: true, settleMs: 50 },
});

/** `until`: a Spread of the market with this best bid (the last delta of the session sets it). */
const spreadWithBid =
  (id: number, price: string, size: string) =>
  (events: readonly FeedEvent[]): boolean =>
    events.some((e) => e.kind === 'spread' && e.marketId === id && e.bidPrice === price && e.bidSize === size);

function levelsOf(book: OrderBook | undefined): { bid: string[][]; ask: string[][] } {
  if (!book) throw new Error('no book');
  return { bid: [...book.levels('bid')].map((l) => [l.price, l.size]), ask: [...book.levels('ask')].map((l) => [l.price, l.size]) };
}

/** The last Spread equals the book's top. */
function expectLastSpreadIsTop(run: ReplayedFeeds, id: number): void {
  const book = run.engine.book(id)!;
  expect(spreadsOf(run.events, id).at(-1)).toMatchObject({
    bidPrice: book.bestBid()!.price,
    bidSize: book.bestBid()!.size,
    askPrice: book.bestAsk()!.price,
    askSize: book.bestAsk()!.size,
  });
}

const depthRequests = (run: ReplayedFeeds, path: string) => run.server.requests.filter((r) => r.url.startsWith(path));

// ---------------------------------------------------------------------------------------------

describe('Binance faults through the replay server and the feed engine', () => {
  it('forced gap on spot: resyncs on the socket, refetches past a too-old snapshot, goes live on the new one', async () => {
    // Recorded answers for the snapshot URL, in order: A (the first sync), A again (too old for
    // the stream by then: refetched), B (at 106, straddled by 107).
    const logger = collectingLogger();
    const r = await run({
      capture: spotBtcSession([BTC_A, BTC_B]),
      markets: [spot(1, 'BTC')],
      logger,
      faults: [{ kind: 'skip', connection: 1, frames: (frame) => frame.includes('"u":103,') }],
      until: spreadWithBid(1, '30000.75', '0.25000000'),
    });
    try {
      expect(r.completed).toBe(true);
      expect(statusStory(r.events, 1)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['live', ''],
        ['resyncing', 'sequence gap: expected 103, got 104..104'],
        ['live', ''],
      ]);
      const feed = r.engine.feed(1)!;
      expect(feed.counters).toMatchObject({ gaps: 1, resyncs: 1, reconnects: 0, malformedFrames: 0, crossedBooks: 0, venueErrors: 0 });
      expect(feed.sequence).toBe(110);
      // The socket was never dropped: the gap is mended by REST while the stream keeps flowing.
      expect(r.server.connections).toBe(1);
      expect(depthRequests(r, '/api/v3/depth')).toEqual([
        { url: '/api/v3/depth?symbol=BTCUSDT&limit=5000', status: 200 },
        { url: '/api/v3/depth?symbol=BTCUSDT&limit=5000', status: 200 },
        { url: '/api/v3/depth?symbol=BTCUSDT&limit=5000', status: 200 },
      ]);
      expect(logger.lines.filter((l) => l.message === 'snapshot older than the buffered deltas: fetching again').map((l) => l.fields.sequence)).toEqual([100]);
      expect(logger.lines.some((l) => l.level === 'warn' && l.message === 'resync' && l.fields.reason === 'sequence gap: expected 103, got 104..104')).toBe(true);

      // B + 107..110, its deep levels included: not A patched up.
      expect(levelsOf(r.engine.book(1))).toEqual(BTC_FINAL_FROM_B);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(spreadsOf(afterLive(r.events, 1, 2), 1).length).toBeGreaterThan(0);
      expectLastSpreadIsTop(r, 1);
      // Trades are not part of the book: they keep flowing through the resync.
      expect(tradesOf(r.events, 1).map((t) => [t.tradeId, t.side, t.price, t.size])).toEqual([
        ['5001', 'buy', '30001.00', '0.10000000'],
        ['5002', 'sell', '30000.50', '0.20000000'],
      ]);
    } finally {
      await r.close();
    }
  });

  it('dropped connection mid-stream: resyncing, reconnect, a fresh sync on connection 2, live again', async () => {
    // Frames: ack, 101, 102, trade, 103 -> the socket is cut after 5 frames.
    const r = await run({
      capture: spotBtcSession(),
      markets: [spot(1, 'BTC')],
      faults: [{ kind: 'drop', connection: 1, afterFrames: 5 }],
      until: (events) => statusStory(events, 1).filter(([s]) => s === 'live').length >= 2 && spreadWithBid(1, '30000.75', '0.25000000')(events),
    });
    try {
      expect(r.completed).toBe(true);
      const story = statusStory(r.events, 1);
      expect(story.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'syncing', 'live']);
      expect(story[3]![1]).toMatch(/^connection closed \(\d+/);
      const feed = r.engine.feed(1)!;
      expect(feed.counters).toMatchObject({ reconnects: 1, gaps: 0, resyncs: 0, malformedFrames: 0, crossedBooks: 0 });
      expect(feed.sequence).toBe(110);
      expect(r.server.connections).toBe(2);
      expect(r.server.received.filter((m) => m.data.includes('"SUBSCRIBE"')).map((m) => [m.connection, JSON.parse(m.data)])).toEqual([
        [1, { method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms', 'btcusdt@trade'], id: 1 }],
        [2, { method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms', 'btcusdt@trade'], id: 2 }],
      ]);
      // One snapshot per sync: the recorded answer is served again for connection 2.
      expect(depthRequests(r, '/api/v3/depth').map((q) => q.status)).toEqual([200, 200]);
      expect(levelsOf(r.engine.book(1))).toEqual(BTC_FINAL_FROM_A);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(spreadsOf(afterLive(r.events, 1, 2), 1).length).toBeGreaterThan(0);
      expectLastSpreadIsTop(r, 1);
    } finally {
      await r.close();
    }
  });

  it('truncated frame naming BTCUSDT: counted and logged, BTCUSDT resyncs by itself, ETHUSDT on the same socket keeps its book', async () => {
    const truncated = '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","s":"BTCUSDT","U":';
    const logger = collectingLogger();
    const r = await run({
      capture: spotTwoSymbolSession(),
      markets: [spot(1, 'BTC'), spot(2, 'ETH')],
      logger,
      faults: [{ kind: 'inject', connection: 1, before: (frame) => frame.includes('"s":"BTCUSDT","U":104,'), text: truncated }],
      until: (events) => spreadWithBid(1, '30000.75', '0.25000000')(events) && events.some((e) => e.kind === 'spread' && e.marketId === 2 && e.askSize === '3.50000000'),
    });
    try {
      expect(r.completed).toBe(true);
      expect(statusStory(r.events, 1)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['live', ''],
        ['resyncing', expect.stringMatching(/^malformed frame: binance: frame is not JSON: \{"stream":"btcusdt@depth@100ms"/)],
        ['live', ''],
      ]);
      expect(r.engine.feed(1)!.counters).toMatchObject({ malformedFrames: 1, resyncs: 1, gaps: 0, reconnects: 0 });
      const warned = logger.lines.filter((l) => l.level === 'warn' && l.message === 'malformed frame');
      expect(warned).toHaveLength(1);
      expect(warned[0]!.fields).toMatchObject({ venue: 'binance', frame: truncated, markets: [1] });
      expect(levelsOf(r.engine.book(1))).toEqual(BTC_FINAL_FROM_B);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(spreadsOf(afterLive(r.events, 1, 2), 1).length).toBeGreaterThan(0);
      expectLastSpreadIsTop(r, 1);

      // ETHUSDT: untouched by a frame that names only BTCUSDT.
      expect(statusStory(r.events, 2)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['live', ''],
      ]);
      expect(r.engine.feed(2)!.counters).toMatchObject({ malformedFrames: 0, resyncs: 0, gaps: 0, reconnects: 0, deltas: 6 });
      expect(levelsOf(r.engine.book(2))).toEqual(ETH_FINAL_FROM_A);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
      expectLastSpreadIsTop(r, 2);
      expect(depthRequests(r, '/api/v3/depth?symbol=ETHUSDT')).toHaveLength(1);
      expect(depthRequests(r, '/api/v3/depth?symbol=BTCUSDT')).toHaveLength(2);
      expect(r.server.connections).toBe(1);
    } finally {
      await r.close();
    }
  });

  it('garbage frame naming no market: every market on the socket resyncs, each by itself, and both recover', async () => {
    const logger = collectingLogger();
    const r = await run({
      capture: spotTwoSymbolSession(),
      markets: [spot(1, 'BTC'), spot(2, 'ETH')],
      logger,
      faults: [{ kind: 'inject', connection: 1, before: (frame) => frame.includes('"s":"BTCUSDT","U":104,'), text: 'garbage' }],
      until: (events) =>
        statusStory(events, 2).filter(([s]) => s === 'live').length >= 2 &&
        spreadWithBid(1, '30000.75', '0.25000000')(events) &&
        events.some((e) => e.kind === 'spread' && e.marketId === 2 && e.askSize === '3.50000000'),
    });
    try {
      expect(r.completed).toBe(true);
      for (const id of [1, 2]) {
        expect(statusStory(r.events, id)).toEqual([
          ['starting', ''],
          ['syncing', ''],
          ['live', ''],
          ['resyncing', 'malformed frame: binance: frame is not JSON: garbage'],
          ['live', ''],
        ]);
        expect(r.engine.feed(id)!.counters).toMatchObject({ malformedFrames: 1, resyncs: 1, gaps: 0, reconnects: 0 });
        expect(unsoundSpreads(r.events, id, { bothSides: true })).toEqual([]);
        expect(spreadsOf(afterLive(r.events, id, 2), id).length).toBeGreaterThan(0);
        expectLastSpreadIsTop(r, id);
      }
      const warned = logger.lines.filter((l) => l.level === 'warn' && l.message === 'malformed frame');
      expect(warned).toHaveLength(1);
      expect(warned[0]!.fields).toMatchObject({ frame: 'garbage', markets: [1, 2] });
      expect(levelsOf(r.engine.book(1))).toEqual(BTC_FINAL_FROM_B);
      expect(levelsOf(r.engine.book(2))).toEqual(ETH_FINAL_FROM_B);
      expect(r.server.connections).toBe(1);
    } finally {
      await r.close();
    }
  });

  it('venue error on subscribe: failed with the venue message, counted, the subscription is tried again', async () => {
    const script = recording();
    const capture = [
      script.get(SPOT_INFO, spotInfo([['BTCUSDT', 'BTC', 'USDT', '0.01000000']])),
      script.open(SPOT_WS),
      script.recv(JSON.stringify({ error: { code: 2, msg: 'Invalid request: unknown stream' }, id: 1 }), SPOT_WS),
    ];
    const logger = collectingLogger();
    const r = await run({
      capture,
      markets: [spot(1, 'BTC')],
      logger,
      // A long resync timeout: nothing here should fetch a snapshot.
      timing: { ...TIMING, subscribeRetryMs: 50, resyncTimeoutMs: 10_000 },
      until: (events) => statusStory(events, 1).some(([s, why]) => s === 'syncing' && why === 'retrying subscription'),
    });
    try {
      expect(r.completed).toBe(true);
      await vi.waitFor(() => expect(r.server.received.filter((m) => m.data.includes('"SUBSCRIBE"'))).toHaveLength(2), { timeout: 5_000 });
      expect(statusStory(r.events, 1)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['failed', 'venue error: code 2: Invalid request: unknown stream'],
        ['syncing', 'retrying subscription'],
      ]);
      expect(r.engine.feed(1)!.counters).toMatchObject({ venueErrors: 1, resyncs: 0, reconnects: 0, malformedFrames: 0 });
      // The same socket, a new request id.
      expect(r.server.received.map((m) => [m.connection, JSON.parse(m.data)])).toEqual([
        [1, { method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms', 'btcusdt@trade'], id: 1 }],
        [1, { method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms', 'btcusdt@trade'], id: 2 }],
      ]);
      expect(r.server.connections).toBe(1);
      expect(logger.lines.filter((l) => l.message === 'venue error').map((l) => l.fields)).toEqual([
        expect.objectContaining({ error: 'code 2: Invalid request: unknown stream', request: 1, symbols: ['BTCUSDT'] }),
      ]);
      expect(spreadsOf(r.events, 1)).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('REST 429 with Retry-After on the snapshot: retried as told, the market still goes live', async () => {
    const logger = collectingLogger();
    const r = await run({
      capture: spotBtcSession(),
      markets: [spot(1, 'BTC')],
      logger,
      faults: [{ kind: 'http', path: '/api/v3/depth', status: 429, headers: { 'retry-after': '0' }, times: 2 }],
      until: spreadWithBid(1, '30000.75', '0.25000000'),
    });
    try {
      expect(r.completed).toBe(true);
      expect(statusStory(r.events, 1)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['live', ''],
      ]);
      expect(r.server.requests).toEqual([
        { url: '/api/v3/exchangeInfo', status: 200 },
        { url: '/api/v3/depth?symbol=BTCUSDT&limit=5000', status: 429 },
        { url: '/api/v3/depth?symbol=BTCUSDT&limit=5000', status: 429 },
        { url: '/api/v3/depth?symbol=BTCUSDT&limit=5000', status: 200 },
      ]);
      // Retry-After: 0 -> no backoff wait of its own.
      expect(logger.lines.filter((l) => l.message === 'snapshot retry').map((l) => l.fields)).toEqual([
        expect.objectContaining({ marketId: 1, waitMs: 0, reason: expect.stringContaining('HTTP 429') }),
        expect.objectContaining({ marketId: 1, waitMs: 0, reason: expect.stringContaining('HTTP 429') }),
      ]);
      expect(r.engine.feed(1)!.counters).toMatchObject({ resyncs: 0, gaps: 0, reconnects: 0, venueErrors: 0, malformedFrames: 0 });
      expect(levelsOf(r.engine.book(1))).toEqual(BTC_FINAL_FROM_A);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expectLastSpreadIsTop(r, 1);
    } finally {
      await r.close();
    }
  });

  it('serverShutdown: the engine reconnects at once, resyncs on connection 2, live again', async () => {
    const shutdown = JSON.stringify({ stream: '!serverShutdown', data: { e: 'serverShutdown', E: T0 + 104 } });
    const r = await run({
      capture: spotBtcSession(),
      markets: [spot(1, 'BTC')],
      // The notice comes once, on connection 1, after 103 (connection 2 replays the session without it).
      faults: [{ kind: 'inject', connection: 1, before: (frame) => frame.includes('"u":104,'), text: shutdown }],
      until: (events) => statusStory(events, 1).filter(([s]) => s === 'live').length >= 2 && spreadWithBid(1, '30000.75', '0.25000000')(events),
    });
    try {
      expect(r.completed).toBe(true);
      expect(statusStory(r.events, 1)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['live', ''],
        ['resyncing', 'venue asked to reconnect: binance: serverShutdown (server going down)'],
        ['syncing', ''],
        ['live', ''],
      ]);
      expect(r.engine.feed(1)!.counters).toMatchObject({ reconnects: 1, resyncs: 0, gaps: 0, malformedFrames: 0 });
      expect(r.server.connections).toBe(2);
      expect(levelsOf(r.engine.book(1))).toEqual(BTC_FINAL_FROM_A);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(spreadsOf(afterLive(r.events, 1, 2), 1).length).toBeGreaterThan(0);
      expectLastSpreadIsTop(r, 1);
    } finally {
      await r.close();
    }
  });

  it('stalled socket: stale after livenessMs of silence, reconnect, live again on connection 2', async () => {
    // Connection 1 goes silent for good after ack, 101, 102, trade, 103 (the socket stays open).
    // Known to fail (reported): the connection pings after livenessMs/3 of silence and counts the
    // pong (which ws on the replay side sends by itself, stalled or not) as data, so a socket whose
    // peer answers pings but sends nothing is never stale and the market stays `live` on a frozen book.
    const r = await run({
      capture: spotBtcSession(),
      markets: [spot(1, 'BTC')],
      timing: { ...TIMING, livenessMs: 300 },
      faults: [{ kind: 'stall', connection: 1, afterFrames: 5 }],
      until: (events) => statusStory(events, 1).filter(([s]) => s === 'live').length >= 2 && spreadWithBid(1, '30000.75', '0.25000000')(events),
      timeoutMs: 5_000,
    });
    try {
      const story = statusStory(r.events, 1);
      expect(story.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'stale', 'syncing', 'live']);
      expect(story[3]![1]).toMatch(/^stale: no data for \d+ ms$/);
      expect(r.completed).toBe(true);
      expect(r.engine.feed(1)!.counters).toMatchObject({ reconnects: 1, resyncs: 0, gaps: 0 });
      expect(r.server.connections).toBe(2);
      expect(levelsOf(r.engine.book(1))).toEqual(BTC_FINAL_FROM_A);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(spreadsOf(afterLive(r.events, 1, 2), 1).length).toBeGreaterThan(0);
      expectLastSpreadIsTop(r, 1);
    } finally {
      await r.close();
    }
  });

  it('USD-M futures: a depth event whose pu does not chain is a gap; resynced by REST, trades on /market flow on', async () => {
    const info = {
      timezone: 'UTC',
      serverTime: T0,
      symbols: [
        {
          symbol: 'BTCUSDT',
          pair: 'BTCUSDT',
          contractType: 'PERPETUAL',
          deliveryDate: 4_133_404_800_000,
          status: 'TRADING',
          baseAsset: 'BTC',
          quoteAsset: 'USDT',
          marginAsset: 'USDT',
          filters: [{ filterType: 'PRICE_FILTER', minPrice: '556.80', maxPrice: '4529764', tickSize: '0.10' }],
        },
      ],
    };
    const snap = (lastUpdateId: number, bids: Levels, asks: Levels) => ({ lastUpdateId, E: T0 + lastUpdateId, T: T0 + lastUpdateId - 1, bids, asks });
    const first = snap(1000, [['60000.0', '1.000']], [['60000.1', '2.000']]);
    const second = snap(
      1070,
      [
        ['60000.3', '0.700'],
        ['60000.0', '1.200'],
      ],
      [
        ['60000.4', '0.300'],
        ['60000.5', '4.000'],
      ],
    );
    // Venue-wide ids: U jumps past u + 1 between events, the chain is pu == previous u.
    const events: Depth[] = [
      { U: 990, u: 1005, pu: 985, b: [['60000.0', '1.100']] },
      { U: 1010, u: 1020, pu: 1005, a: [['60000.2', '0.500']] },
      { U: 1031, u: 1040, pu: 1020, b: [['60000.1', '0.000']] },
      // Events 1041..1045 never came: pu 1045 != 1040.
      { U: 1050, u: 1060, pu: 1045, b: [['60000.3', '0.700']] },
      { U: 1061, u: 1072, pu: 1060, a: [['60000.4', '0.250']] },
      { U: 1080, u: 1090, pu: 1072, b: [['60000.3', '0.900']] },
    ];
    const r0 = recording();
    r0.get(FUT_INFO, info);
    r0.open(FUT_PUBLIC);
    r0.recv(ack(1), FUT_PUBLIC);
    r0.open(FUT_MARKET);
    r0.recv(ack(1), FUT_MARKET);
    for (const d of events) {
      r0.recv(depthFrame('BTCUSDT', d), FUT_PUBLIC);
      if (d.u === 1005) {
        r0.get(futDepthUrl('BTCUSDT'), first);
        r0.recv(aggTradeFrame('BTCUSDT', 7001, '60000.1', '0.010', false), FUT_MARKET);
      }
      if (d.u === 1060) {
        r0.get(futDepthUrl('BTCUSDT'), second);
        r0.recv(aggTradeFrame('BTCUSDT', 7002, '60000.0', '0.020', true), FUT_MARKET);
      }
    }
    const logger = collectingLogger();
    const r = await run({
      capture: r0.lines,
      markets: [{ id: 1, venue: 'binance', type: 'futures', base: 'BTC', quote: 'USDT' }],
      logger,
      until: (evs) => spreadWithBid(1, '60000.3', '0.900')(evs) && tradesOf(evs, 1).length >= 2,
    });
    try {
      expect(r.completed).toBe(true);
      expect(statusStory(r.events, 1)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['live', ''],
        ['resyncing', 'sequence gap: expected previous 1040, got 1045'],
        ['live', ''],
      ]);
      const feed = r.engine.feed(1)!;
      expect(feed.counters).toMatchObject({ gaps: 1, resyncs: 1, reconnects: 0, malformedFrames: 0, crossedBooks: 0 });
      expect(feed.sequence).toBe(1090);
      expect(logger.lines.some((l) => l.message === 'resync' && l.fields.reason === 'sequence gap: expected previous 1040, got 1045')).toBe(true);
      // Second snapshot + 1061..1072 + 1080..1090.
      expect(levelsOf(r.engine.book(1))).toEqual({
        bid: [
          ['60000.3', '0.900'],
          ['60000.0', '1.200'],
        ],
        ask: [
          ['60000.4', '0.250'],
          ['60000.5', '4.000'],
        ],
      });
      expect(depthRequests(r, '/fapi/v1/depth')).toEqual([
        { url: '/fapi/v1/depth?symbol=BTCUSDT&limit=1000', status: 200 },
        { url: '/fapi/v1/depth?symbol=BTCUSDT&limit=1000', status: 200 },
      ]);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(spreadsOf(afterLive(r.events, 1, 2), 1).length).toBeGreaterThan(0);
      expectLastSpreadIsTop(r, 1);
      expect(tradesOf(r.events, 1).map((t) => [t.tradeId, t.side, t.price, t.size])).toEqual([
        ['7001', 'buy', '60000.1', '0.010'],
        ['7002', 'sell', '60000.0', '0.020'],
      ]);
      // Depth on /public, aggTrade on /market: one socket each.
      expect(r.server.received.map((m) => [m.connection, JSON.parse(m.data).params])).toEqual(
        expect.arrayContaining([
          [expect.any(Number), ['btcusdt@depth@100ms']],
          [expect.any(Number), ['btcusdt@aggTrade']],
        ]),
      );
      expect(r.server.connections).toBe(2);
    } finally {
      await r.close();
    }
  });

  it('planned reconnect before the venue cuts connections (24 h on Binance; 500 ms here): resync on a new socket, live again', async () => {
    const r = await run({
      capture: spotBtcSession(),
      adapter: (urls) => ({ ...createBinanceAdapter({ urls }), maxConnectionMs: 500 }),
      markets: [spot(1, 'BTC')],
      until: (events) => statusStory(events, 1).filter(([s]) => s === 'live').length >= 2,
    });
    try {
      expect(r.completed).toBe(true);
      const story = statusStory(r.events, 1);
      expect(story.slice(0, 6).map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'syncing', 'live']);
      expect(story[3]![1]).toBe('planned: the venue closes connections after 500 ms');
      expect(r.server.connections).toBeGreaterThanOrEqual(2);
      expect(r.engine.feed(1)!.counters).toMatchObject({ gaps: 0, malformedFrames: 0, crossedBooks: 0 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('a market the venue stops listing as TRADING is unsubscribed and failed; it comes back when it trades again', async () => {
    const info = (status: string) => {
      const body = spotInfo([['BTCUSDT', 'BTC', 'USDT', '0.01000000']]);
      return { ...body, symbols: body.symbols.map((x) => ({ ...x, status })) };
    };
    // exchangeInfo is recorded three times (served in order): at start, at the first refresh, at the second.
    const session = spotBtcSession();
    const refreshes = recording();
    const capture = [...session.slice(0, 1), refreshes.get(SPOT_INFO, info('BREAK')), refreshes.get(SPOT_INFO, info('TRADING')), ...session.slice(1)];
    const r = await run({ capture, markets: [spot(1, 'BTC')], until: spreadWithBid(1, '30000.75', '0.25000000') });
    try {
      await r.engine.refreshInstruments();
      const halted = statusStory(r.events, 1).at(-1)!;
      expect(halted).toEqual(['failed', 'BTCUSDT is not trading: venue status BREAK']);
      const spreadsWhileHalted = spreadsOf(r.events, 1).length;

      await r.engine.refreshInstruments();
      await vi.waitFor(() => expect(statusStory(r.events, 1).at(-1)![0]).toBe('live'), { timeout: 10_000 });
      expect(states(r, 1)).toEqual(['starting', 'syncing', 'live', 'failed', 'syncing', 'live']);
      // Its socket (it was the only market on it) was closed when it halted: its return needed a new one.
      expect(r.server.connections).toBe(2);
      expect(r.server.requests.filter((q) => q.url.startsWith('/api/v3/exchangeInfo'))).toHaveLength(3);
      expect(spreadsOf(r.events, 1).length).toBeGreaterThanOrEqual(spreadsWhileHalted);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });
});

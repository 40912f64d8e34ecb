/**
 * Faults no recording shows: small sessions written here from the spec (../shared/exchanges/gemini.md:
 * §3 WebSocket API — first depthUpdate = the book, `U..u` gap rule, `m` taker side, ping answers;
 * §4 Market Data v2 — first l2_updates = the book, no sequence, 5 s heartbeats; §5 the ghost-level
 * pitfall), played by the replay server with its faults (skip, drop, inject, stall) into the full
 * feed engine with this adapter. Every case checks the Status story, the counters, and that no Spread
 * leaves a market while its book is broken (between a non-live Status and the next `live`), nor a
 * crossed one. No recording of the WebSocket API exists yet: these frames follow its documented examples.
 */
import type { FeedCounters, FeedEvent, FeedSpec } from '@level4/feed';
import { afterLive, bookSide, CaptureScript, clientFrames, collectingLogger, ladder, priceText, replayRunner, sizeOf, spreadsOf, states, statusStory, unsoundSpreads, type CaptureLine, type ReplayedFeeds, type ReplayRun, type TestPrices } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { createGeminiAdapter, GEMINI_URLS, type GeminiApi } from '../src/index.js';

const WS = 'wss://ws.gemini.com?snapshot=-1';
const V2 = 'wss://api.gemini.com/v2/marketdata';
const TIMING = { reconnectMinMs: 20, reconnectMaxMs: 100, resyncTimeoutMs: 300, subscribeRetryMs: 50 } as const;
const T0 = 1_751_508_260_000;

type Level = [string, string];

// ---- sessions, written as Gemini sends them --------------------------------------------------------

const script = new CaptureScript({ t0: T0 });
const open = (url: string): CaptureLine => script.open(url);
const recv = (url: string, frame: unknown): CaptureLine => script.recv(frame, url);

const BTC: TestPrices = { bid: 45000, ask: 45000.5, tick: 0.25 };
const ETH: TestPrices = { bid: 2000, ask: 2000.5, tick: 0.5 };
const bookLevels = (p: TestPrices): [Level[], Level[]] => {
  const { bids, asks } = ladder(p);
  return [bids, asks];
};

// WebSocket API (§3): `depthUpdate` frames; the first after subscribe is the whole book.
const ws = {
  depth: (symbol: string, U: number, u: number, b: readonly Level[], a: readonly Level[]) =>
    recv(WS, { e: 'depthUpdate', E: (script.t + 100) * 1_000_000, s: symbol, U, u, b, a }),
  /** The snapshot frame: the whole book, ids 1..u. */
  snapshot: (symbol: string, p: TestPrices, u: number) => ws.depth(symbol, 1, u, ...bookLevels(p)),
  delta: (symbol: string, p: TestPrices, u: number) => ws.depth(symbol, u, u, [[priceText(p.bid), sizeOf(u)]], []),
  deltas: (symbol: string, p: TestPrices, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ws.delta(symbol, p, from + i)),
  ack: (id: number) => recv(WS, { id, status: 200, result: null }),
  pong: () => recv(WS, { id: 'ping', status: 200, result: {} }),
  trade: (symbol: string, t: number, p: string, q: string, m: boolean) => recv(WS, { E: (script.t + 100) * 1_000_000, s: symbol, t, p, q, m }),
};

/** A WebSocket API delta's frame text names its symbol and `u`. */
const isWsDelta = (symbol: string, u: number) => (frame: string) => frame.includes(`"s":"${symbol}"`) && frame.includes(`"u":${u},`);

// Market Data v2 (§4): `l2_updates`; the first of a subscription carries `trades` (history).
const v2 = {
  l2: (symbol: string, b: readonly Level[], a: readonly Level[], first = false) =>
    recv(V2, {
      type: 'l2_updates',
      symbol,
      changes: [...b.map(([p, q]) => ['buy', p, q]), ...a.map(([p, q]) => ['sell', p, q])],
      ...(first ? { trades: [{ type: 'trade', symbol, event_id: 1, timestamp: script.t, price: '1', quantity: '1', side: 'buy' }], auction_events: [] } : {}),
    }),
  snapshot: (symbol: string, p: TestPrices) => v2.l2(symbol, ...bookLevels(p), true),
  /** Sets the best bid's size to sizeOf(n). */
  delta: (symbol: string, p: TestPrices, n: number) => v2.l2(symbol, [[priceText(p.bid), sizeOf(n)]], []),
  deltas: (symbol: string, p: TestPrices, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => v2.delta(symbol, p, from + i)),
  heartbeat: () => recv(V2, { type: 'heartbeat', timestamp: script.t }),
};
const isV2Delta = (symbol: string, n: number) => (frame: string) => frame.includes(`"symbol":"${symbol}"`) && frame.includes(`"${sizeOf(n)}"`);

// ---- the engine under test ---------------------------------------------------------------------

const SYMBOLS = { url: '/v1/symbols', body: JSON.stringify(['btcusd', 'ethusd', 'ethbtc']) };
const BTC_MARKET: FeedSpec = { id: 1, venue: 'gemini', type: 'spot', base: 'BTC', quote: 'USD' };
const ETH_MARKET: FeedSpec = { id: 2, venue: 'gemini', type: 'spot', base: 'ETH', quote: 'USD' };

const runner = replayRunner({
  urls: GEMINI_URLS,
  adapter: (urls) => createGeminiAdapter({ urls, api: 'ws' }),
  markets: [BTC_MARKET],
  routes: [SYMBOLS],
  timing: TIMING,
  timeoutMs: 8_000,
});

/** A run on the WebSocket API, or on Market Data v2 with `api: 'v2'`. */
function run({ api = 'ws', ...options }: ReplayRun & { readonly api?: GeminiApi }): Promise<ReplayedFeeds> {
  return runner({ ...options, adapter: (urls) => createGeminiAdapter({ urls, api }) });
}

// ---- what the events must show -----------------------------------------------------------------

/** Done once the market is live for the `n`-th time and has since published the top of delta `u`. */
const reached =
  (id: number, n: number, u: number) =>
  (events: readonly FeedEvent[]): boolean =>
    spreadsOf(afterLive(events, id, n), id).some((s) => s.bidSize === sizeOf(u));

function expectCounters(feed: { counters: Readonly<FeedCounters> } | undefined, expected: Partial<FeedCounters>): void {
  expect(feed).toBeDefined();
  expect(feed!.counters).toMatchObject({ crossedBooks: 0, checksumFailures: 0, bufferOverflows: 0, ...expected });
}

/** The client frames of one connection, parsed (they leave at 5 a second: wait for them with vi.waitFor). */
function sent(r: ReplayedFeeds, connection: number): Record<string, unknown>[] {
  return clientFrames(r, connection);
}

const streams = (symbol: string) => [`${symbol}@depth@100ms`, `${symbol}@trade`];

// ---- the cases: WebSocket API ------------------------------------------------------------------

describe('Gemini WebSocket API faults through the replay server and the feed engine', () => {
  it('update-id gap in one market: only that market resyncs (unsubscribe + subscribe, a new snapshot frame; frames of the old subscription before the unsubscribe answer are not taken for the book); the other keeps its book and spreads', async () => {
    const capture = [
      open(WS),
      ws.ack(1),
      ws.snapshot('btcusd', BTC, 100),
      ws.snapshot('ethusd', ETH, 100),
      ws.delta('btcusd', BTC, 101),
      ws.delta('ethusd', ETH, 101),
      ws.delta('btcusd', BTC, 102), // skipped on connection 1
      ws.delta('ethusd', ETH, 102),
      ws.delta('btcusd', BTC, 103), // the gap shows here
      ws.pong(),
      ws.delta('ethusd', ETH, 103),
      // Still in flight from the old subscription when the engine unsubscribed: not the new book.
      ws.delta('btcusd', BTC, 104),
      // What Gemini sends after the engine's unsubscribe + subscribe: both answers, then the book.
      ws.ack(2),
      ws.ack(3),
      ws.snapshot('btcusd', BTC, 300),
      ws.delta('ethusd', ETH, 104),
      ws.delta('btcusd', BTC, 301),
      ws.delta('ethusd', ETH, 105),
    ];
    const r = await run({
      capture,
      markets: [BTC_MARKET, ETH_MARKET],
      faults: [{ kind: 'skip', connection: 1, frames: isWsDelta('btcusd', 102) }],
      until: (events) => reached(1, 2, 301)(events) && reached(2, 1, 105)(events),
    });
    try {
      expect(r.completed).toBe(true);
      const btc = statusStory(r.events, 1);
      expect(btc.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(btc[3]![1]).toBe('sequence gap: expected 102, got 103..103');
      expectCounters(r.engine.feed(1), { gaps: 1, resyncs: 1, reconnects: 0, malformedFrames: 0, snapshots: 2, deltas: 2 });
      expect(r.engine.feed(1)?.sequence).toBe(301);
      await vi.waitFor(() => expect(sent(r, 1).length).toBeGreaterThanOrEqual(3), { timeout: 3_000 });
      expect(sent(r, 1)).toEqual([
        { id: 1, method: 'subscribe', params: [...streams('btcusd'), ...streams('ethusd')] },
        { id: 2, method: 'unsubscribe', params: streams('btcusd') },
        { id: 3, method: 'subscribe', params: streams('btcusd') },
      ]);
      expect(bookSide(r, 1, 'bid')).toEqual([
        ['45000.00', sizeOf(301)],
        ['44999.75', '2'],
        ['44999.50', '3'],
      ]);

      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(2), { gaps: 0, resyncs: 0, reconnects: 0, malformedFrames: 0, snapshots: 1, deltas: 5 });
      const resyncAt = r.events.findIndex((e) => e.kind === 'status' && e.marketId === 1 && e.state === 'resyncing');
      expect(spreadsOf(r.events.slice(resyncAt), 2).map((s) => s.bidSize)).toEqual([sizeOf(103), sizeOf(104), sizeOf(105)]);
      expect(r.server.connections).toBe(1);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('stale and overlapping frames: u <= the book’s is dropped, U <= u + 1 < u applies; no gap', async () => {
    const capture = [
      open(WS),
      ws.ack(1),
      ws.snapshot('btcusd', BTC, 100),
      ws.depth('btcusd', 95, 100, [['1.00', '1']], []), // all in the book already
      ws.depth('btcusd', 99, 102, [[priceText(BTC.bid), sizeOf(102)]], []), // overlaps: applied
      ws.depth('btcusd', 103, 104, [[priceText(BTC.bid), sizeOf(104)]], []),
    ];
    const r = await run({ capture, until: reached(1, 1, 104) });
    try {
      expect(r.completed).toBe(true);
      expect(states(r, 1)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(1), { gaps: 0, resyncs: 0, snapshots: 1, deltas: 2 });
      expect(r.engine.feed(1)?.sequence).toBe(104);
      expect(r.engine.book(1)!.sizeAt('bid', '1.00')).toBeUndefined();
    } finally {
      await r.close();
    }
  });

  it('malformed frame naming one symbol: counted and logged, that market resyncs on the same socket, the other stays live', async () => {
    const truncated = '{"e":"depthUpdate","E":1751508260659505382,"s":"btcusd","U":103,"u":103,"b":[[';
    const capture = [
      open(WS),
      ws.ack(1),
      ws.snapshot('btcusd', BTC, 100),
      ws.snapshot('ethusd', ETH, 100),
      ws.delta('btcusd', BTC, 101),
      ws.delta('ethusd', ETH, 101),
      ws.delta('btcusd', BTC, 102),
      ws.delta('ethusd', ETH, 102),
      // <- the truncated frame goes here
      ws.delta('ethusd', ETH, 103),
      ws.ack(2),
      ws.ack(3),
      ws.snapshot('btcusd', BTC, 300),
      ws.delta('ethusd', ETH, 104),
      ws.delta('btcusd', BTC, 301),
      ws.trade('ethusd', 77, '2000.50', '0.1', false),
      ws.delta('ethusd', ETH, 105),
    ];
    const logger = collectingLogger();
    const r = await run({
      capture,
      markets: [BTC_MARKET, ETH_MARKET],
      logger,
      faults: [{ kind: 'inject', connection: 1, before: isWsDelta('ethusd', 103), text: truncated }],
      until: (events) => reached(1, 2, 301)(events) && reached(2, 1, 105)(events),
    });
    try {
      expect(r.completed).toBe(true);
      const btc = statusStory(r.events, 1);
      expect(btc.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(btc[3]![1]).toMatch(/^malformed frame: gemini: frame is not JSON/);
      expectCounters(r.engine.feed(1), { malformedFrames: 1, resyncs: 1, gaps: 0, reconnects: 0, snapshots: 2 });
      expect(logger.lines.find((l) => l.message === 'malformed frame')).toMatchObject({ level: 'warn', fields: { venue: 'gemini', markets: [1], frame: truncated } });
      await vi.waitFor(() => expect(sent(r, 1).length).toBeGreaterThanOrEqual(3), { timeout: 3_000 });
      expect(sent(r, 1).slice(1)).toEqual([
        { id: 2, method: 'unsubscribe', params: streams('btcusd') },
        { id: 3, method: 'subscribe', params: streams('btcusd') },
      ]);
      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(2), { malformedFrames: 0, resyncs: 0, snapshots: 1, deltas: 5, trades: 1 });
      expect(r.server.connections).toBe(1);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('subscription refused: Status failed with Gemini’s message, the subscription is retried, then live', async () => {
    const refused = { id: 1, status: 400, error: { code: -1002, msg: 'Invalid stream: btcusd@depth@100ms' } };
    const capture = [open(WS), recv(WS, refused), open(WS), ws.ack(1), ws.snapshot('btcusd', BTC, 100), ...ws.deltas('btcusd', BTC, 101, 103)];
    const logger = collectingLogger();
    const r = await run({ capture, logger, until: reached(1, 1, 103) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      const message = 'Invalid stream: btcusd@depth@100ms (status 400, code -1002)';
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'failed', 'syncing', 'resyncing', 'syncing', 'live']);
      expect(st[2]![1]).toBe(`venue error: ${message}`);
      expect(st[3]![1]).toBe('retrying subscription');
      await vi.waitFor(() => expect(sent(r, 2).length).toBeGreaterThanOrEqual(1), { timeout: 3_000 });
      expect(sent(r, 1)).toEqual([
        { id: 1, method: 'subscribe', params: streams('btcusd') },
        { id: 2, method: 'subscribe', params: streams('btcusd') },
      ]);
      expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'venue error', fields: expect.objectContaining({ error: message, request: 1, symbols: ['btcusd'] }) }));
      expect(r.engine.feed(1)?.state).toBe('live');
      expectCounters(r.engine.feed(1), { venueErrors: 1, gaps: 0, resyncs: 0, reconnects: 1, malformedFrames: 0, snapshots: 1, deltas: 3 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('dropped connection: one reconnect, and the first depthUpdate of the new socket replaces the book (no ghost levels)', async () => {
    const ghost = '45000.10';
    const capture = [
      open(WS),
      ws.ack(1),
      ws.snapshot('btcusd', BTC, 100),
      ws.depth('btcusd', 101, 101, [[ghost, '9']], []),
      ...ws.deltas('btcusd', BTC, 102, 105),
      open(WS),
      ws.ack(1),
      ws.snapshot('btcusd', BTC, 500),
      ...ws.deltas('btcusd', BTC, 501, 503),
    ];
    // The ack, the snapshot, 101 and 102 are sent, then the socket is cut.
    const r = await run({ capture, faults: [{ kind: 'drop', connection: 1, afterFrames: 4 }], until: reached(1, 2, 503) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'syncing', 'live']);
      expect(st[3]![1]).toMatch(/^connection closed/);
      expect(spreadsOf(r.events, 1).some((s) => s.bidPrice === ghost)).toBe(true);
      expectCounters(r.engine.feed(1), { reconnects: 1, resyncs: 0, gaps: 0, malformedFrames: 0, snapshots: 2 });
      expect(r.engine.feed(1)?.sequence).toBe(503);
      expect(r.engine.book(1)!.sizeAt('bid', ghost)).toBeUndefined();
      expect(spreadsOf(afterLive(r.events, 1, 2), 1).every((s) => s.bidPrice !== ghost)).toBe(true);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('stall: no frame (not even a ping answer) past livenessMs -> Status stale, a reconnect, live again', async () => {
    const capture = [open(WS), ws.ack(1), ws.snapshot('btcusd', BTC, 100), ws.pong(), ...ws.deltas('btcusd', BTC, 101, 105)];
    const r = await run({ capture, timing: { livenessMs: 300 }, faults: [{ kind: 'stall', connection: 1, afterFrames: 5 }], until: reached(1, 2, 105) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'stale', 'syncing', 'live']);
      expect(st[3]![1]).toMatch(/^stale: no data for \d+ ms$/);
      expect(r.server.connections).toBe(2);
      expectCounters(r.engine.feed(1), { reconnects: 1, resyncs: 0, gaps: 0, malformedFrames: 0, snapshots: 2 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });
});

// ---- the cases: Market Data v2 -----------------------------------------------------------------

describe('Gemini Market Data v2 faults through the replay server and the feed engine', () => {
  const BTC_V2: FeedSpec = BTC_MARKET;
  const ETH_V2: FeedSpec = ETH_MARKET;

  it('crossed book (v2 has no sequence: the crossed check is its integrity check): that market resyncs, deltas before its new snapshot are dropped, the other stays live', async () => {
    const capture = [
      open(V2),
      v2.snapshot('BTCUSD', BTC),
      v2.snapshot('ETHUSD', ETH),
      v2.delta('BTCUSD', BTC, 1),
      v2.delta('ETHUSD', ETH, 1),
      v2.l2('BTCUSD', [['45001.00', '1']], []), // bid above the best ask
      v2.delta('BTCUSD', BTC, 2), // still the old subscription: belongs to no book
      v2.heartbeat(),
      v2.delta('ETHUSD', ETH, 2),
      v2.snapshot('BTCUSD', BTC), // the new subscription's first l2_updates
      v2.delta('BTCUSD', BTC, 3),
      v2.delta('ETHUSD', ETH, 3),
    ];
    const r = await run({ api: 'v2', capture, markets: [BTC_V2, ETH_V2], until: (events) => reached(1, 2, 3)(events) && reached(2, 1, 3)(events) });
    try {
      expect(r.completed).toBe(true);
      const btc = statusStory(r.events, 1);
      expect(btc.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(btc[3]![1]).toBe('crossed book: bid 45001.00 >= ask 45000.50');
      expectCounters(r.engine.feed(1), { crossedBooks: 1, resyncs: 1, gaps: 0, reconnects: 0, malformedFrames: 0, snapshots: 2, deltas: 3 });
      await vi.waitFor(() => expect(sent(r, 1).length).toBeGreaterThanOrEqual(3), { timeout: 3_000 });
      expect(sent(r, 1)).toEqual([
        { type: 'subscribe', subscriptions: [{ name: 'l2', symbols: ['BTCUSD', 'ETHUSD'] }] },
        { type: 'unsubscribe', subscriptions: [{ name: 'l2', symbols: ['BTCUSD'] }] },
        { type: 'subscribe', subscriptions: [{ name: 'l2', symbols: ['BTCUSD'] }] },
      ]);
      expect(bookSide(r, 1, 'bid')).toEqual([
        ['45000.00', sizeOf(3)],
        ['44999.75', '2'],
        ['44999.50', '3'],
      ]);
      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(2), { crossedBooks: 0, resyncs: 0, snapshots: 1, deltas: 3 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('reconnect after a dropped socket: the new subscription’s first l2_updates replaces the book, no ghost levels (ccxt #29210)', async () => {
    const ghost = '45000.10';
    const capture = [
      open(V2),
      v2.snapshot('BTCUSD', BTC),
      v2.l2('BTCUSD', [[ghost, '9']], []),
      ...v2.deltas('BTCUSD', BTC, 1, 4),
      open(V2),
      v2.snapshot('BTCUSD', BTC),
      ...v2.deltas('BTCUSD', BTC, 5, 7),
    ];
    const r = await run({ api: 'v2', capture, faults: [{ kind: 'drop', connection: 1, afterFrames: 3 }], until: reached(1, 2, 7) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'syncing', 'live']);
      expect(spreadsOf(r.events, 1).some((s) => s.bidPrice === ghost)).toBe(true);
      expectCounters(r.engine.feed(1), { reconnects: 1, resyncs: 0, snapshots: 2 });
      expect(r.engine.book(1)!.sizeAt('bid', ghost)).toBeUndefined();
      expect(bookSide(r, 1, 'bid')[0]).toEqual(['45000.00', sizeOf(7)]);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('heartbeats stop (stall): Status stale, a reconnect, live again', async () => {
    const capture = [open(V2), v2.snapshot('BTCUSD', BTC), v2.heartbeat(), ...v2.deltas('BTCUSD', BTC, 1, 4)];
    const r = await run({ api: 'v2', capture, timing: { livenessMs: 300 }, faults: [{ kind: 'stall', connection: 1, afterFrames: 3 }], until: reached(1, 2, 4) });
    try {
      expect(r.completed).toBe(true);
      expect(states(r, 1)).toEqual(['starting', 'syncing', 'live', 'stale', 'syncing', 'live']);
      expectCounters(r.engine.feed(1), { reconnects: 1, resyncs: 0, snapshots: 2 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('malformed l2_updates (unknown side): counted, logged, that market resyncs and recovers', async () => {
    const bad = '{"type":"l2_updates","symbol":"BTCUSD","changes":[["bid","45000.00","1"]]}';
    const capture = [open(V2), v2.snapshot('BTCUSD', BTC), ...v2.deltas('BTCUSD', BTC, 1, 2), v2.snapshot('BTCUSD', BTC), v2.delta('BTCUSD', BTC, 3)];
    const logger = collectingLogger();
    const r = await run({ api: 'v2', capture, logger, faults: [{ kind: 'inject', connection: 1, before: isV2Delta('BTCUSD', 2), text: bad }], until: reached(1, 2, 3) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(st[3]![1]).toBe('malformed frame: gemini: l2_updates BTCUSD change with side "bid"');
      expect(logger.lines).toContainEqual(expect.objectContaining({ message: 'malformed frame', fields: expect.objectContaining({ frame: bad, markets: [1] }) }));
      // Delta 2 came before the new snapshot: dropped.
      expectCounters(r.engine.feed(1), { malformedFrames: 1, resyncs: 1, snapshots: 2, deltas: 2 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });
});

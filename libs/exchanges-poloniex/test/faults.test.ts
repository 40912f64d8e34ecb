/**
 * Faults the Poloniex recording does not show: small sessions written here from the spec
 * (../shared/exchanges/poloniex.md §3–§8: `book_lv2` snapshot after subscribe, `lastId` = previous
 * `id`, `{"event":"error","message":..}` answers without a request id, `{"event":"ping"}` keepalive),
 * played by the replay server with its faults (skip, corrupt, drop, inject, stall) into the full
 * feed engine with this adapter. Every case checks the Status story, the counters, and that no
 * Spread leaves a market while its book is broken (between a non-live Status and the next `live`),
 * nor a crossed one.
 */
import type { FeedCounters, FeedEvent, FeedSpec, StatusEvent, VenueAdapter } from '@level4/feed';
import { afterLive, bookSide, CaptureScript, clientFrames, collectingLogger, ladder, priceText, replayRunner, sizeOf, spreadsOf, states, statusStory, tradesOf, unsoundSpreads, type CaptureLine, type ReplayedFeeds, type TestPrices } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { createPoloniexAdapter, POLONIEX_URLS } from '../src/index.js';

const WS = POLONIEX_URLS.spotWs;
const TIMING = { reconnectMinMs: 20, reconnectMaxMs: 100, resyncTimeoutMs: 300, subscribeRetryMs: 50 } as const;
const T0 = 1_760_000_000_000;

type Level = [string, string];

// ---- sessions, written as Poloniex sends them ------------------------------------------------------

const script = new CaptureScript({ t0: T0, url: WS });
const { open, recv } = script;

/** A `book_lv2` frame of one symbol (spec §4): `id` this version, `lastId` the one before. */
function book(symbol: string, action: 'snapshot' | 'update', id: number, lastId: number, bids: readonly Level[], asks: readonly Level[]): CaptureLine {
  return recv({ channel: 'book_lv2', data: [{ symbol, createTime: script.t + 95, asks, bids, lastId, id, ts: script.t + 99 }], action });
}

function trade(symbol: string, id: string, side: 'buy' | 'sell', price: string, quantity: string): CaptureLine {
  return recv({ channel: 'trades', data: [{ symbol, amount: '1', quantity, takerSide: side, createTime: script.t + 95, price, id, ts: script.t + 99 }] });
}

const BTC: TestPrices = { bid: 100, ask: 100.1, tick: 0.1 };
const ETH: TestPrices = { bid: 2000, ask: 2000.5, tick: 0.5 };

function snapshot(symbol: string, p: TestPrices, id: number): CaptureLine {
  const { bids, asks } = ladder(p);
  return book(symbol, 'snapshot', id, id - 1, bids, asks);
}

/** An update that sets the best bid's size to `sizeOf(id)`; its `lastId` is `id - step` (ids need not step by one). */
function update(symbol: string, p: TestPrices, id: number, step = 1): CaptureLine {
  return book(symbol, 'update', id, id - step, [[priceText(p.bid), sizeOf(id)]], []);
}

function updates(symbol: string, p: TestPrices, from: number, to: number): CaptureLine[] {
  const out: CaptureLine[] = [];
  for (let id = from; id <= to; id++) out.push(update(symbol, p, id));
  return out;
}

/** An update's frame text names its symbol and `id`: `{"symbol":"BTC_USDT",...,"id":103,`. */
const isUpdate = (symbol: string, id: number) => (frame: string) => frame.includes(`"symbol":"${symbol}"`) && frame.includes(`"id":${id},`) && frame.includes('"action":"update"');

const ack = (channel: string, symbols: string[]) => recv({ event: 'subscribe', channel, symbols });

// ---- the engine under test ---------------------------------------------------------------------

/** GET /markets (poloniex.md §2) for the symbols these sessions use. */
function marketList(state: (symbol: string) => string = () => 'NORMAL'): string {
  return JSON.stringify(
    ['BTC_USDT', 'ETH_USDT'].map((symbol) => {
      const [base, quote] = symbol.split('_');
      return {
        symbol,
        baseCurrencyName: base,
        quoteCurrencyName: quote,
        displayName: `${base}/${quote}`,
        state: state(symbol),
        visibleStartTime: 1659018816626,
        tradableStartTime: 1659018816626,
        symbolTradeLimit: { symbol, priceScale: 2, quantityScale: 6, amountScale: 2, minQuantity: '0.000001', minAmount: '1', highestBid: '0', lowestAsk: '0' },
      };
    }),
  );
}

const MARKETS_URL = '/markets';
const INSTRUMENTS = { url: MARKETS_URL, body: marketList() };

const market = (id: number, base: string): FeedSpec => ({ id, venue: 'poloniex', type: 'spot', base, quote: 'USDT' });
const BTC_SPOT = market(1, 'BTC');
const ETH_SPOT = market(2, 'ETH');

const run = replayRunner({
  urls: POLONIEX_URLS,
  adapter: (urls) => createPoloniexAdapter({ urls }),
  markets: [BTC_SPOT],
  routes: [INSTRUMENTS],
  timing: TIMING,
  timeoutMs: 8_000,
});

// ---- what the events must show -----------------------------------------------------------------

/** Done once the market is live for the `n`-th time and has since published the top of update `id`. */
const reached =
  (marketId: number, n: number, id: number) =>
  (events: readonly FeedEvent[]): boolean =>
    spreadsOf(afterLive(events, marketId, n), marketId).some((x) => x.bidSize === sizeOf(id));

function expectCounters(feed: { counters: Readonly<FeedCounters> } | undefined, expected: Partial<FeedCounters>): void {
  expect(feed).toBeDefined();
  expect(feed!.counters).toMatchObject({ crossedBooks: 0, checksumFailures: 0, bufferOverflows: 0, ...expected });
}

interface Sent {
  event?: string;
  channel?: string[];
  symbols?: string[];
}

/** The client frames of one connection, parsed (they leave at 50 a second: wait for them with `vi.waitFor`). */
function sent(r: ReplayedFeeds, connection: number): Sent[] {
  return clientFrames<Sent>(r, connection);
}

/** The two frames of one (un)subscribe request: book, then trades. */
function request(event: 'subscribe' | 'unsubscribe', symbols: string[]): Sent[] {
  return [
    { event, channel: ['book_lv2'], symbols },
    { event, channel: ['trades'], symbols },
  ];
}

// ---- the cases ---------------------------------------------------------------------------------

describe('Poloniex faults through the replay server and the feed engine', () => {
  it('two markets on one socket: an id gap in one resyncs only that market (unsubscribe + subscribe); the other keeps its book, its spreads and its trades', async () => {
    const capture = [
      open(),
      ack('trades', ['BTC_USDT', 'ETH_USDT']),
      ack('book_lv2', ['BTC_USDT', 'ETH_USDT']),
      snapshot('BTC_USDT', BTC, 100),
      snapshot('ETH_USDT', ETH, 100),
      update('BTC_USDT', BTC, 101),
      update('ETH_USDT', ETH, 101),
      update('BTC_USDT', BTC, 102), // skipped on connection 1
      update('ETH_USDT', ETH, 102),
      update('BTC_USDT', BTC, 103), // lastId 102 != 101: the gap shows here
      update('ETH_USDT', ETH, 103),
      // What Poloniex sends after the engine's unsubscribe + subscribe: acks and a fresh snapshot.
      recv({ event: 'unsubscribe', channel: 'book_lv2', symbols: ['BTC_USDT'] }),
      ack('book_lv2', ['BTC_USDT']),
      snapshot('BTC_USDT', BTC, 300),
      update('ETH_USDT', ETH, 104),
      update('BTC_USDT', BTC, 301),
      update('ETH_USDT', ETH, 105),
      trade('ETH_USDT', '7001', 'sell', '2000.00', '0.1'),
    ];
    const r = await run({
      capture,
      markets: [BTC_SPOT, ETH_SPOT],
      faults: [{ kind: 'skip', connection: 1, frames: isUpdate('BTC_USDT', 102) }],
      until: (events) => reached(1, 2, 301)(events) && reached(2, 1, 105)(events) && tradesOf(events, 2).length > 0,
    });
    try {
      expect(r.completed).toBe(true);
      const btc = statusStory(r.events, 1);
      expect(btc.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(btc[3]![1]).toBe('sequence gap: expected previous 101, got 102');
      expectCounters(r.engine.feed(1), { gaps: 1, resyncs: 1, reconnects: 0, malformedFrames: 0, venueErrors: 0, snapshots: 2, deltas: 2 });
      expect(r.engine.feed(1)?.sequence).toBe(301);
      await vi.waitFor(() => expect(sent(r, 1).length).toBeGreaterThanOrEqual(6), { timeout: 3_000 });
      expect(sent(r, 1)).toEqual([...request('subscribe', ['BTC_USDT', 'ETH_USDT']), ...request('unsubscribe', ['BTC_USDT']), ...request('subscribe', ['BTC_USDT'])]);

      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(2), { gaps: 0, resyncs: 0, reconnects: 0, malformedFrames: 0, snapshots: 1, deltas: 5, trades: 1 });
      const resyncAt = r.events.findIndex((e) => e.kind === 'status' && e.marketId === 1 && e.state === 'resyncing');
      expect(spreadsOf(r.events.slice(resyncAt), 2).map((s) => s.bidSize)).toEqual([sizeOf(103), sizeOf(104), sizeOf(105)]);
      expect(tradesOf(r.events, 2).map((t) => [t.tradeId, t.side, t.price, t.size])).toEqual([['7001', 'sell', '2000.00', '0.1']]);
      expect(bookSide(r, 1, 'bid')).toEqual([
        ['100.00', sizeOf(301)],
        ['99.90', '2'],
        ['99.80', '3'],
      ]);
      expect(r.server.connections).toBe(1);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('ids that jump (lastId = previous id, not id - 1) chain; a later snapshot replaces the book; a corrupted lastId is a gap', async () => {
    const capture = [
      open(),
      snapshot('BTC_USDT', BTC, 100),
      update('BTC_USDT', BTC, 105, 5), // lastId 100
      update('BTC_USDT', BTC, 117, 12), // lastId 105
      // A snapshot mid-stream (spec §4: always reset on it): the ghost level goes, ids restart from it.
      book('BTC_USDT', 'snapshot', 200, 117, [['100.00', '7']], [['100.10', '1']]),
      update('BTC_USDT', BTC, 203, 3), // lastId 200; corrupted on connection 1 to lastId 199
      update('BTC_USDT', BTC, 204),
      book('BTC_USDT', 'snapshot', 400, 399, [['100.00', '9']], [['100.10', '1']]),
      update('BTC_USDT', BTC, 401),
    ];
    const r = await run({
      capture,
      faults: [{ kind: 'corrupt', connection: 1, frames: isUpdate('BTC_USDT', 203), edit: (f) => f.replace('"lastId":200,', '"lastId":199,') }],
      until: reached(1, 2, 401),
    });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(st[3]![1]).toBe('sequence gap: expected previous 200, got 199');
      expect(spreadsOf(r.events, 1).map((s) => s.bidSize)).toEqual(['1', sizeOf(105), sizeOf(117), '7', '9', sizeOf(401)]);
      // 105 and 117 chained; 204 came while the market waited for its snapshot.
      expectCounters(r.engine.feed(1), { gaps: 1, resyncs: 1, reconnects: 0, malformedFrames: 0, snapshots: 3, deltas: 3 });
      expect(r.engine.feed(1)?.sequence).toBe(401);
      expect(bookSide(r, 1, 'bid')).toEqual([['100.00', sizeOf(401)]]);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('truncated frame naming one symbol: counted and logged, that market resyncs, the other market on the socket keeps its book', async () => {
    const truncated = '{"channel":"book_lv2","data":[{"symbol":"BTC_USDT","createTime":1760000000000,"asks":[[';
    const capture = [
      open(),
      snapshot('BTC_USDT', BTC, 100),
      snapshot('ETH_USDT', ETH, 100),
      update('BTC_USDT', BTC, 101),
      update('ETH_USDT', ETH, 101),
      // <- the truncated frame goes here
      update('BTC_USDT', BTC, 102), // belongs to no book any more
      update('ETH_USDT', ETH, 102),
      snapshot('BTC_USDT', BTC, 300),
      update('ETH_USDT', ETH, 103),
      update('BTC_USDT', BTC, 301),
      update('ETH_USDT', ETH, 104),
    ];
    const logger = collectingLogger();
    const r = await run({
      capture,
      markets: [BTC_SPOT, ETH_SPOT],
      logger,
      faults: [{ kind: 'inject', connection: 1, before: isUpdate('BTC_USDT', 102), text: truncated }],
      until: (events) => reached(1, 2, 301)(events) && reached(2, 1, 104)(events),
    });
    try {
      expect(r.completed).toBe(true);
      const btc = statusStory(r.events, 1);
      expect(btc.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(btc[3]![1]).toMatch(/^malformed frame: poloniex: frame is not JSON/);
      expectCounters(r.engine.feed(1), { malformedFrames: 1, resyncs: 1, gaps: 0, reconnects: 0, snapshots: 2, deltas: 2 });
      expect(r.engine.feed(1)?.sequence).toBe(301);
      const warning = logger.lines.find((l) => l.message === 'malformed frame');
      expect(warning).toMatchObject({ level: 'warn', fields: { venue: 'poloniex', markets: [1], frame: truncated } });
      await vi.waitFor(() => expect(sent(r, 1).length).toBeGreaterThanOrEqual(6), { timeout: 3_000 });
      expect(sent(r, 1).slice(2)).toEqual([...request('unsubscribe', ['BTC_USDT']), ...request('subscribe', ['BTC_USDT'])]);

      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(2), { malformedFrames: 0, resyncs: 0, gaps: 0, reconnects: 0, snapshots: 1, deltas: 4 });
      expect(r.engine.feed(2)?.sequence).toBe(104);
      expect(r.server.connections).toBe(1);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('well-formed JSON of the wrong shape (lastId as text, a bad price): malformed, that market resyncs on its socket and recovers', async () => {
    const capture = [
      open(),
      snapshot('BTC_USDT', BTC, 100),
      ...updates('BTC_USDT', BTC, 101, 103),
      snapshot('BTC_USDT', BTC, 200),
      ...updates('BTC_USDT', BTC, 201, 202),
      snapshot('BTC_USDT', BTC, 300),
      update('BTC_USDT', BTC, 301),
    ];
    const logger = collectingLogger();
    const r = await run({
      capture,
      logger,
      faults: [
        { kind: 'corrupt', connection: 1, frames: isUpdate('BTC_USDT', 102), edit: (f) => f.replace('"lastId":101,', '"lastId":"101",') },
        // A level the order book cannot read: the adapter passes levels through, the engine rejects it.
        { kind: 'corrupt', connection: 1, frames: isUpdate('BTC_USDT', 202), edit: (f) => f.replace('"bids":[["100.00"', '"bids":[["1e5x"') },
      ],
      until: reached(1, 3, 301),
    });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live', 'resyncing', 'live']);
      expect(st[3]![1]).toBe('malformed frame: poloniex: book_lv2 BTC_USDT update without "lastId"');
      expect(st[5]![1]).toMatch(/^malformed frame: delta: bad price: "1e5x"/);
      expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'malformed frame', fields: expect.objectContaining({ markets: [1] }) }));
      const feed = r.engine.feed(1);
      expect(feed?.sequence).toBe(301);
      // 101, then 201, then 301; 103 came while the market waited for its snapshot.
      expectCounters(feed, { malformedFrames: 2, resyncs: 2, reconnects: 0, gaps: 0, snapshots: 3, deltas: 4 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('subscription error ({"event":"error"}, no request id to tie it to): logged; no snapshot comes, the resync timeout reconnects, live on the next connection', async () => {
    const refused = JSON.stringify({ event: 'error', message: 'Subscription failed' });
    const capture = [open(), recv(refused), open(), ack('book_lv2', ['BTC_USDT']), snapshot('BTC_USDT', BTC, 100), ...updates('BTC_USDT', BTC, 101, 103)];
    const logger = collectingLogger();
    const r = await run({ capture, logger, until: reached(1, 1, 103) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'resyncing', 'syncing', 'live']);
      expect(st[2]![1]).toBe(`no snapshot within ${TIMING.resyncTimeoutMs} ms`);
      expect(logger.lines).toContainEqual(
        expect.objectContaining({ level: 'warn', message: 'venue error', fields: expect.objectContaining({ error: 'Subscription failed', symbols: [] }) }),
      );
      expect(r.server.connections).toBe(2);
      await vi.waitFor(() => expect(sent(r, 2).length).toBeGreaterThanOrEqual(2), { timeout: 3_000 });
      expect(sent(r, 2)).toEqual(request('subscribe', ['BTC_USDT']));
      const feed = r.engine.feed(1);
      expect(feed?.state).toBe('live');
      // The error names no request or symbol, so it is not counted against the market.
      expectCounters(feed, { venueErrors: 0, gaps: 0, resyncs: 0, reconnects: 1, malformedFrames: 0, snapshots: 1, deltas: 3 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('a venue error while live (already subscribed, a failed answer): logged, the market stays live and keeps its book', async () => {
    const already = JSON.stringify({ event: 'error', message: 'Already subscribed' });
    const failedAck = JSON.stringify({ event: 'subscribe', channel: 'trades', symbols: ['BTC_USDT'], message: 'Subscription failed' });
    const capture = [open(), snapshot('BTC_USDT', BTC, 100), ...updates('BTC_USDT', BTC, 101, 104)];
    const logger = collectingLogger();
    const r = await run({
      capture,
      logger,
      faults: [
        { kind: 'inject', connection: 1, before: isUpdate('BTC_USDT', 102), text: already },
        { kind: 'inject', connection: 1, before: isUpdate('BTC_USDT', 103), text: failedAck },
      ],
      until: reached(1, 1, 104),
    });
    try {
      expect(r.completed).toBe(true);
      expect(states(r, 1)).toEqual(['starting', 'syncing', 'live']);
      const errors = logger.lines.filter((l) => l.message === 'venue error').map((l) => l.fields?.['error']);
      expect(errors).toEqual(['Already subscribed', 'subscribe failed: Subscription failed']);
      expectCounters(r.engine.feed(1), { venueErrors: 0, gaps: 0, resyncs: 0, reconnects: 0, malformedFrames: 0, snapshots: 1, deltas: 4 });
      expect(r.server.connections).toBe(1);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  // Poloniex documents no maintenance or reconnect message (spec §8): the server closes the socket.
  it('maintenance = the venue closes the connection: Status resyncing "connection closed", one reconnect, live from the fresh snapshot with no ghost levels', async () => {
    const ghost = '100.05';
    const capture = [
      open(),
      snapshot('BTC_USDT', BTC, 100),
      book('BTC_USDT', 'update', 101, 100, [[ghost, '9']], []),
      ...updates('BTC_USDT', BTC, 102, 105),
      open(),
      snapshot('BTC_USDT', BTC, 500),
      ...updates('BTC_USDT', BTC, 501, 503),
    ];
    // Snapshot, 101 and 102 are sent, then the socket is cut.
    const r = await run({ capture, faults: [{ kind: 'drop', connection: 1, afterFrames: 3 }], until: reached(1, 2, 503) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'syncing', 'live']);
      expect(st[3]![1]).toMatch(/^connection closed/);
      expect(spreadsOf(r.events, 1).some((s) => s.bidPrice === ghost)).toBe(true);
      const feed = r.engine.feed(1);
      expect(feed?.sequence).toBe(503);
      expectCounters(feed, { reconnects: 1, resyncs: 0, gaps: 0, malformedFrames: 0, snapshots: 2 });
      expect(r.engine.book(1)!.sizeAt('bid', ghost)).toBeUndefined();
      expect(bookSide(r, 1, 'bid')).toEqual([
        ['100.00', sizeOf(503)],
        ['99.90', '2'],
        ['99.80', '3'],
      ]);
      expect(spreadsOf(afterLive(r.events, 1, 2), 1).every((s) => s.bidPrice !== ghost)).toBe(true);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('keepalive: {"event":"ping"} goes out every interval; the pongs alone keep a quiet market live past livenessMs; when they stop it goes stale', async () => {
    // In this order: the recorded times (100 ms apart) are the replay's pace.
    const capture = [open(), snapshot('BTC_USDT', BTC, 100), ...updates('BTC_USDT', BTC, 101, 102)];
    for (let n = 0; n < 10; n++) capture.push(recv({ event: 'pong' }));
    // The real adapter, with its 20 s ping interval shortened for the test.
    const adapter = (urls: Record<string, string>): VenueAdapter => {
      const real = createPoloniexAdapter({ urls });
      return { ...real, keepalive: { intervalMs: 100, frame: real.keepalive!.frame } };
    };
    // Margins for a loaded machine: 1 s of pongs against 700 ms of liveness; the watchdog waits 1 s.
    const livenessMs = 700;
    const r = await run({ capture, adapter, pace: 'real', timing: { livenessMs, resyncTimeoutMs: 1_000 }, until: reached(1, 2, 102) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'stale', 'syncing', 'live']);
      expect(st[3]![1]).toMatch(/^stale: no data for \d+ ms$/);
      // The last book frame came ~300 ms after the open; the ten pongs (100 ms apart) kept it live ~1 s longer.
      const status = r.events.filter((e): e is StatusEvent => e.kind === 'status' && e.marketId === 1);
      const liveAt = status.find((e) => e.state === 'live')!.time;
      const staleAt = status.find((e) => e.state === 'stale')!.time;
      expect((staleAt - liveAt) / 1000).toBeGreaterThan(900 + livenessMs);
      const pings = r.server.received.filter((x) => x.connection === 1 && x.data === '{"event":"ping"}');
      expect(pings.length).toBeGreaterThanOrEqual(8);
      expectCounters(r.engine.feed(1), { reconnects: 1, resyncs: 0, gaps: 0, malformedFrames: 0, snapshots: 2 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  // A stalled replay is a hung peer: no data and no pongs.
  it('stalled socket: no data past livenessMs -> Status stale, a reconnect, live again on connection 2', async () => {
    const capture = [open(), snapshot('BTC_USDT', BTC, 100), ...updates('BTC_USDT', BTC, 101, 105)];
    const r = await run({ capture, timing: { livenessMs: 300 }, faults: [{ kind: 'stall', connection: 1, afterFrames: 3 }], until: reached(1, 2, 105) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'stale', 'syncing', 'live']);
      expect(st[3]![1]).toMatch(/^stale: no data for \d+ ms$/);
      expect(r.server.connections).toBe(2);
      const feed = r.engine.feed(1);
      expect(feed?.sequence).toBe(105);
      expectCounters(feed, { reconnects: 1, resyncs: 0, gaps: 0, malformedFrames: 0, snapshots: 2 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('a market the venue lists as PAUSE is unsubscribed and failed; it comes back when it is NORMAL again', async () => {
    const capture = [open(), snapshot('BTC_USDT', BTC, 100), ...updates('BTC_USDT', BTC, 101, 103)];
    const paused = marketList((s) => (s === 'BTC_USDT' ? 'PAUSE' : 'NORMAL'));
    // The market list is answered three times, in order: at start, at the first refresh, at the second.
    const routes = [INSTRUMENTS, { url: MARKETS_URL, body: paused }, INSTRUMENTS];
    const r = await run({ capture, routes, until: reached(1, 1, 103) });
    try {
      await r.engine.refreshInstruments();
      expect(statusStory(r.events, 1).at(-1)).toEqual(['failed', 'BTC_USDT is not trading: venue status PAUSE']);

      await r.engine.refreshInstruments();
      await vi.waitFor(() => expect(statusStory(r.events, 1).at(-1)![0]).toBe('live'), { timeout: 10_000 });
      expect(states(r, 1)).toEqual(['starting', 'syncing', 'live', 'failed', 'syncing', 'live']);
      expect(r.server.requests.filter((q) => q.url === MARKETS_URL)).toHaveLength(3);
      // Its socket (it was the only market on it) was closed when it halted: its return needed a new one.
      expect(r.server.connections).toBe(2);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });
});

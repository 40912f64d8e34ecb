/**
 * Faults the HitBTC recordings do not show: small sessions written here from the spec
 * (../shared/exchanges/hitbtc.md §3–§8: `orderbook/full` snapshot after subscribe, `s` + 1 per
 * update, `{"error":{..},"id":n}` answers, server pings only), played by the replay server with its
 * faults (skip, drop, inject, stall) into the full feed engine with this adapter. Every case checks
 * the Status story, the counters, and that no Spread leaves a market while its book is broken
 * (between a non-live Status and the next `live`), nor a crossed one.
 */
import type { FeedCounters, FeedEvent, FeedSpec, MarketType } from '@level4/feed';
import { afterLive, bookSide, CaptureScript, clientFrames, collectingLogger, ladder, priceText, replayRunner, sizeOf, spreadsOf, states, statusStory, tradesOf, unsoundSpreads, type CaptureLine, type ReplayedFeeds, type TestPrices } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { createHitbtcAdapter, HITBTC_URLS } from '../src/index.js';

const WS = HITBTC_URLS.ws;
const TIMING = { reconnectMinMs: 20, reconnectMaxMs: 100, resyncTimeoutMs: 300, subscribeRetryMs: 50 } as const;
const T0 = 1_760_000_000_000;

type Level = [string, string];

// ---- sessions, written as HitBTC sends them -------------------------------------------------------

const script = new CaptureScript({ t0: T0, url: WS });
const { open, recv } = script;

/** `orderbook/full` snapshot or update of one symbol (spec §4). */
function book(symbol: string, kind: 'snapshot' | 'update', s: number, b: readonly Level[], a: readonly Level[]): CaptureLine {
  return recv({ ch: 'orderbook/full', [kind]: { [symbol]: { t: script.t + 99, s, a, b } } });
}

function trade(symbol: string, id: number, side: 'buy' | 'sell', price: string, size: string): CaptureLine {
  return recv({ ch: 'trades', update: { [symbol]: [{ t: script.t + 99, i: id, p: price, q: size, s: side }] } });
}

const BTC: TestPrices = { bid: 100, ask: 100.1, tick: 0.1 };
const ETH: TestPrices = { bid: 2000, ask: 2000.5, tick: 0.5 };

function snapshot(symbol: string, p: TestPrices, s: number): CaptureLine {
  const { bids, asks } = ladder(p);
  return book(symbol, 'snapshot', s, bids, asks);
}

/** An update that sets the best bid's size to `sizeOf(s)`. */
function update(symbol: string, p: TestPrices, s: number): CaptureLine {
  return book(symbol, 'update', s, [[priceText(p.bid), sizeOf(s)]], []);
}

function updates(symbol: string, p: TestPrices, from: number, to: number): CaptureLine[] {
  const out: CaptureLine[] = [];
  for (let s = from; s <= to; s++) out.push(update(symbol, p, s));
  return out;
}

/** An update's frame text names its symbol and `s`: `"update":{"BTCUSDT":{"t":..,"s":103,`. */
const isUpdate = (symbol: string, s: number) => (frame: string) => frame.includes(`"update":{"${symbol}":`) && frame.includes(`"s":${s},`);

// ---- the engine under test ---------------------------------------------------------------------

/** GET /api/3/public/symbol (hitbtc.md §2) for the symbols these sessions use, spot and futures. */
function symbolList(status: (symbol: string) => string = () => 'working'): string {
  const body: Record<string, unknown> = {};
  for (const [symbol, base, type] of [
    ['BTCUSDT', 'BTC', 'spot'],
    ['ETHUSDT', 'ETH', 'spot'],
    ['BTCUSDT_PERP', 'BTC', 'futures'],
    ['ETHUSDT_PERP', 'ETH', 'futures'],
  ] as const) {
    body[symbol] = {
      type,
      ...(type === 'futures' ? { expiry: null, underlying: base } : {}),
      base_currency: base,
      quote_currency: 'USDT',
      status: status(symbol),
      quantity_increment: '0.0001',
      tick_size: '0.01',
      take_rate: '0.0025',
      make_rate: '0.001',
      fee_currency: 'USDT',
      margin_trading: true,
      max_initial_leverage: '10.00',
    };
  }
  return JSON.stringify(body);
}

const SYMBOLS_URL = '/api/3/public/symbol';
const INSTRUMENTS = { url: SYMBOLS_URL, body: symbolList() };

const market = (id: number, type: MarketType, base: string): FeedSpec => ({ id, venue: 'hitbtc', type, base, quote: 'USDT' });
const BTC_SPOT = market(1, 'spot', 'BTC');
const ETH_SPOT = market(2, 'spot', 'ETH');

const run = replayRunner({
  urls: HITBTC_URLS,
  adapter: (urls) => createHitbtcAdapter({ urls }),
  markets: [BTC_SPOT],
  routes: [INSTRUMENTS],
  timing: TIMING,
  timeoutMs: 8_000,
});

// ---- what the events must show -----------------------------------------------------------------

/** Done once the market is live for the `n`-th time and has since published the top of update `s`. */
const reached =
  (id: number, n: number, s: number) =>
  (events: readonly FeedEvent[]): boolean =>
    spreadsOf(afterLive(events, id, n), id).some((x) => x.bidSize === sizeOf(s));

function expectCounters(feed: { counters: Readonly<FeedCounters> } | undefined, expected: Partial<FeedCounters>): void {
  expect(feed).toBeDefined();
  expect(feed!.counters).toMatchObject({ crossedBooks: 0, checksumFailures: 0, bufferOverflows: 0, ...expected });
}

interface Sent {
  method?: string;
  ch?: string;
  params?: { symbols?: string[]; limit?: number };
  id?: number;
}

/**
 * The client frames of one connection, parsed. They leave at the venue's rate of 10 a second, so
 * they may trail the events: wait for them with `vi.waitFor`.
 */
function sent(r: ReplayedFeeds, connection: number): Sent[] {
  return clientFrames<Sent>(r, connection);
}

/** The two frames of one (un)subscribe request: book, then trades (no history on subscribe). */
function request(method: 'subscribe' | 'unsubscribe', symbols: string[], id: number): Sent[] {
  return [
    { method, ch: 'orderbook/full', params: { symbols }, id },
    { method, ch: 'trades', params: method === 'subscribe' ? { symbols, limit: 0 } : { symbols }, id },
  ];
}

const ack = (ch: string, symbols: string[], id: number) => recv({ result: { ch, subscriptions: symbols }, id });

// ---- the cases ---------------------------------------------------------------------------------

describe('HitBTC faults through the replay server and the feed engine', () => {
  it('futures, two markets on one socket: a gap in one resyncs only that market (unsubscribe + subscribe); the other keeps its book and its spreads', async () => {
    const capture = [
      open(),
      ack('orderbook/full', ['BTCUSDT_PERP', 'ETHUSDT_PERP'], 1),
      ack('trades', ['BTCUSDT_PERP', 'ETHUSDT_PERP'], 1),
      snapshot('BTCUSDT_PERP', BTC, 100),
      snapshot('ETHUSDT_PERP', ETH, 100),
      update('BTCUSDT_PERP', BTC, 101),
      update('ETHUSDT_PERP', ETH, 101),
      update('BTCUSDT_PERP', BTC, 102), // skipped on connection 1
      update('ETHUSDT_PERP', ETH, 102),
      update('BTCUSDT_PERP', BTC, 103), // the gap shows here
      update('ETHUSDT_PERP', ETH, 103),
      // What HitBTC sends after the engine's unsubscribe + subscribe: a fresh snapshot.
      snapshot('BTCUSDT_PERP', BTC, 300),
      update('ETHUSDT_PERP', ETH, 104),
      update('BTCUSDT_PERP', BTC, 301),
      update('ETHUSDT_PERP', ETH, 105),
      trade('ETHUSDT_PERP', 7001, 'sell', '2000.00', '0.1'),
    ];
    const r = await run({
      capture,
      markets: [market(1, 'futures', 'BTC'), market(2, 'futures', 'ETH')],
      faults: [{ kind: 'skip', connection: 1, frames: isUpdate('BTCUSDT_PERP', 102) }],
      until: (events) => reached(1, 2, 301)(events) && reached(2, 1, 105)(events) && tradesOf(events, 2).length > 0,
    });
    try {
      expect(r.completed).toBe(true);
      const btc = statusStory(r.events, 1);
      expect(btc.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(btc[3]![1]).toBe('sequence gap: expected 102, got 103..103');
      expectCounters(r.engine.feed(1), { gaps: 1, resyncs: 1, reconnects: 0, malformedFrames: 0, venueErrors: 0, snapshots: 2, deltas: 2 });
      expect(r.engine.feed(1)?.sequence).toBe(301);
      await vi.waitFor(() => expect(sent(r, 1).length).toBeGreaterThanOrEqual(6), { timeout: 3_000 });
      expect(sent(r, 1)).toEqual([
        ...request('subscribe', ['BTCUSDT_PERP', 'ETHUSDT_PERP'], 1),
        ...request('unsubscribe', ['BTCUSDT_PERP'], 2),
        ...request('subscribe', ['BTCUSDT_PERP'], 3),
      ]);

      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(2), { gaps: 0, resyncs: 0, reconnects: 0, malformedFrames: 0, snapshots: 1, deltas: 5, trades: 1 });
      const resyncAt = r.events.findIndex((e) => e.kind === 'status' && e.marketId === 1 && e.state === 'resyncing');
      expect(spreadsOf(r.events.slice(resyncAt), 2).map((s) => s.bidSize)).toEqual([sizeOf(103), sizeOf(104), sizeOf(105)]);
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

  it('sequence gap with no fresh snapshot after the resubscribe: the market reconnects and is live again from the next session', async () => {
    const capture = [open(), snapshot('BTCUSDT', BTC, 100), ...updates('BTCUSDT', BTC, 101, 106), trade('BTCUSDT', 9001, 'buy', '100.10', '0.5')];
    // Long enough for the four frames of unsubscribe + subscribe to leave at 10 a second.
    const resyncTimeoutMs = 1_000;
    const r = await run({ capture, timing: { resyncTimeoutMs }, faults: [{ kind: 'skip', connection: 1, frames: isUpdate('BTCUSDT', 103) }], until: reached(1, 2, 106) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'resyncing', 'syncing', 'live']);
      expect(st[3]![1]).toBe('sequence gap: expected 103, got 104..104');
      expect(st[4]![1]).toBe(`no snapshot within ${resyncTimeoutMs} ms`);
      await vi.waitFor(() => expect(sent(r, 2).length).toBeGreaterThanOrEqual(2), { timeout: 3_000 });
      expect(sent(r, 1)).toEqual([...request('subscribe', ['BTCUSDT'], 1), ...request('unsubscribe', ['BTCUSDT'], 2), ...request('subscribe', ['BTCUSDT'], 3)]);
      expect(r.server.connections).toBe(2);
      expect(sent(r, 2).map((f) => [f.method, f.ch, f.params?.symbols])).toEqual([
        ['subscribe', 'orderbook/full', ['BTCUSDT']],
        ['subscribe', 'trades', ['BTCUSDT']],
      ]);
      const feed = r.engine.feed(1);
      expect(feed?.state).toBe('live');
      expect(feed?.sequence).toBe(106);
      // Connection 1 applied 101 and 102 (104.. belonged to no book), connection 2 all six.
      expectCounters(feed, { gaps: 1, resyncs: 1, reconnects: 1, malformedFrames: 0, snapshots: 2, deltas: 2 + 6 });
      expect(bookSide(r, 1, 'bid')[0]).toEqual(['100.00', sizeOf(106)]);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('truncated frame naming one symbol: counted and logged, that market resyncs, the other market on the socket keeps its book', async () => {
    const truncated = '{"ch":"orderbook/full","update":{"BTCUSDT":{"t":1760000000000,"s":103,"a":[[';
    const capture = [
      open(),
      snapshot('BTCUSDT', BTC, 100),
      snapshot('ETHUSDT', ETH, 100),
      update('BTCUSDT', BTC, 101),
      update('ETHUSDT', ETH, 101),
      update('BTCUSDT', BTC, 102),
      update('ETHUSDT', ETH, 102),
      // <- the truncated frame goes here
      update('BTCUSDT', BTC, 103), // belongs to no book any more
      update('ETHUSDT', ETH, 103),
      snapshot('BTCUSDT', BTC, 300),
      update('ETHUSDT', ETH, 104),
      update('BTCUSDT', BTC, 301),
      update('ETHUSDT', ETH, 105),
    ];
    const logger = collectingLogger();
    const r = await run({
      capture,
      markets: [BTC_SPOT, ETH_SPOT],
      logger,
      faults: [{ kind: 'inject', connection: 1, before: isUpdate('BTCUSDT', 103), text: truncated }],
      until: (events) => reached(1, 2, 301)(events) && reached(2, 1, 105)(events),
    });
    try {
      expect(r.completed).toBe(true);
      const btc = statusStory(r.events, 1);
      expect(btc.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(btc[3]![1]).toMatch(/^malformed frame: hitbtc: frame is not JSON/);
      expectCounters(r.engine.feed(1), { malformedFrames: 1, resyncs: 1, gaps: 0, reconnects: 0, snapshots: 2 });
      expect(r.engine.feed(1)?.sequence).toBe(301);
      const warning = logger.lines.find((l) => l.message === 'malformed frame');
      expect(warning).toMatchObject({ level: 'warn', fields: { venue: 'hitbtc', markets: [1], frame: truncated } });
      await vi.waitFor(() => expect(sent(r, 1).length).toBeGreaterThanOrEqual(6), { timeout: 3_000 });
      expect(sent(r, 1).slice(2)).toEqual([...request('unsubscribe', ['BTCUSDT'], 2), ...request('subscribe', ['BTCUSDT'], 3)]);

      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(2), { malformedFrames: 0, resyncs: 0, gaps: 0, reconnects: 0, snapshots: 1, deltas: 5 });
      expect(r.engine.feed(2)?.sequence).toBe(105);
      expect(r.server.connections).toBe(1);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('well-formed JSON of the wrong shape (sequence as text): malformed, that market resyncs on its socket and recovers', async () => {
    const capture = [open(), snapshot('BTCUSDT', BTC, 100), ...updates('BTCUSDT', BTC, 101, 103), snapshot('BTCUSDT', BTC, 200), ...updates('BTCUSDT', BTC, 201, 202)];
    const logger = collectingLogger();
    const r = await run({
      capture,
      logger,
      faults: [{ kind: 'corrupt', connection: 1, frames: isUpdate('BTCUSDT', 102), edit: (f) => f.replace('"s":102,', '"s":"102",') }],
      until: reached(1, 2, 202),
    });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(st[3]![1]).toBe('malformed frame: hitbtc: orderbook/full BTCUSDT without sequence "s"');
      expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'malformed frame', fields: expect.objectContaining({ markets: [1] }) }));
      const feed = r.engine.feed(1);
      expect(feed?.sequence).toBe(202);
      // 101 before, 201 and 202 after; 103 came while the market waited for its snapshot.
      expectCounters(feed, { malformedFrames: 1, resyncs: 1, reconnects: 0, gaps: 0, snapshots: 2, deltas: 3 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('subscription error (2001 Symbol not found): Status failed with the venue message, retried, then live on the next connection', async () => {
    const refused = { error: { code: 2001, message: 'Symbol not found', description: 'Try get /api/3/public/symbol, to get list of all available symbols.' }, id: 1 };
    const message = '2001 Symbol not found: Try get /api/3/public/symbol, to get list of all available symbols.';
    const capture = [open(), recv(refused), open(), snapshot('BTCUSDT', BTC, 100), ...updates('BTCUSDT', BTC, 101, 103)];
    const logger = collectingLogger();
    // Long enough for the retried request's two frames to leave at 10 a second before the reconnect.
    const r = await run({ capture, logger, timing: { resyncTimeoutMs: 1_000 }, until: reached(1, 1, 103) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'failed', 'syncing', 'resyncing', 'syncing', 'live']);
      expect(st[2]![1]).toBe(`venue error: ${message}`);
      expect(st[3]![1]).toBe('retrying subscription');
      await vi.waitFor(() => expect(sent(r, 2).length).toBeGreaterThanOrEqual(2), { timeout: 3_000 });
      // The refused request was tried again on the same socket, after subscribeRetryMs.
      expect(sent(r, 1)).toEqual([...request('subscribe', ['BTCUSDT'], 1), ...request('subscribe', ['BTCUSDT'], 2)]);
      expect(logger.lines).toContainEqual(
        expect.objectContaining({ level: 'warn', message: 'venue error', fields: expect.objectContaining({ error: message, request: 1, symbols: ['BTCUSDT'] }) }),
      );
      const feed = r.engine.feed(1);
      expect(feed?.state).toBe('live');
      expectCounters(feed, { venueErrors: 1, gaps: 0, resyncs: 0, reconnects: 1, malformedFrames: 0, snapshots: 1, deltas: 3 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('a venue error that answers no request (invalid json): logged, the market stays live and keeps its book', async () => {
    const invalid = JSON.stringify({ error: { code: 1, message: 'Invalid json', description: 'unexpected end of JSON input' } });
    const capture = [open(), snapshot('BTCUSDT', BTC, 100), ...updates('BTCUSDT', BTC, 101, 104)];
    const logger = collectingLogger();
    const r = await run({ capture, logger, faults: [{ kind: 'inject', connection: 1, before: isUpdate('BTCUSDT', 103), text: invalid }], until: reached(1, 1, 104) });
    try {
      expect(r.completed).toBe(true);
      expect(states(r, 1)).toEqual(['starting', 'syncing', 'live']);
      expect(logger.lines).toContainEqual(
        expect.objectContaining({ level: 'warn', message: 'venue error', fields: expect.objectContaining({ error: '1 Invalid json: unexpected end of JSON input', symbols: [] }) }),
      );
      expectCounters(r.engine.feed(1), { venueErrors: 0, gaps: 0, resyncs: 0, reconnects: 0, malformedFrames: 0, snapshots: 1, deltas: 4 });
      expect(r.server.connections).toBe(1);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('maintenance (503 Service Unavailable): the engine reconnects at once, resyncs on connection 2, live again', async () => {
    const down = JSON.stringify({ error: { code: 503, message: 'Service Unavailable', description: 'Try it again later' } });
    const capture = [open(), snapshot('BTCUSDT', BTC, 100), ...updates('BTCUSDT', BTC, 101, 104)];
    const r = await run({
      capture,
      // The notice comes once, on connection 1, before 103 (connection 2 replays the session without it).
      faults: [{ kind: 'inject', connection: 1, before: isUpdate('BTCUSDT', 103), text: down }],
      until: reached(1, 2, 104),
    });
    try {
      expect(r.completed).toBe(true);
      expect(statusStory(r.events, 1)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['live', ''],
        ['resyncing', 'venue asked to reconnect: hitbtc: 503 Service Unavailable: Try it again later'],
        ['syncing', ''],
        ['live', ''],
      ]);
      expectCounters(r.engine.feed(1), { reconnects: 1, resyncs: 0, gaps: 0, malformedFrames: 0, venueErrors: 0, snapshots: 2 });
      expect(r.server.connections).toBe(2);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('the venue closes the connection: Status resyncing "connection closed", one reconnect, live from the fresh snapshot with no ghost levels', async () => {
    const ghost = '100.05';
    const capture = [
      open(),
      snapshot('BTCUSDT', BTC, 100),
      book('BTCUSDT', 'update', 101, [[ghost, '9']], []),
      ...updates('BTCUSDT', BTC, 102, 105),
      open(),
      snapshot('BTCUSDT', BTC, 500),
      ...updates('BTCUSDT', BTC, 501, 503),
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

  // A stalled replay is a hung peer: no data and no pongs to the engine's protocol pings.
  it('stalled socket: no data past livenessMs -> Status stale, a reconnect, live again on connection 2', async () => {
    const capture = [open(), snapshot('BTCUSDT', BTC, 100), ...updates('BTCUSDT', BTC, 101, 105)];
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

  it('a symbol the venue silently leaves out of its ack: Status failed saying so, the subscription is retried, live once the venue serves it', async () => {
    // HitBTC answers a subscribe for a symbol it does not serve with an ack that simply omits it (spec §3).
    const capture = [
      open(),
      ack('orderbook/full', [], 1),
      ack('trades', [], 1),
      open(),
      ack('orderbook/full', ['BTCUSDT'], 1),
      ack('trades', ['BTCUSDT'], 1),
      snapshot('BTCUSDT', BTC, 100),
      ...updates('BTCUSDT', BTC, 101, 102),
    ];
    const r = await run({ capture, until: reached(1, 1, 102) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      // The ack's list proves the refusal at once (no waiting for a snapshot that cannot come); the
      // retry on connection 1 gets no answer from this recording, so the watchdog opens connection 2.
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'failed', 'syncing', 'resyncing', 'syncing', 'live']);
      expect(st[2]![1]).toBe("venue error: BTCUSDT is missing from the venue's subscribe answer (not served)");
      expect(st[3]![1]).toBe('retrying subscription');
      expect(r.server.connections).toBe(2);
      expectCounters(r.engine.feed(1), { venueErrors: 1, gaps: 0, resyncs: 0, reconnects: 1, malformedFrames: 0, snapshots: 1, deltas: 2 });
      expect(r.engine.feed(1)?.sequence).toBe(102);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('a symbol the venue stops listing as working is unsubscribed and failed; it comes back when it works again', async () => {
    const capture = [open(), snapshot('BTCUSDT', BTC, 100), ...updates('BTCUSDT', BTC, 101, 103)];
    const suspended = symbolList((s) => (s === 'BTCUSDT' ? 'suspended' : 'working'));
    // The symbol list is answered three times, in order: at start, at the first refresh, at the second.
    const routes = [INSTRUMENTS, { url: SYMBOLS_URL, body: suspended }, INSTRUMENTS];
    const r = await run({ capture, routes, until: reached(1, 1, 103) });
    try {
      await r.engine.refreshInstruments();
      expect(statusStory(r.events, 1).at(-1)).toEqual(['failed', 'BTCUSDT is not trading: venue status suspended']);

      await r.engine.refreshInstruments();
      await vi.waitFor(() => expect(statusStory(r.events, 1).at(-1)![0]).toBe('live'), { timeout: 10_000 });
      expect(states(r, 1)).toEqual(['starting', 'syncing', 'live', 'failed', 'syncing', 'live']);
      expect(r.server.requests.filter((q) => q.url === SYMBOLS_URL)).toHaveLength(3);
      // Its socket (it was the only market on it) was closed when it halted: its return needed a new one.
      expect(r.server.connections).toBe(2);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });
});

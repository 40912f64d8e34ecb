/**
 * Faults the Coinbase recording does not show: small sessions written here from the spec
 * (../shared/exchanges/coinbase.md §3–§8: `sequence_num` per connection across all channels,
 * in-band `l2_data` snapshot, heartbeats, error frames without product), played by the replay
 * server with its faults (skip, inject, stall) into the full feed engine with this adapter. Every
 * case checks the Status story, the counters, and that no Spread leaves a market while its book is
 * broken (between a non-live Status and the next `live`), nor a crossed one.
 */
import type { FeedCounters, FeedEvent, FeedSpec } from '@level4/feed';
import { afterLive, bookSide, CaptureScript, clientFrames, collectingLogger, ladder, priceText, replayRunner, sizeOf, spreadsOf, states, statusStory, tradesOf, unsoundSpreads, type CaptureLine, type ReplayedFeeds, type TestPrices } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { COINBASE_URLS, createCoinbaseAdapter } from '../src/index.js';

const WS = COINBASE_URLS.spotWs;
const TIMING = { reconnectMinMs: 20, reconnectMaxMs: 100, resyncTimeoutMs: 300, subscribeRetryMs: 50 } as const;
const T0 = Date.parse('2026-08-09T21:05:48Z');

// ---- sessions, written as Coinbase sends them ------------------------------------------------------

/** Step 0: every line below moves the clock itself (100 ms, or a frame's own gap). */
const script = new CaptureScript({ t0: T0, step: 0, url: WS });
/** `sequence_num` of the next frame on the current connection (0 after each open). */
let seq = 0;
const stamp = () => new Date(script.t).toISOString().replace('Z', '123456Z');

function open(): CaptureLine {
  seq = 0;
  script.tick(100);
  return script.open();
}

/** A frame with the envelope: channel, timestamp, the connection's next sequence_num, events. */
function recv(channel: string, events: unknown[], ms = 100): CaptureLine {
  script.tick(ms);
  return script.recv({ channel, client_id: '', timestamp: stamp(), sequence_num: seq++, events });
}

function raw(text: string): CaptureLine {
  script.tick(100);
  return script.recv(text);
}

const subscriptions = (products: string[]) => recv('subscriptions', [{ subscriptions: { level2: products, ticker: products, market_trades: products } }]);
const heartbeat = (counter: number, ms = 100) => recv('heartbeats', [{ current_time: '2026-08-09 21:05:48.854840045 +0000 UTC m=+41691.260485341', heartbeat_counter: counter }], ms);

const BTC: TestPrices = { bid: 100, ask: 100.1, tick: 0.1 };
const ETH: TestPrices = { bid: 2000, ask: 2000.5, tick: 0.5 };
const level = (side: 'bid' | 'offer', p: string, q: string) => ({ side, event_time: '1970-01-01T00:00:00Z', price_level: p, new_quantity: q });

function bookEvent(product: string, p: TestPrices) {
  const { bids, asks } = ladder(p);
  const updates = bids.flatMap((bid, n) => [level('offer', ...(asks[n] as [string, string])), level('bid', ...bid)]);
  return { type: 'snapshot', product_id: product, updates };
}

const snapshot = (product: string, p: TestPrices) => recv('l2_data', [bookEvent(product, p)]);
const updateEvent = (product: string, p: TestPrices, n: number) => ({ type: 'update', product_id: product, updates: [level('bid', priceText(p.bid), sizeOf(n))] });
const update = (product: string, p: TestPrices, n: number) => recv('l2_data', [updateEvent(product, p, n)]);

function updates(product: string, p: TestPrices, from: number, to: number): CaptureLine[] {
  const out: CaptureLine[] = [];
  for (let n = from; n <= to; n++) out.push(update(product, p, n));
  return out;
}

const trade = (product: string, id: string, side: 'BUY' | 'SELL', p: string, size: string) =>
  recv('market_trades', [{ type: 'update', trades: [{ product_id: product, trade_id: id, price: p, size, side, time: '2026-08-09T21:05:48.167634Z' }] }]);

/** An update's frame text names its size: `"new_quantity":"103.5"`. */
const isUpdate = (product: string, n: number) => (frame: string) => frame.includes(`"product_id":"${product}"`) && frame.includes(`"new_quantity":"${sizeOf(n)}"`);
const isHeartbeat = (counter: number) => (frame: string) => frame.includes(`"heartbeat_counter":${counter}}`);

// ---- the engine under test ---------------------------------------------------------------------

/** GET /market/products (coinbase.md §2) for the products these sessions use. */
const PRODUCTS = {
  url: '/api/v3/brokerage/market/products?product_type=SPOT',
  body: JSON.stringify({
    products: [
      ['BTC-USD', 'BTC', 'USD'],
      ['ETH-USD', 'ETH', 'USD'],
    ].map(([product_id, base, quote]) => ({
      product_id,
      base_currency_id: base,
      quote_currency_id: quote,
      price_increment: '0.01',
      base_increment: '0.00000001',
      status: 'online',
      trading_disabled: false,
      is_disabled: false,
      product_type: 'SPOT',
      product_venue: 'CBE',
      alias: '',
      alias_to: [],
    })),
    num_products: 2,
    pagination: { prev_cursor: '', next_cursor: '', has_next: false, has_prev: false },
  }),
};

const BTC_MARKET: FeedSpec = { id: 1, venue: 'coinbase', type: 'spot', base: 'BTC', quote: 'USD' };
const ETH_MARKET: FeedSpec = { id: 2, venue: 'coinbase', type: 'spot', base: 'ETH', quote: 'USD' };

const run = replayRunner({
  urls: COINBASE_URLS,
  adapter: (urls) => createCoinbaseAdapter({ urls }),
  markets: [BTC_MARKET],
  routes: [PRODUCTS],
  timing: TIMING,
  timeoutMs: 8_000,
});

// ---- what the events must show -----------------------------------------------------------------

/** Done once the market is live for the `n`-th time and has since published the top of update `u`. */
const reached =
  (id: number, n: number, u: number) =>
  (events: readonly FeedEvent[]): boolean =>
    spreadsOf(afterLive(events, id, n), id).some((s) => s.bidSize === sizeOf(u));

function expectCounters(feed: { counters: Readonly<FeedCounters> } | undefined, expected: Partial<FeedCounters>): void {
  expect(feed).toBeDefined();
  expect(feed!.counters).toMatchObject({ crossedBooks: 0, checksumFailures: 0, bufferOverflows: 0, ...expected });
}

/** The client frames of one connection, parsed (they leave at 5 a second: wait for them with `vi.waitFor`). */
const sent = (r: ReplayedFeeds, connection: number) => clientFrames<{ type?: string; channel?: string; product_ids?: string[] }>(r, connection);

const frames = (type: 'subscribe' | 'unsubscribe', products: string[]) =>
  ['level2', 'ticker', 'market_trades'].map((channel) => ({ type, product_ids: products, channel }));
const HEARTBEATS = { type: 'subscribe', channel: 'heartbeats' };

// ---- the cases ---------------------------------------------------------------------------------

describe('Coinbase faults through the replay server and the feed engine', () => {
  it('sequence_num gap (a lost heartbeat): every market of the socket resyncs on a new connection and is live again', async () => {
    const session = () => [
      open(),
      subscriptions(['BTC-USD', 'ETH-USD']),
      snapshot('BTC-USD', BTC),
      snapshot('ETH-USD', ETH),
      update('BTC-USD', BTC, 101),
      heartbeat(41691), // sequence_num 4: lost on connection 1
      update('ETH-USD', ETH, 101),
      update('BTC-USD', BTC, 102),
    ];
    const capture = [...session(), ...session()];
    const r = await run({
      capture,
      markets: [BTC_MARKET, ETH_MARKET],
      faults: [{ kind: 'skip', connection: 1, frames: isHeartbeat(41691) }],
      until: (events) => reached(1, 2, 102)(events) && reached(2, 2, 101)(events),
    });
    try {
      expect(r.completed).toBe(true);
      for (const id of [1, 2]) {
        const st = statusStory(r.events, id);
        expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'syncing', 'live']);
        expect(st[3]![1]).toBe('connection sequence gap: expected 4, got 5');
        expectCounters(r.engine.feed(id), { gaps: 1, reconnects: 1, resyncs: 0, malformedFrames: 0, snapshots: 2 });
        expect(unsoundSpreads(r.events, id, { bothSides: true })).toEqual([]);
      }
      // The frame after the gap (ETH 101) was not applied on connection 1: ETH took one update in all.
      expect(r.engine.feed(2)?.counters.deltas).toBe(1);
      expect(r.engine.feed(1)?.counters.deltas).toBe(1 + 2);
      expect(r.server.connections).toBe(2);
      await vi.waitFor(() => expect(sent(r, 2)).toHaveLength(4), { timeout: 3_000 });
      expect(sent(r, 2)).toEqual([HEARTBEATS, ...frames('subscribe', ['BTC-USD', 'ETH-USD'])]);
      expect(bookSide(r, 1, 'bid')[0]).toEqual(['100.00', sizeOf(102)]);
    } finally {
      await r.close();
    }
  });

  it('a duplicate frame (sequence_num already seen) is dropped whole: its trade is not printed twice', async () => {
    const capture = [open(), subscriptions(['BTC-USD']), snapshot('BTC-USD', BTC), trade('BTC-USD', '1068572091', 'SELL', '100.10', '0.01'), update('BTC-USD', BTC, 101)];
    const fill = capture[3]!;
    const r = await run({ capture, faults: [{ kind: 'inject', connection: 1, before: isUpdate('BTC-USD', 101), text: fill.data! }], until: reached(1, 1, 101) });
    try {
      expect(r.completed).toBe(true);
      // SELL is the maker's side: the taker bought (at the ask).
      expect(tradesOf(r.events, 1).map((t) => [t.tradeId, t.side, t.price])).toEqual([['1068572091', 'buy', '100.10']]);
      expectCounters(r.engine.feed(1), { trades: 1, gaps: 0, reconnects: 0, resyncs: 0, deltas: 1 });
      expect(states(r, 1)).toEqual(['starting', 'syncing', 'live']);
    } finally {
      await r.close();
    }
  });

  it('truncated frame naming one product: counted and logged, that market resyncs (unsubscribe + subscribe), the other keeps its book', async () => {
    const truncated = '{"channel":"l2_data","client_id":"","timestamp":"2026-08-09T21:05:49.123456Z","sequence_num":6,"events":[{"type":"update","product_id":"BTC-USD","updates":[{';
    const capture = [
      open(),
      subscriptions(['BTC-USD', 'ETH-USD']),
      snapshot('BTC-USD', BTC),
      snapshot('ETH-USD', ETH),
      update('BTC-USD', BTC, 101),
      update('ETH-USD', ETH, 101),
      // <- the truncated frame goes here
      update('BTC-USD', BTC, 102), // belongs to no book any more
      update('ETH-USD', ETH, 102),
      // What Coinbase sends after the engine's unsubscribe + subscribe: a fresh snapshot.
      snapshot('BTC-USD', { ...BTC, bid: 100.2, ask: 100.3 }),
      update('ETH-USD', ETH, 103),
      update('BTC-USD', { ...BTC, bid: 100.2 }, 301),
    ];
    const logger = collectingLogger();
    const r = await run({
      capture,
      markets: [BTC_MARKET, ETH_MARKET],
      logger,
      faults: [{ kind: 'inject', connection: 1, before: isUpdate('BTC-USD', 102), text: truncated }],
      until: (events) => reached(1, 2, 301)(events) && reached(2, 1, 103)(events),
    });
    try {
      expect(r.completed).toBe(true);
      const btc = statusStory(r.events, 1);
      expect(btc.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(btc[3]![1]).toMatch(/^malformed frame: coinbase: frame is not JSON/);
      expectCounters(r.engine.feed(1), { malformedFrames: 1, resyncs: 1, gaps: 0, reconnects: 0, snapshots: 2, deltas: 2 });
      expect(logger.lines.find((l) => l.message === 'malformed frame')).toMatchObject({ level: 'warn', fields: { venue: 'coinbase', markets: [1], frame: truncated } });
      // The fresh book only: nothing of the first one is left.
      expect(bookSide(r, 1, 'bid')).toEqual([
        ['100.20', sizeOf(301)],
        ['100.10', '2'],
        ['100.00', '3'],
      ]);
      await vi.waitFor(() => expect(sent(r, 1).length).toBeGreaterThanOrEqual(10), { timeout: 5_000 });
      expect(sent(r, 1)).toEqual([HEARTBEATS, ...frames('subscribe', ['BTC-USD', 'ETH-USD']), ...frames('unsubscribe', ['BTC-USD']), ...frames('subscribe', ['BTC-USD'])]);
      expect(r.server.connections).toBe(1);

      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(2), { malformedFrames: 0, resyncs: 0, gaps: 0, reconnects: 0, snapshots: 1, deltas: 3 });
      const resyncAt = r.events.findIndex((e) => e.kind === 'status' && e.marketId === 1 && e.state === 'resyncing');
      expect(spreadsOf(r.events.slice(resyncAt), 2).map((s) => s.bidSize)).toEqual([sizeOf(102), sizeOf(103)]);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('a level with an unknown side: the frame is malformed, its market resyncs and recovers on a new connection', async () => {
    const bad = JSON.stringify({ channel: 'l2_data', client_id: '', timestamp: '2026-08-09T21:05:49.5Z', sequence_num: 99, events: [{ type: 'update', product_id: 'BTC-USD', updates: [{ side: 'ask', price_level: '100.1', new_quantity: '1' }] }] });
    const capture = [open(), subscriptions(['BTC-USD']), snapshot('BTC-USD', BTC), ...updates('BTC-USD', BTC, 101, 103), open(), subscriptions(['BTC-USD']), snapshot('BTC-USD', BTC), ...updates('BTC-USD', BTC, 201, 202)];
    const logger = collectingLogger();
    const r = await run({ capture, logger, faults: [{ kind: 'inject', connection: 1, before: isUpdate('BTC-USD', 102), text: bad }], until: reached(1, 2, 202) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      // No fresh snapshot on connection 1 within resyncTimeoutMs: a new connection brings one.
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'resyncing', 'syncing', 'live']);
      expect(st[3]![1]).toBe('malformed frame: coinbase: l2_data level of BTC-USD with side "ask"');
      expect(st[4]![1]).toBe(`no snapshot within ${TIMING.resyncTimeoutMs} ms`);
      expectCounters(r.engine.feed(1), { malformedFrames: 1, resyncs: 1, reconnects: 1, gaps: 0, snapshots: 2 });
      expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'malformed frame', fields: expect.objectContaining({ markets: [1] }) }));
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('subscription error (no product, no request id): logged; the markets wait for their snapshot, then a new connection brings it', async () => {
    const refusal = '{"type":"error","message":"failure to subscribe"}';
    const capture = [open(), raw(refusal), open(), subscriptions(['BTC-USD']), snapshot('BTC-USD', BTC), ...updates('BTC-USD', BTC, 101, 102)];
    const logger = collectingLogger();
    const r = await run({ capture, logger, until: reached(1, 1, 102) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'resyncing', 'syncing', 'live']);
      expect(st[2]![1]).toBe(`no snapshot within ${TIMING.resyncTimeoutMs} ms`);
      expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'venue error', fields: expect.objectContaining({ error: 'failure to subscribe', symbols: [] }) }));
      // Coinbase's error names no product: the engine cannot pin it on a market (venueErrors stays 0).
      expectCounters(r.engine.feed(1), { venueErrors: 0, reconnects: 1, resyncs: 0, gaps: 0, malformedFrames: 0, snapshots: 1, deltas: 2 });
      expect(r.server.connections).toBe(2);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('heartbeats keep a quiet socket alive: 1.8 s of heartbeats only with livenessMs 900, no reconnect, the book stays live', async () => {
    // Built in order: each frame takes the connection's next sequence_num.
    const capture = [open(), heartbeat(41690), subscriptions(['BTC-USD']), snapshot('BTC-USD', BTC)];
    // Twice the liveness window without data; a heartbeat every 150 ms (margin for a loaded machine).
    for (let i = 1; i <= 12; i++) capture.push(heartbeat(41690 + i, 150));
    capture.push(update('BTC-USD', BTC, 101));
    // At the real pace the snapshot comes 300 ms after the open: the watchdog gets more than that.
    const r = await run({ capture, pace: 'real', timing: { livenessMs: 900, resyncTimeoutMs: 2_000 }, until: reached(1, 1, 101) });
    try {
      expect(r.completed).toBe(true);
      expect(states(r, 1)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(1), { reconnects: 0, gaps: 0, resyncs: 0, snapshots: 1, deltas: 1 });
      expect(r.server.connections).toBe(1);
      expect(r.engine.feed(1)?.sequence).toBe(15);
    } finally {
      await r.close();
    }
  });

  // A stalled replay is a hung peer: no data, no pongs.
  it('stall: no frame past livenessMs -> Status stale, a reconnect, live again on connection 2', async () => {
    const session = () => [open(), subscriptions(['BTC-USD']), snapshot('BTC-USD', BTC), ...updates('BTC-USD', BTC, 101, 104)];
    const capture = [...session(), ...session()];
    // ack, snapshot and 101, then the socket stays open and silent for good.
    const r = await run({ capture, timing: { livenessMs: 300 }, faults: [{ kind: 'stall', connection: 1, afterFrames: 3 }], until: reached(1, 2, 104) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'stale', 'syncing', 'live']);
      expect(st[3]![1]).toMatch(/^stale: no data for \d+ ms$/);
      expect(r.server.connections).toBe(2);
      expectCounters(r.engine.feed(1), { reconnects: 1, resyncs: 0, gaps: 0, malformedFrames: 0, snapshots: 2, deltas: 1 + 4 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('another product on the socket (an alias stream, a frame with events of two products): each event goes to its own product, never into this book', async () => {
    const capture = [
      open(),
      subscriptions(['BTC-USD']),
      snapshot('BTC-USD', BTC),
      // ETH-USD's book (as an aliased subscription would stream it): its bids are far above BTC's asks.
      snapshot('ETH-USD', ETH),
      update('ETH-USD', ETH, 50),
      recv('l2_data', [updateEvent('ETH-USD', ETH, 51), updateEvent('BTC-USD', BTC, 101)]),
      trade('ETH-USD', '833140778', 'BUY', '2000.00', '0.5'),
      update('BTC-USD', BTC, 102),
    ];
    const r = await run({ capture, until: reached(1, 1, 102) });
    try {
      expect(r.completed).toBe(true);
      expect(states(r, 1)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(1), { snapshots: 1, deltas: 2, trades: 0, resyncs: 0, gaps: 0, malformedFrames: 0 });
      expect(bookSide(r, 1, 'bid')).toEqual([
        ['100.00', sizeOf(102)],
        ['99.90', '2'],
        ['99.80', '3'],
      ]);
      expect(bookSide(r, 1, 'ask')).toEqual([
        ['100.10', '1'],
        ['100.20', '2'],
        ['100.30', '3'],
      ]);
      expect(r.events.every((e) => e.kind === 'status' || e.symbol === 'BTC-USD')).toBe(true);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });
});

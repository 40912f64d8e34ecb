import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Instrument, Keepalive, MarketType, VenueAdapter, VenueLimits } from './adapter.js';
import { FeedEngine, FeedError, type EngineTiming, type FeedErrorCode } from './engine.js';
import type { FeedEvent, SpreadEvent, StatusEvent } from './events.js';
import type { FeedLogger } from './logger.js';
import type { LevelUpdate } from './messages.js';

// A venue of our own, 'testex': an HTTP server with a two-page instrument list, a WebSocket
// server speaking a small JSON protocol, and the adapter that reads both.

type Book = { bids: LevelUpdate[]; asks: LevelUpdate[] };
type ServerFrame =
  | ({ type: 'snapshot' | 'delta'; symbol: string; seq: number } & Book)
  | { type: 'ack'; id: number }
  | { type: 'pong' };
type ClientFrame = { op: 'subscribe' | 'unsubscribe'; id: number; symbols: string[] } | { op: 'ping' } | { op: 'conf'; flags: number };

/** What the venue sends after a subscribe: a snapshot, then deltas. */
const SCRIPT: Record<string, ServerFrame[]> = {
  BTCUSDT: [
    { type: 'snapshot', symbol: 'BTCUSDT', seq: 10, bids: [['100.0', '1'], ['99.5', '2']], asks: [['101.0', '1']] }, // mid 100.5
    { type: 'delta', symbol: 'BTCUSDT', seq: 11, bids: [['100.5', '0.5']], asks: [] }, // 100.75
    { type: 'delta', symbol: 'BTCUSDT', seq: 12, bids: [], asks: [['100.8', '2']] }, // 100.65
    { type: 'delta', symbol: 'BTCUSDT', seq: 13, bids: [['99.5', '3']], asks: [] }, // below the top: no spread
    { type: 'delta', symbol: 'BTCUSDT', seq: 14, bids: [['100.5', '0']], asks: [] }, // 100.4
  ],
  ETHUSDT: [
    { type: 'snapshot', symbol: 'ETHUSDT', seq: 1, bids: [['2000', '1']], asks: [['2001', '1']] }, // 2000.5
    { type: 'delta', symbol: 'ETHUSDT', seq: 2, bids: [], asks: [['2000.25', '4']] }, // 2000.125
  ],
};
const BTC_MIDS = ['100.5', '100.75', '100.65', '100.4'];

const INSTRUMENT_PAGES: Record<string, unknown> = {
  '': {
    symbols: [
      { symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', tick: '0.1', status: 'TRADING' },
      { symbol: 'SOLUSDT', base: 'SOL', quote: 'USDT', tick: '0.01', status: 'HALT' },
    ],
    next: 'p2',
  },
  p2: { symbols: [{ symbol: 'ETHUSDT', base: 'ETH', quote: 'USDT', tick: '0.01', status: 'TRADING' }] },
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The venue's servers on 127.0.0.1, and what they saw. */
async function startVenue() {
  const venue = {
    instrumentRequests: 0,
    /** Instead of the list, send this body. */
    instrumentsBody: undefined as string | undefined,
    /** Hold instrument requests until `release()`. */
    hold: false,
    held: [] as (() => void)[],
    sockets: [] as WebSocket[],
    frames: [] as { socket: number; frame: ClientFrame }[],
    closes: [] as { socket: number; code: number }[],
    subscribed: new Map<WebSocket, Set<string>>(),
    httpUrl: '',
    wsUrl: '',
    get connections() {
      return this.sockets.length;
    },
    get open() {
      return this.sockets.length - this.closes.length;
    },
    sent(op: string) {
      return this.frames.filter((f) => f.frame.op === op);
    },
    /** Sends a frame on every socket (`symbol` given: only those subscribed to it). */
    push(frame: ServerFrame, symbol?: string) {
      for (const socket of this.sockets) if (symbol === undefined || this.subscribed.get(socket)?.has(symbol)) socket.send(JSON.stringify(frame));
    },
  };

  const http = createServer((req, res) => {
    venue.instrumentRequests += 1;
    const url = new URL(req.url ?? '/', 'http://x');
    const answer = (r: ServerResponse) => r.end(venue.instrumentsBody ?? JSON.stringify(INSTRUMENT_PAGES[url.searchParams.get('cursor') ?? ''] ?? {}));
    if (venue.hold) venue.held.push(() => answer(res));
    else answer(res);
  });
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  const listening = new Promise<void>((resolve) => wss.once('listening', resolve));
  wss.on('connection', (socket) => {
    const index = venue.sockets.push(socket) - 1;
    venue.subscribed.set(socket, new Set());
    socket.on('close', (code) => venue.closes.push({ socket: index, code }));
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ClientFrame;
      venue.frames.push({ socket: index, frame });
      const send = (f: ServerFrame) => socket.send(JSON.stringify(f));
      if (frame.op === 'ping') return send({ type: 'pong' });
      if (frame.op === 'conf') return;
      send({ type: 'ack', id: frame.id });
      for (const symbol of frame.symbols) {
        if (frame.op === 'unsubscribe') venue.subscribed.get(socket)!.delete(symbol);
        else {
          venue.subscribed.get(socket)!.add(symbol);
          for (const f of SCRIPT[symbol] ?? []) send(f);
        }
      }
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  await listening;
  venue.httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  venue.wsUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/stream`;
  cleanups.push(async () => {
    for (const socket of venue.sockets) socket.terminate();
    http.closeAllConnections();
    await new Promise((resolve) => wss.close(resolve));
    await new Promise((resolve) => http.close(resolve));
  });
  return venue;
}
type Venue = Awaited<ReturnType<typeof startVenue>>;

/** The adapter a venue package would export, pointed at our servers. */
function testex(
  venue: Venue,
  options: { limits?: Partial<VenueLimits>; keepalive?: Keepalive; httpUrl?: string; openFrames?: readonly string[] } = {},
): VenueAdapter {
  return {
    venue: 'testex',
    marketTypes: ['spot', 'futures'],
    urls: { rest: options.httpUrl ?? venue.httpUrl, ws: venue.wsUrl },
    limits: { marketsPerConnection: 10, marketsPerRequest: 10, framesPerSecond: 100, ...options.limits },
    livenessMs: 10_000,
    ...(options.keepalive ? { keepalive: options.keepalive } : {}),
    ...(options.openFrames ? { openFrames: () => options.openFrames ?? [] } : {}),
    instrumentsUrl: (type, cursor) => `${options.httpUrl ?? venue.httpUrl}/${type}/instruments${cursor ? `?cursor=${cursor}` : ''}`,
    parseInstruments(type: MarketType, body: string) {
      const page = JSON.parse(body) as { symbols: { symbol: string; base: string; quote: string; tick: string; status: string }[]; next?: string };
      const instruments = page.symbols.map(
        (s): Instrument => ({ venue: 'testex', type, symbol: s.symbol, base: s.base, quote: s.quote, tickSize: s.tick, trading: s.status === 'TRADING', status: s.status }),
      );
      return page.next ? { instruments, next: page.next } : { instruments };
    },
    endpoints: () => [{ url: venue.wsUrl, channels: ['book', 'trades'] }],
    subscribe: (_, instruments, id) => [JSON.stringify({ op: 'subscribe', id, symbols: instruments.map((i) => i.symbol) })],
    unsubscribe: (_, instruments, id) => [JSON.stringify({ op: 'unsubscribe', id, symbols: instruments.map((i) => i.symbol) })],
    parse(text) {
      const f = JSON.parse(text) as ServerFrame;
      switch (f.type) {
        case 'snapshot':
          return [{ kind: 'snapshot', symbol: f.symbol, sequence: f.seq, bids: f.bids, asks: f.asks }];
        case 'delta':
          return [{ kind: 'delta', symbol: f.symbol, first: f.seq, last: f.seq, bids: f.bids, asks: f.asks }];
        case 'ack':
          return [{ kind: 'ack', request: f.id }];
        case 'pong':
          return [{ kind: 'heartbeat' }];
      }
    },
    sync: () => ({ snapshot: 'message', sequence: 'next' }),
  };
}

const TIMING: Partial<EngineTiming> = { reconnectMinMs: 20, reconnectMaxMs: 100, resyncTimeoutMs: 500 };

/** An engine collecting its events and logs; closed after the test. */
function engineFor(adapters: VenueAdapter[], options: { timing?: Partial<EngineTiming>; onEvent?: (e: FeedEvent) => void } = {}) {
  const events: FeedEvent[] = [];
  const logged: { level: string; fields: object; message: string }[] = [];
  const log = (level: string) => (fields: object, message: string) => void logged.push({ level, fields, message });
  const logger: FeedLogger = { info: log('info'), warn: log('warn'), error: log('error') };
  const engine = new FeedEngine({
    adapters,
    logger,
    timing: { ...TIMING, ...options.timing },
    onEvent: (e) => {
      events.push(e);
      options.onEvent?.(e);
    },
  });
  cleanups.push(() => engine.close());
  const spreads = (id: number) => events.filter((e): e is SpreadEvent => e.kind === 'spread' && e.marketId === id);
  const states = (id: number) => events.filter((e): e is StatusEvent => e.kind === 'status' && e.marketId === id).map((e) => e.state);
  return { engine, events, logged, spreads, states };
}

const BTC = { venue: 'testex', type: 'spot', base: 'BTC', quote: 'USDT' } as const;
const ETH = { venue: 'testex', type: 'spot', base: 'ETH', quote: 'USDT' } as const;

/** Waits until `check` holds (polling); fails with `what` if it never does. */
async function until(what: string, check: () => boolean, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The FeedError a start or stop ends with. */
async function refusal(attempt: () => unknown): Promise<FeedError> {
  let error: unknown;
  try {
    await attempt();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(FeedError);
  return error as FeedError;
}
const refused = async (code: FeedErrorCode, attempt: () => unknown) => {
  const error = await refusal(attempt);
  expect(error.code, error.message).toBe(code);
  return error.message;
};

describe('FeedEngine.start refuses what it cannot run', () => {
  it('an unknown venue or market type, listing what it has', async () => {
    const venue = await startVenue();
    const other = { ...testex(venue), venue: 'other' };
    const { engine } = engineFor([testex(venue), other]);
    expect(await refused('invalid-market', () => engine.start({ id: 1, ...BTC, venue: 'nope' }))).toMatch(/unknown venue "nope".*testex, other/);
    expect(await refused('invalid-market', () => engine.start({ id: 1, ...BTC, type: 'inverse' }))).toMatch(/no "inverse" markets; it has: spot, futures/);
    expect(venue.instrumentRequests).toBe(0);
  });

  it('an instrument the venue does not list, or does not trade', async () => {
    const venue = await startVenue();
    const { engine } = engineFor([testex(venue)]);
    expect(await refused('not-found', () => engine.start({ id: 1, ...BTC, base: 'DOGE' }))).toMatch(/DOGE\/USDT: no such instrument/);
    expect(await refused('invalid-market', () => engine.start({ id: 1, ...BTC, base: 'SOL' }))).toMatch(/SOLUSDT\) is not trading: venue status HALT/);
    expect(engine.list()).toEqual([]);
  });

  it('an id that is not a non-negative integer', async () => {
    const venue = await startVenue();
    const { engine } = engineFor([testex(venue)]);
    for (const id of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(await refused('invalid-market', () => engine.start({ id, ...BTC }))).toMatch(/market id must be a non-negative integer/);
    }
  });

  it('an id already running, or the same venue market under another id', async () => {
    const venue = await startVenue();
    const { engine } = engineFor([testex(venue)]);
    await engine.start({ id: 1, ...BTC });
    expect(await refused('already-running', () => engine.start({ id: 1, ...ETH }))).toMatch(/market id 1 is already running/);
    expect(await refused('already-running', () => engine.start({ id: 2, ...BTC, base: 'btc' }))).toMatch(/testex spot BTCUSDT is already running as market id 1/);
    // Two starts of one id at once: the second is refused while the first is still resolving.
    const [first, second] = await Promise.allSettled([engine.start({ id: 3, ...ETH }), engine.start({ id: 3, ...ETH })]);
    expect(first.status).toBe('fulfilled');
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'already-running' } });
    expect(engine.list().map((f) => f.id)).toEqual([1, 3]);
  });

  it('an instrument list that cannot be fetched or read is `unavailable`, and not cached', async () => {
    const venue = await startVenue();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const nowhere = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));

    const unreachable = engineFor([testex(venue, { httpUrl: nowhere })]).engine;
    expect(await refused('unavailable', () => unreachable.start({ id: 1, ...BTC }))).toMatch(/testex spot instrument list: .*gave up after 3 attempts/);

    const { engine } = engineFor([testex(venue)]);
    venue.instrumentsBody = '<html>maintenance</html>';
    expect(await refused('unavailable', () => engine.start({ id: 1, ...BTC }))).toMatch(/instrument list from .* is unreadable/);
    venue.instrumentsBody = undefined;
    await engine.start({ id: 1, ...BTC });
    expect(engine.feed(1)?.instrument.symbol).toBe('BTCUSDT');
  });

  it('stop of an unknown id is `not-found`', async () => {
    const venue = await startVenue();
    const { engine } = engineFor([testex(venue)]);
    expect(await refused('not-found', () => engine.stop(7))).toMatch(/market id 7 is not running/);
    await engine.start({ id: 7, ...BTC });
    engine.stop(7);
    await refused('not-found', () => engine.stop(7));
  });
});

describe('FeedEngine running markets', () => {
  it('two markets share one socket and one subscribe frame, sync, and publish exact spreads in order', async () => {
    const venue = await startVenue();
    const adapter = testex(venue);
    const { engine, events, spreads, states } = engineFor([adapter]);
    const info = await engine.start({ id: 1, ...BTC });
    expect(info).toMatchObject({ id: 1, market: BTC, instrument: { symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', tickSize: '0.1' } });
    await engine.start({ id: 2, ...ETH }); // ETHUSDT is on the list's second page
    await until('both books', () => spreads(1).length === 4 && spreads(2).length === 2);

    expect(venue.connections).toBe(1);
    expect(venue.sent('subscribe').map((f) => f.frame)).toEqual([{ op: 'subscribe', id: 1, symbols: ['BTCUSDT', 'ETHUSDT'] }]);
    expect(venue.instrumentRequests).toBe(2); // both pages, once for both markets
    expect(await engine.instruments(adapter, 'spot')).toHaveLength(3);
    expect(venue.instrumentRequests).toBe(2);

    const market1 = events.filter((e) => e.marketId === 1).map((e) => (e.kind === 'status' ? e.state : e.sequence));
    expect(market1).toEqual(['starting', 'syncing', 'live', 1, 2, 3, 4]);
    expect(spreads(1).map((s) => s.midPrice)).toEqual(BTC_MIDS);
    expect(spreads(1)[0]).toMatchObject({ marketId: 1, venue: 'testex', marketType: 'spot', symbol: 'BTCUSDT', bidPrice: '100.0', bidSize: '1', askPrice: '101.0', askSize: '1' });
    expect(spreads(1)[0]!.exchangeTime).toBe(spreads(1)[0]!.receiveTime); // the venue sent no time
    expect(spreads(2).map((s) => [s.midPrice, s.askSize, s.sequence])).toEqual([['2000.5', '1', 1], ['2000.125', '4', 2]]);
    expect(states(2)).toEqual(['starting', 'syncing', 'live']);

    expect(engine.feed(1)).toMatchObject({
      state: 'live',
      reason: '',
      sequence: 14,
      counters: { messages: 5, snapshots: 1, deltas: 4, spreads: 4, gaps: 0, resyncs: 0, reconnects: 0, malformedFrames: 0 },
    });
    expect(engine.list().map((f) => [f.id, f.instrument.symbol, f.state])).toEqual([[1, 'BTCUSDT', 'live'], [2, 'ETHUSDT', 'live']]);
    const book = engine.book(1)!;
    expect([book.bestBid(), book.bestAsk(), book.levelCount()]).toEqual([{ price: '100.0', size: '1' }, { price: '100.8', size: '2' }, 4]);
    expect(engine.feed(9) ?? engine.book(9)).toBeUndefined();
  });

  it('subscribe frames carry at most `marketsPerRequest` markets', async () => {
    const venue = await startVenue();
    const { engine, spreads } = engineFor([testex(venue, { limits: { marketsPerRequest: 1 } })]);
    await engine.start({ id: 1, ...BTC });
    await engine.start({ id: 2, ...ETH });
    await until('both books', () => spreads(1).length === 4 && spreads(2).length === 2);
    expect(venue.connections).toBe(1);
    expect(venue.sent('subscribe').map((f) => f.frame)).toEqual([
      { op: 'subscribe', id: 1, symbols: ['BTCUSDT'] },
      { op: 'subscribe', id: 2, symbols: ['ETHUSDT'] },
    ]);
  });

  it('`marketsPerConnection: 1` gives each market its own socket', async () => {
    const venue = await startVenue();
    const { engine, spreads } = engineFor([testex(venue, { limits: { marketsPerConnection: 1 } })]);
    await engine.start({ id: 1, ...BTC });
    await engine.start({ id: 2, ...ETH });
    await until('both books', () => spreads(1).length === 4 && spreads(2).length === 2);
    expect(venue.connections).toBe(2);
    const subscribes = venue.sent('subscribe').map((f) => [f.socket, f.frame.op === 'subscribe' && f.frame.symbols.join()] as const);
    expect(subscribes.map(([, symbols]) => symbols).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(new Set(subscribes.map(([socket]) => socket)).size).toBe(2);
  });

  it('stop(id) unsubscribes that market only; stopping the last one closes the socket', async () => {
    const venue = await startVenue();
    const { engine, events, spreads, states } = engineFor([testex(venue)]);
    await engine.start({ id: 1, ...BTC });
    await engine.start({ id: 2, ...ETH });
    await until('both books', () => spreads(1).length === 4 && spreads(2).length === 2);

    expect(engine.stop(1)).toMatchObject({ id: 1, state: 'stopped' });
    expect(states(1).at(-1)).toBe('stopped');
    await until('the unsubscribe', () => venue.sent('unsubscribe').length === 1);
    expect(venue.sent('unsubscribe')[0]!.frame).toMatchObject({ op: 'unsubscribe', symbols: ['BTCUSDT'] });
    const afterStop = events.length;

    // A late frame for the stopped market is ignored; the other market keeps flowing on the same socket.
    venue.push({ type: 'delta', symbol: 'BTCUSDT', seq: 15, bids: [['100.7', '1']], asks: [] });
    venue.push({ type: 'delta', symbol: 'ETHUSDT', seq: 3, bids: [], asks: [['2000.25', '0']] }, 'ETHUSDT');
    await until('the next ETH spread', () => spreads(2).length === 3);
    expect(events.slice(afterStop).map((e) => [e.marketId, e.kind === 'spread' && e.midPrice])).toEqual([[2, '2000.5']]);
    expect(engine.list().map((f) => f.id)).toEqual([2]);
    expect(engine.feed(1)).toBeUndefined();
    expect(venue.open).toBe(1);

    engine.stop(2);
    await until('the socket closed', () => venue.open === 0);
    expect(venue.closes).toEqual([{ socket: 0, code: 1000 }]);
    expect(engine.list()).toEqual([]);
  });

  it('a lost connection: the markets resync and come back live on a new socket', async () => {
    const venue = await startVenue();
    const { engine, spreads, states } = engineFor([testex(venue)]);
    await engine.start({ id: 1, ...BTC });
    await until('the book', () => spreads(1).length === 4);
    venue.sockets[0]!.terminate();
    await until('live again', () => states(1).length > 3 && states(1).at(-1) === 'live' && spreads(1).length === 8);
    expect(states(1)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'syncing', 'live']);
    expect(engine.feed(1)?.counters).toMatchObject({ reconnects: 1, snapshots: 2 });
    expect(spreads(1).map((s) => s.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]); // one sequence across the resync
    expect(venue.connections).toBe(2);
  });

  it('a market started while its socket waits to reconnect joins the reconnected socket', async () => {
    const venue = await startVenue();
    const reconnectMs = 300;
    const { engine, spreads, states } = engineFor([testex(venue)], { timing: { reconnectMinMs: reconnectMs, reconnectMaxMs: reconnectMs } });
    await engine.start({ id: 1, ...BTC });
    await until('the book', () => spreads(1).length === 4);
    venue.sockets[0]!.terminate();
    await until('the loss seen', () => states(1).at(-1) === 'resyncing');
    await engine.start({ id: 2, ...ETH }); // within the reconnect wait (at least reconnectMs / 2): add() opens a socket now
    await until('both live', () => states(1).at(-1) === 'live' && states(2).at(-1) === 'live');
    // Past the longest reconnect wait (reconnectMaxMs), so the reconnect timer set at the loss has fired.
    const waitedFrom = Date.now();
    await until('the reconnect wait to pass', () => Date.now() - waitedFrom > reconnectMs + 100);
    expect(venue.connections).toBe(2); // the lost socket, then one new socket carrying both markets
    expect(states(1)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'syncing', 'live']);
    await engine.close();
    await until('every socket closed', () => venue.open === 0, 3000);
  });

  it('an adapter keepalive sends its ping frames', async () => {
    const venue = await startVenue();
    const { engine, states } = engineFor([testex(venue, { keepalive: { intervalMs: 50, frame: () => '{"op":"ping"}' } })]);
    await engine.start({ id: 1, ...BTC });
    await until('three pings', () => venue.sent('ping').length >= 3);
    expect(states(1)).toEqual(['starting', 'syncing', 'live']); // the pongs keep it live
  });

  it('a keepalive without a frame sends WebSocket pings, busy or not', async () => {
    const venue = await startVenue();
    const { engine, states } = engineFor([testex(venue, { keepalive: { intervalMs: 50 } })]);
    await engine.start({ id: 1, ...BTC });
    await until('live', () => states(1).at(-1) === 'live');
    let pings = 0;
    venue.sockets[0]!.on('ping', () => pings++);
    // Busy: a frame every 10 ms, so the engine's quiet-socket probe never fires; the keepalive does.
    const busy = setInterval(() => venue.push({ type: 'pong' }), 10);
    try {
      await until('three pings', () => pings >= 3);
    } finally {
      clearInterval(busy);
    }
    expect(venue.sent('ping')).toEqual([]); // no application frame
  });

  it("an adapter's openFrames go out first on every new connection, before any subscribe", async () => {
    const venue = await startVenue();
    const { engine, states } = engineFor([testex(venue, { openFrames: ['{"op":"conf","flags":65536}'] })]);
    await engine.start({ id: 1, ...BTC });
    await until('live', () => states(1).at(-1) === 'live');
    expect(venue.frames.map((f) => [f.socket, f.frame.op])).toEqual([
      [0, 'conf'],
      [0, 'subscribe'],
    ]);
  });

  it('a listener that throws does not break the feed; the error is logged', async () => {
    const venue = await startVenue();
    const { engine, spreads, logged } = engineFor([testex(venue)], {
      onEvent: (e) => {
        if (e.kind === 'spread' && e.sequence === 1) throw new Error('listener bug');
      },
    });
    await engine.start({ id: 1, ...BTC });
    await until('every spread', () => spreads(1).length === 4);
    expect(spreads(1).map((s) => s.midPrice)).toEqual(BTC_MIDS);
    expect(engine.feed(1)?.state).toBe('live');
    expect(logged.filter((l) => l.level === 'error')).toEqual([
      { level: 'error', fields: { error: 'listener bug', event: 'spread', marketId: 1 }, message: 'event listener threw' },
    ]);
  });

  it('close() stops every market, closes every socket and leaves no timer; start() after it is `unavailable`', async () => {
    const venue = await startVenue();
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const { engine, states } = engineFor([testex(venue, { limits: { marketsPerConnection: 1 }, keepalive: { intervalMs: 50, frame: () => '{"op":"ping"}' } })]);
    await engine.start({ id: 1, ...BTC });
    await engine.start({ id: 2, ...ETH });
    await until('both live', () => states(1).at(-1) === 'live' && states(2).at(-1) === 'live');
    expect(venue.connections).toBe(2);

    await engine.close();
    expect([states(1).at(-1), states(2).at(-1)]).toEqual(['stopped', 'stopped']);
    expect(engine.list()).toEqual([]);
    await until('every socket closed', () => venue.open === 0);
    await until('no timer left', () => timers() <= before);
    expect(await refused('unavailable', () => engine.start({ id: 3, ...BTC }))).toMatch(/closed/);
    await engine.close(); // twice is fine
  });

  it('close() during a start: the start fails `unavailable` and opens no socket', async () => {
    const venue = await startVenue();
    const { engine } = engineFor([testex(venue)]);
    venue.hold = true;
    const starting = engine.start({ id: 1, ...BTC });
    await until('the instrument request', () => venue.held.length === 1);
    await engine.close();
    venue.hold = false;
    venue.held[0]!();
    expect(await refused('unavailable', () => starting)).toMatch(/closed/);
    expect(venue.connections).toBe(0);
  });
});

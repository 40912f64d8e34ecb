/**
 * Faults the BitMEX recording does not show: small sessions written here from the spec
 * (../shared/exchanges/bitmex.md §4-§8: `partial` then id-keyed insert/update/delete rows, legacy
 * rows without price, `quote`, `trade`, welcome, errors), played by the replay server with its
 * faults (skip, inject, stall) into the full feed engine with this adapter. Every case checks the
 * Status story, the counters, and that no Spread leaves a market while its book is broken.
 */
import type { FeedCounters, FeedEvent, FeedSpec } from '@level4/feed';
import { afterLive, bookSide, CaptureScript, clientFrames, collectingLogger, replayRunner, spreadsOf, states, statusStory, tradesOf, unsoundSpreads, type CaptureLine, type ReplayedFeeds } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { BITMEX_URLS, createBitmexAdapter } from '../src/index.js';

const WS = 'wss://ws.bitmex.com/realtime';
const TIMING = { reconnectMinMs: 20, reconnectMaxMs: 100, resyncTimeoutMs: 300, subscribeRetryMs: 50 } as const;
const T0 = Date.parse('2026-03-02T10:00:00.000Z');

// ---- sessions, written as BitMEX sends them ------------------------------------------------------

const script = new CaptureScript({ t0: T0, url: WS });
const { open, recv } = script;
const iso = () => new Date(script.t).toISOString();

function welcome(): CaptureLine {
  return recv({ info: 'Welcome to the BitMEX Realtime API.', version: '2026-02-27T09:12:40.000Z', timestamp: new Date(script.t).toISOString(), docs: 'https://www.bitmex.com/app/wsAPI', limit: { remaining: 39 } });
}

type Side = 'Buy' | 'Sell';
/** [id, side, size, price] */
type Level = readonly [number, Side, number, number];

/** A current-format row (2023-): price and timestamp on every row. */
const row = (symbol: string, [id, side, size, price]: Level) => ({ symbol, id, side, size, price, timestamp: iso() });

function partial(symbol: string, levels: readonly Level[]): CaptureLine {
  return recv({
    table: 'orderBookL2',
    action: 'partial',
    keys: ['symbol', 'id', 'side'],
    types: { symbol: 'symbol', id: 'long', side: 'symbol', size: 'long', price: 'float', timestamp: 'timestamp' },
    filter: { symbol },
    data: levels.map((l) => row(symbol, l)),
  });
}

function rows(action: 'insert' | 'update' | 'delete', symbol: string, levels: readonly Level[]): CaptureLine {
  return recv({
    table: 'orderBookL2',
    action,
    data: levels.map((l) => {
      const r = row(symbol, l);
      if (action !== 'delete') return r;
      const { size: _size, ...rest } = r;
      return rest;
    }),
  });
}

/** A legacy row (2021): update rows carry no price and no timestamp, delete rows not even a size. */
function legacy(action: 'update' | 'delete', symbol: string, id: number, side: Side, size?: number): CaptureLine {
  return recv({ table: 'orderBookL2', action, data: [action === 'update' ? { symbol, id, side, size } : { symbol, id, side }] });
}

function quote(symbol: string, bid: readonly [number, number], ask: readonly [number, number]): CaptureLine {
  return recv({ table: 'quote', action: 'insert', data: [{ timestamp: iso(), symbol, bidSize: bid[1], bidPrice: bid[0], askPrice: ask[0], askSize: ask[1] }] });
}

function trade(symbol: string, action: 'partial' | 'insert', id: string, side: Side, price: number, size: number): CaptureLine {
  const data = [{ timestamp: iso(), symbol, side, size, price, tickDirection: 'PlusTick', trdMatchID: id, grossValue: 1, homeNotional: 0.01, foreignNotional: 1000, trdType: 'Regular' }];
  return recv(action === 'partial' ? { table: 'trade', action, keys: [], filter: { symbol }, data } : { table: 'trade', action, data });
}

/** The book every market starts from: ids `base + n`, two levels a side. */
function book(base: number, bid: number, ask: number): Level[] {
  return [
    [base + 1, 'Sell', 20, ask + 1],
    [base + 2, 'Sell', 10, ask],
    [base + 3, 'Buy', 10, bid],
    [base + 4, 'Buy', 20, bid - 1],
  ];
}

/** Size of the best bid after bump `n`: unique per bump, so each one moves the top (a Spread). */
const sizeOf = (n: number) => 1000 + n;

/** An update of the best bid (id `base + 3`) to `sizeOf(n)`. */
function bump(symbol: string, base: number, bid: number, n: number): CaptureLine {
  return rows('update', symbol, [[base + 3, 'Buy', sizeOf(n), bid]]);
}

// ---- the engine under test -----------------------------------------------------------------------

/** instrument/active (bitmex.md §2) for the symbols these sessions use. */
const INSTRUMENTS = {
  url: '/api/v1/instrument/active',
  body: JSON.stringify([
    { symbol: 'XBTUSDT', rootSymbol: 'XBT', underlying: 'XBT', quoteCurrency: 'USDT', typ: 'FFWCSX', state: 'Open', tickSize: 0.5, isInverse: false, isQuanto: false, underlyingToPositionMultiplier: 1000000 },
    { symbol: 'ETHUSDT', rootSymbol: 'ETH', underlying: 'ETH', quoteCurrency: 'USDT', typ: 'FFWCSX', state: 'Open', tickSize: 0.05, isInverse: false, isQuanto: false, underlyingToPositionMultiplier: 1000 },
    { symbol: 'XBT_USDT', rootSymbol: 'XBT', underlying: 'XBT', quoteCurrency: 'USDT', typ: 'IFXXXP', state: 'Open', tickSize: 0.5, isInverse: false, isQuanto: false, underlyingToPositionMultiplier: 10000 },
    { symbol: 'XBTUSD', rootSymbol: 'XBT', underlying: 'XBT', quoteCurrency: 'USD', typ: 'FFWCSX', state: 'Open', tickSize: 0.5, isInverse: true, isQuanto: false, underlyingToPositionMultiplier: null },
  ]),
};

const XBT: FeedSpec = { id: 1, venue: 'bitmex', type: 'futures', base: 'BTC', quote: 'USDT' };
const ETH: FeedSpec = { id: 2, venue: 'bitmex', type: 'futures', base: 'ETH', quote: 'USDT' };
const SPOT: FeedSpec = { id: 3, venue: 'bitmex', type: 'spot', base: 'BTC', quote: 'USDT' };
const INVERSE: FeedSpec = { id: 4, venue: 'bitmex', type: 'inverse', base: 'BTC', quote: 'USD' };

const run = replayRunner({
  urls: BITMEX_URLS,
  adapter: (urls) => createBitmexAdapter({ urls }),
  markets: [XBT],
  routes: [INSTRUMENTS],
  timing: TIMING,
  timeoutMs: 8_000,
});

// ---- what the events must show -------------------------------------------------------------------

/** Done once the market is live for the `n`-th time and has since published the best bid size `size`. */
const reached =
  (id: number, n: number, size: number) =>
  (events: readonly FeedEvent[]): boolean =>
    spreadsOf(afterLive(events, id, n), id).some((s) => s.bidSize === String(size));

function expectCounters(feed: { counters: Readonly<FeedCounters> } | undefined, expected: Partial<FeedCounters>): void {
  expect(feed).toBeDefined();
  expect(feed!.counters).toMatchObject({ crossedBooks: 0, checksumFailures: 0, bufferOverflows: 0, gaps: 0, ...expected });
}

/** The client frames of one connection, parsed (they leave at 5 a second: wait for them). */
const sent = (r: ReplayedFeeds, connection: number) => clientFrames<{ op?: string; args?: string[] }>(r, connection);

const topics = (symbol: string) => [`orderBookL2:${symbol}`, `quote:${symbol}`, `trade:${symbol}`];

const bumpOf = (symbol: string, n: number) => (frame: string) => frame.includes('"action":"update"') && frame.includes(`"symbol":"${symbol}"`) && frame.includes(`"size":${sizeOf(n)},`);

// ---- the cases -----------------------------------------------------------------------------------

describe('BitMEX sessions and faults through the replay server and the feed engine', () => {
  it('spot XBT_USDT: rows before the partial are dropped, partial/insert/update/delete build the book, quotes agree, a later partial replaces it', async () => {
    const S = 'XBT_USDT';
    const capture = [
      open(),
      welcome(),
      recv({ success: true, subscribe: `orderBookL2:${S}`, request: { op: 'subscribe', args: topics(S) } }),
      // Deltas can come before the partial (spec §4): they belong to no book, even for unknown ids.
      rows('update', S, [[77, 'Buy', 5, 99000]]),
      quote(S, [1, 1], [2, 2]), // before the book: not compared
      trade(S, 'partial', 'past-1', 'Buy', 99000, 100), // history: not published
      partial(S, book(500, 100000, 100001)),
      rows('insert', S, [[600, 'Buy', 3, 100000.5]]),
      quote(S, [100000.5, 3], [100001, 10]),
      rows('update', S, [[502, 'Sell', 9, 100001]]),
      rows('delete', S, [[600, 'Buy', 0, 100000.5]]),
      quote(S, [100000, 10], [100001, 9]),
      trade(S, 'insert', 'fill-1', 'Sell', 100000, 2),
      partial(S, [
        [700, 'Sell', 1, 99010],
        [701, 'Buy', 1, 99000],
      ]),
      rows('update', S, [[701, 'Buy', 4, 99000]]),
    ];
    const r = await run({ capture, markets: [SPOT], until: reached(3, 1, 4) });
    try {
      expect(r.completed).toBe(true);
      const feed = r.engine.feed(3);
      expect(feed?.instrument).toMatchObject({ symbol: S, type: 'spot', base: 'BTC', quote: 'USDT', tickSize: '0.5' });
      expect(feed?.instrument.contractSize).toBeUndefined();
      expect(states(r, 3)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(feed, { snapshots: 2, deltas: 4, topChecks: 2, topMismatches: 0, trades: 1, resyncs: 0, malformedFrames: 0 });
      expect(bookSide(r, 3, 'bid')).toEqual([['99000', '4']]);
      expect(bookSide(r, 3, 'ask')).toEqual([['99010', '1']]);
      expect(spreadsOf(r.events, 3).map((s) => [s.bidPrice, s.bidSize, s.askPrice, s.askSize])).toEqual([
        ['100000', '10', '100001', '10'],
        ['100000.5', '3', '100001', '10'],
        ['100000.5', '3', '100001', '9'],
        ['100000', '10', '100001', '9'],
        ['99000', '1', '99010', '1'],
        ['99000', '4', '99010', '1'],
      ]);
      expect(tradesOf(r.events, 3).map((t) => [t.tradeId, t.side, t.price, t.size])).toEqual([['fill-1', 'sell', '100000', '2']]);
      await vi.waitFor(() => expect(sent(r, 1)).toEqual([{ op: 'subscribe', args: topics(S) }]), { timeout: 3_000 });
      expect(unsoundSpreads(r.events, 3, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('inverse XBTUSD, legacy rows: update and delete rows without price find their level by id; a delete of an unknown id resyncs', async () => {
    const S = 'XBTUSD';
    const capture = [
      open(),
      welcome(),
      partial(S, book(8800, 32000, 32000.5)),
      legacy('update', S, 8803, 'Buy', 1500),
      legacy('delete', S, 8802, 'Sell'),
      quote(S, [32000, 1500], [32001.5, 20]),
      legacy('delete', S, 8802, 'Sell'), // gone already: the book is not what BitMEX thinks
      legacy('update', S, 8803, 'Buy', 1600), // belongs to no book
      partial(S, book(9900, 32010, 32010.5)),
      legacy('update', S, 9903, 'Buy', 1700),
    ];
    const r = await run({ capture, markets: [INVERSE], until: reached(4, 2, 1700) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 4);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(st[3]![1]).toBe('malformed frame: delta: unknown level id 8802');
      const feed = r.engine.feed(4);
      expect(feed?.instrument).toMatchObject({ symbol: S, type: 'inverse', contractSize: '1' });
      expectCounters(feed, { snapshots: 2, deltas: 2 + 1 + 1, topChecks: 1, topMismatches: 0, malformedFrames: 1, resyncs: 1, reconnects: 0 });
      expect(spreadsOf(afterLive(r.events, 4, 1), 4).map((s) => [s.bidPrice, s.bidSize, s.askPrice, s.askSize]).slice(0, 3)).toEqual([
        ['32000', '10', '32000.5', '10'],
        ['32000', '1500', '32000.5', '10'],
        ['32000', '1500', '32001.5', '20'],
      ]);
      expect(bookSide(r, 4, 'bid')).toEqual([
        ['32010', '1700'],
        ['32009', '20'],
      ]);
      await vi.waitFor(() => expect(sent(r, 1)).toHaveLength(3), { timeout: 3_000 });
      expect(sent(r, 1)).toEqual([
        { op: 'subscribe', args: topics(S) },
        { op: 'unsubscribe', args: topics(S) },
        { op: 'subscribe', args: topics(S) },
      ]);
      expect(unsoundSpreads(r.events, 4, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('unknown id: an update (price given) for an id the book does not know resyncs that market only; the other keeps its book and spreads', async () => {
    const capture = [
      open(),
      welcome(),
      partial('XBTUSDT', book(100, 60000, 60001)),
      partial('ETHUSDT', book(200, 3000, 3001)),
      bump('XBTUSDT', 100, 60000, 1),
      bump('ETHUSDT', 200, 3000, 1),
      rows('update', 'XBTUSDT', [[424242, 'Buy', 7, 59990]]),
      bump('XBTUSDT', 100, 60000, 2), // belongs to no book any more
      bump('ETHUSDT', 200, 3000, 2),
      // What BitMEX sends after the engine's unsubscribe + subscribe: a fresh partial (new ids).
      partial('XBTUSDT', book(300, 60010, 60011)),
      bump('ETHUSDT', 200, 3000, 3),
      bump('XBTUSDT', 300, 60010, 3),
    ];
    const r = await run({ capture, markets: [XBT, ETH], until: (e) => reached(1, 2, sizeOf(3))(e) && reached(2, 1, sizeOf(3))(e) });
    try {
      expect(r.completed).toBe(true);
      const xbt = statusStory(r.events, 1);
      expect(xbt.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(xbt[3]![1]).toBe('malformed frame: delta: unknown level id 424242');
      expectCounters(r.engine.feed(1), { malformedFrames: 1, resyncs: 1, reconnects: 0, snapshots: 2, deltas: 3 });
      expect(bookSide(r, 1, 'bid')).toEqual([
        ['60010', String(sizeOf(3))],
        ['60009', '20'],
      ]);
      await vi.waitFor(() => expect(sent(r, 1).length).toBeGreaterThanOrEqual(3), { timeout: 3_000 });
      expect(sent(r, 1)).toEqual([
        { op: 'subscribe', args: [...topics('XBTUSDT'), ...topics('ETHUSDT')] },
        { op: 'unsubscribe', args: topics('XBTUSDT') },
        { op: 'subscribe', args: topics('XBTUSDT') },
      ]);
      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(2), { malformedFrames: 0, resyncs: 0, snapshots: 1, deltas: 3 });
      const resyncAt = r.events.findIndex((e) => e.kind === 'status' && e.marketId === 1 && e.state === 'resyncing');
      expect(spreadsOf(r.events.slice(resyncAt), 2).map((s) => s.bidSize)).toEqual([String(sizeOf(2)), String(sizeOf(3))]);
      expect(r.server.connections).toBe(1);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('truncated frame naming one symbol: counted and logged, that market resyncs, the other keeps its book', async () => {
    const truncated = '{"table":"orderBookL2","action":"update","data":[{"symbol":"XBTUSDT","id":103,"side":"Bu';
    const capture = [
      open(),
      welcome(),
      partial('XBTUSDT', book(100, 60000, 60001)),
      partial('ETHUSDT', book(200, 3000, 3001)),
      bump('XBTUSDT', 100, 60000, 1),
      bump('ETHUSDT', 200, 3000, 1),
      bump('XBTUSDT', 100, 60000, 2), // <- the truncated frame goes before this one
      bump('ETHUSDT', 200, 3000, 2),
      partial('XBTUSDT', book(300, 60010, 60011)),
      bump('XBTUSDT', 300, 60010, 3),
      bump('ETHUSDT', 200, 3000, 3),
    ];
    const logger = collectingLogger();
    const r = await run({
      capture,
      markets: [XBT, ETH],
      logger,
      faults: [{ kind: 'inject', connection: 1, before: bumpOf('XBTUSDT', 2), text: truncated }],
      until: (e) => reached(1, 2, sizeOf(3))(e) && reached(2, 1, sizeOf(3))(e),
    });
    try {
      expect(r.completed).toBe(true);
      const xbt = statusStory(r.events, 1);
      expect(xbt.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(xbt[3]![1]).toMatch(/^malformed frame: bitmex: frame is not JSON/);
      expectCounters(r.engine.feed(1), { malformedFrames: 1, resyncs: 1, reconnects: 0, snapshots: 2, deltas: 2 });
      expect(logger.lines.find((l) => l.message === 'malformed frame')).toMatchObject({ level: 'warn', fields: { venue: 'bitmex', markets: [1], frame: truncated } });
      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(2), { malformedFrames: 0, resyncs: 0, snapshots: 1, deltas: 3 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('a row BitMEX could not have sent (side "Hold"): the frame is malformed, its market resyncs and recovers', async () => {
    const capture = [
      open(),
      welcome(),
      partial('XBTUSDT', book(100, 60000, 60001)),
      bump('XBTUSDT', 100, 60000, 1),
      recv({ table: 'orderBookL2', action: 'update', data: [{ symbol: 'XBTUSDT', id: 103, side: 'Hold', size: 5, price: 60000 }] }),
      partial('XBTUSDT', book(300, 60010, 60011)),
      bump('XBTUSDT', 300, 60010, 2),
    ];
    const r = await run({ capture, until: reached(1, 2, sizeOf(2)) });
    try {
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(st[3]![1]).toBe('malformed frame: bitmex: orderBookL2 update row 103 with side "Hold"');
      expectCounters(r.engine.feed(1), { malformedFrames: 1, resyncs: 1, snapshots: 2, deltas: 2 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('venue error on subscribe (400 Unknown or expired symbol): Status failed with the message, retried, live on the next connection; info frames change nothing', async () => {
    const refused = { status: 400, error: 'Unknown or expired symbol.', meta: {}, request: { op: 'subscribe', args: topics('XBTUSDT') } };
    const capture = [open(), welcome(), recv(refused), open(), welcome(), partial('XBTUSDT', book(100, 60000, 60001)), welcome(), bump('XBTUSDT', 100, 60000, 1)];
    const logger = collectingLogger();
    const r = await run({ capture, logger, until: reached(1, 1, sizeOf(1)) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'failed', 'syncing', 'resyncing', 'syncing', 'live']);
      expect(st[2]![1]).toBe('venue error: 400 Unknown or expired symbol.');
      expect(st[3]![1]).toBe('retrying subscription');
      expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'venue error', fields: expect.objectContaining({ error: '400 Unknown or expired symbol.', symbols: ['XBTUSDT'] }) }));
      expectCounters(r.engine.feed(1), { venueErrors: 1, reconnects: 1, resyncs: 0, malformedFrames: 0, snapshots: 1, deltas: 1 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('maintenance (503 with no request): the socket is dropped and reopened, the book comes back from a fresh partial', async () => {
    const capture = [
      open(),
      welcome(),
      partial('XBTUSDT', book(100, 60000, 60001)),
      bump('XBTUSDT', 100, 60000, 1),
      recv({ status: 503, error: 'The system is currently overloaded. Please try again later.', meta: {} }),
      bump('XBTUSDT', 100, 60000, 2),
      open(),
      welcome(),
      partial('XBTUSDT', book(300, 60010, 60011)),
      bump('XBTUSDT', 300, 60010, 3),
    ];
    const r = await run({ capture, until: reached(1, 2, sizeOf(3)) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'syncing', 'live']);
      expect(st[3]![1]).toBe('venue asked to reconnect: 503 The system is currently overloaded. Please try again later.');
      expect(r.server.connections).toBe(2);
      expectCounters(r.engine.feed(1), { reconnects: 1, resyncs: 0, malformedFrames: 0, venueErrors: 0, snapshots: 2, deltas: 2 });
      expect(spreadsOf(r.events, 1).some((s) => s.bidSize === String(sizeOf(2)))).toBe(false);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('stall: no data past livenessMs -> Status stale, a reconnect, live again on connection 2', async () => {
    const capture = [open(), welcome(), partial('XBTUSDT', book(100, 60000, 60001)), bump('XBTUSDT', 100, 60000, 1), bump('XBTUSDT', 100, 60000, 2), bump('XBTUSDT', 100, 60000, 3)];
    // Welcome, partial and bump 1, then the socket stays open and silent (pings unanswered).
    const r = await run({ capture, timing: { livenessMs: 300 }, faults: [{ kind: 'stall', connection: 1, afterFrames: 3 }], until: reached(1, 2, sizeOf(3)) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'stale', 'syncing', 'live']);
      expect(st[3]![1]).toMatch(/^stale: no data for \d+ ms$/);
      expect(r.server.connections).toBe(2);
      expectCounters(r.engine.feed(1), { reconnects: 1, resyncs: 0, malformedFrames: 0, snapshots: 2 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('a skipped insert: the update of the id it would have added is an unknown id, and the market resyncs', async () => {
    const capture = [
      open(),
      welcome(),
      partial('XBTUSDT', book(100, 60000, 60001)),
      rows('insert', 'XBTUSDT', [[150, 'Buy', 5, 60000.5]]), // skipped on connection 1
      rows('update', 'XBTUSDT', [[150, 'Buy', 6, 60000.5]]),
      partial('XBTUSDT', book(300, 60010, 60011)),
      bump('XBTUSDT', 300, 60010, 1),
    ];
    const r = await run({ capture, faults: [{ kind: 'skip', connection: 1, frames: (f) => f.includes('"action":"insert"') }], until: reached(1, 2, sizeOf(1)) });
    try {
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(st[3]![1]).toBe('malformed frame: delta: unknown level id 150');
      expectCounters(r.engine.feed(1), { malformedFrames: 1, resyncs: 1, snapshots: 2, deltas: 2 });
      // Its level never showed.
      expect(spreadsOf(r.events, 1).some((s) => s.bidPrice === '60000.5')).toBe(false);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('a quote that disagrees with the book is counted (BitMEX quotes carry no sequence: no resync)', async () => {
    const capture = [open(), welcome(), partial('XBTUSDT', book(100, 60000, 60001)), quote('XBTUSDT', [60000, 10], [60001, 10]), quote('XBTUSDT', [60000, 11], [60001, 10]), bump('XBTUSDT', 100, 60000, 1)];
    const r = await run({ capture, until: reached(1, 1, sizeOf(1)) });
    try {
      expectCounters(r.engine.feed(1), { topChecks: 2, topMismatches: 1, resyncs: 0, malformedFrames: 0 });
      expect(states(r, 1)).toEqual(['starting', 'syncing', 'live']);
    } finally {
      await r.close();
    }
  });
});

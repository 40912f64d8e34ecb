/**
 * Faults the Bybit recordings do not show: small sessions written here from the spec
 * (../shared/exchanges/bybit.md §4a: in-band snapshot, `u` + 1 per delta, `u` = 1 restart), played
 * by the replay server with its faults (skip, drop, inject, stall) into the full feed engine with
 * this adapter. Every case checks the Status story, the counters, and that no Spread leaves a
 * market while its book is broken (between a non-live Status and the next `live`), nor a crossed one.
 */
import type { FeedCounters, FeedEvent, FeedSpec } from '@level4/feed';
import { afterLive, bookSide, CaptureScript, clientFrames, collectingLogger, ladder, priceText, replayRunner, sizeOf, spreadsOf, states, statusStory, unsoundSpreads, type CaptureLine, type ReplayedFeeds, type TestPrices } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { BYBIT_URLS, createBybitAdapter } from '../src/index.js';

const LINEAR = 'wss://stream.bybit.com/v5/public/linear';
const TIMING = { reconnectMinMs: 20, reconnectMaxMs: 100, resyncTimeoutMs: 300, subscribeRetryMs: 50 } as const;
const T0 = 1_733_011_200_000;

type Level = [string, string];

// ---- sessions, written as Bybit sends them --------------------------------------------------------

const script = new CaptureScript({ t0: T0, url: LINEAR });
const { open, recv } = script;

/** `orderbook.1000.<symbol>`, linear field order (type first), `cts` = matching-engine time. */
function book(symbol: string, type: 'snapshot' | 'delta', u: number, b: readonly Level[], a: readonly Level[]): CaptureLine {
  const ts = script.t + 100;
  return recv({ topic: `orderbook.1000.${symbol}`, type, ts, data: { s: symbol, b, a, u, seq: 7_000_000 + u }, cts: ts - 2 });
}

function trade(symbol: string, id: string, side: 'Buy' | 'Sell', price: string, size: string): CaptureLine {
  const ts = script.t + 100;
  return recv({ topic: `publicTrade.${symbol}`, type: 'snapshot', ts, data: [{ T: ts - 1, s: symbol, S: side, v: size, p: price, L: 'PlusTick', i: `${symbol}-${id}`, BT: false }] });
}

const BTC: TestPrices = { bid: 100, ask: 100.1, tick: 0.1 };
const ETH: TestPrices = { bid: 2000, ask: 2000.5, tick: 0.5 };

function snapshot(symbol: string, p: TestPrices, u: number): CaptureLine {
  const { bids, asks } = ladder(p);
  return book(symbol, 'snapshot', u, bids, asks);
}

/** A delta that sets the best bid's size to `sizeOf(u)`. */
function delta(symbol: string, p: TestPrices, u: number): CaptureLine {
  return book(symbol, 'delta', u, [[priceText(p.bid), sizeOf(u)]], []);
}

function deltas(symbol: string, p: TestPrices, from: number, to: number): CaptureLine[] {
  const out: CaptureLine[] = [];
  for (let u = from; u <= to; u++) out.push(delta(symbol, p, u));
  return out;
}

/** A delta's frame text names its `u`: `"u":103,`. */
const isDelta = (symbol: string, u: number) => (frame: string) => frame.includes(`"s":"${symbol}"`) && frame.includes(`"type":"delta"`) && frame.includes(`"u":${u},`);

// ---- the engine under test ---------------------------------------------------------------------

/** instruments-info (bybit.md §2) for the linear symbols these sessions use. */
const INSTRUMENTS = {
  url: '/v5/market/instruments-info?category=linear&limit=1000',
  body: JSON.stringify({
    retCode: 0,
    retMsg: 'OK',
    result: {
      category: 'linear',
      list: [
        ['BTCUSDT', 'BTC'],
        ['ETHUSDT', 'ETH'],
      ].map(([symbol, base]) => ({
        symbol,
        contractType: 'LinearPerpetual',
        status: 'Trading',
        baseCoin: base,
        quoteCoin: 'USDT',
        settleCoin: 'USDT',
        launchTime: '1585526400000',
        deliveryTime: '0',
        priceScale: '2',
        priceFilter: { minPrice: '0.10', maxPrice: '1999999.80', tickSize: '0.10' },
        lotSizeFilter: { maxOrderQty: '1190.000', minOrderQty: '0.001', qtyStep: '0.001' },
      })),
      nextPageCursor: '',
    },
    retExtInfo: {},
    time: T0,
  }),
};

const BTC_MARKET: FeedSpec = { id: 1, venue: 'bybit', type: 'futures', base: 'BTC', quote: 'USDT' };
const ETH_MARKET: FeedSpec = { id: 2, venue: 'bybit', type: 'futures', base: 'ETH', quote: 'USDT' };

const run = replayRunner({
  urls: BYBIT_URLS,
  adapter: (urls) => createBybitAdapter({ urls }),
  markets: [BTC_MARKET],
  routes: [INSTRUMENTS],
  timing: TIMING,
  timeoutMs: 8_000,
});

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

/**
 * The client frames of one connection, parsed. They leave at the venue's rate of 10 a second, so
 * they may trail the events: wait for them with `vi.waitFor`.
 */
const sent = (r: ReplayedFeeds, connection: number) => clientFrames<{ req_id?: string; op?: string; args?: string[] }>(r, connection);

const topics = (symbol: string) => [`orderbook.1000.${symbol}`, `publicTrade.${symbol}`];

// ---- the cases ---------------------------------------------------------------------------------

describe('Bybit faults through the replay server and the feed engine', () => {
  it('sequence gap: the market resyncs (unsubscribe + subscribe), reconnects when no snapshot comes, and is live again from the next session', async () => {
    const capture = [open(), snapshot('BTCUSDT', BTC, 100), ...deltas('BTCUSDT', BTC, 101, 106), trade('BTCUSDT', '1', 'Buy', '100.10', '0.5')];
    const r = await run({ capture, faults: [{ kind: 'skip', connection: 1, frames: isDelta('BTCUSDT', 103) }], until: reached(1, 2, 106) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'resyncing', 'syncing', 'live']);
      expect(st[3]![1]).toBe('sequence gap: expected 103, got 104..104');
      expect(st[4]![1]).toBe(`no snapshot within ${TIMING.resyncTimeoutMs} ms`);
      // The resync asked for a fresh snapshot on the same socket first: unsubscribe, then subscribe.
      await vi.waitFor(() => expect(sent(r, 2).length).toBeGreaterThanOrEqual(1), { timeout: 3_000 });
      expect(sent(r, 1)).toEqual([
        { req_id: '1', op: 'subscribe', args: topics('BTCUSDT') },
        { req_id: '2', op: 'unsubscribe', args: topics('BTCUSDT') },
        { req_id: '3', op: 'subscribe', args: topics('BTCUSDT') },
      ]);
      expect(r.server.connections).toBe(2);
      expect(sent(r, 2).map((f) => [f.op, f.args])).toEqual([['subscribe', topics('BTCUSDT')]]);
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

  it('u = 1 restart: a delta with u = 1 is the whole book, later deltas u = 2.. chain on it, no gap and no resync', async () => {
    const restart: [Level[], Level[]] = [
      [
        ['95.00', '5'],
        ['94.90', '6'],
      ],
      [
        ['95.10', '7'],
        ['95.20', '8'],
      ],
    ];
    const capture = [
      open(),
      snapshot('BTCUSDT', BTC, 100),
      ...deltas('BTCUSDT', BTC, 101, 102),
      book('BTCUSDT', 'delta', 1, ...restart),
      book('BTCUSDT', 'delta', 2, [['95.00', '4']], []),
      book('BTCUSDT', 'delta', 3, [], [
        ['95.10', '0'],
        ['95.30', '1'],
      ]),
    ];
    const r = await run({ capture });
    try {
      const feed = r.engine.feed(1);
      expect(states(r, 1)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(feed, { gaps: 0, resyncs: 0, reconnects: 0, malformedFrames: 0, snapshots: 2, deltas: 4 });
      expect(feed?.sequence).toBe(3);
      // Nothing of the book before the restart is left.
      expect(bookSide(r, 1, 'bid')).toEqual([
        ['95.00', '4'],
        ['94.90', '6'],
      ]);
      expect(bookSide(r, 1, 'ask')).toEqual([
        ['95.20', '8'],
        ['95.30', '1'],
      ]);
      expect(spreadsOf(r.events, 1).at(-1)).toMatchObject({ bidPrice: '95.00', bidSize: '4', askPrice: '95.20', askSize: '8' });
      // The restart's own top was published too.
      expect(spreadsOf(r.events, 1).map((s) => [s.bidPrice, s.bidSize, s.askPrice, s.askSize])).toContainEqual(['95.00', '5', '95.10', '7']);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('venue error on subscribe: Status failed with the venue message, the subscription is retried, then live on the next connection', async () => {
    const message = 'error:handler not found,topic:orderbook.1000.BTCUSDT';
    const refused = { success: false, ret_msg: message, conn_id: 'cc1d8d29-6b9f-4c31-a8a3-0b4d6f0a6c61', req_id: '1', op: 'subscribe' };
    const capture = [open(), recv(refused), open(), snapshot('BTCUSDT', BTC, 100), ...deltas('BTCUSDT', BTC, 101, 103)];
    const logger = collectingLogger();
    const r = await run({ capture, logger, until: reached(1, 1, 103) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'failed', 'syncing', 'resyncing', 'syncing', 'live']);
      expect(st[2]![1]).toBe(`venue error: ${message}`);
      expect(st[3]![1]).toBe('retrying subscription');
      // The refused request was tried again on the same socket, after subscribeRetryMs.
      await vi.waitFor(() => expect(sent(r, 2).length).toBeGreaterThanOrEqual(1), { timeout: 3_000 });
      expect(sent(r, 1)).toEqual([
        { req_id: '1', op: 'subscribe', args: topics('BTCUSDT') },
        { req_id: '2', op: 'subscribe', args: topics('BTCUSDT') },
      ]);
      expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'venue error', fields: expect.objectContaining({ error: message, request: 1, symbols: ['BTCUSDT'] }) }));
      const feed = r.engine.feed(1);
      expect(feed?.state).toBe('live');
      expectCounters(feed, { venueErrors: 1, gaps: 0, resyncs: 0, reconnects: 1, malformedFrames: 0, snapshots: 1, deltas: 3 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('dropped connection: Status resyncing "connection closed", one reconnect, live from the fresh snapshot with no ghost levels', async () => {
    // Session 1: delta 101 adds a bid (the best) that session 2's snapshot does not have.
    const ghost = '100.05';
    const capture = [
      open(),
      snapshot('BTCUSDT', BTC, 100),
      book('BTCUSDT', 'delta', 101, [[ghost, '9']], []),
      ...deltas('BTCUSDT', BTC, 102, 105),
      open(),
      snapshot('BTCUSDT', BTC, 500),
      ...deltas('BTCUSDT', BTC, 501, 503),
    ];
    // Snapshot, 101 and 102 are sent, then the socket is cut.
    const r = await run({ capture, faults: [{ kind: 'drop', connection: 1, afterFrames: 3 }], until: reached(1, 2, 503) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'syncing', 'live']);
      expect(st[3]![1]).toMatch(/^connection closed/);
      // The ghost was the best bid while connection 1 lived.
      expect(spreadsOf(r.events, 1).some((s) => s.bidPrice === ghost)).toBe(true);
      const feed = r.engine.feed(1);
      expect(feed?.sequence).toBe(503);
      expectCounters(feed, { reconnects: 1, resyncs: 0, gaps: 0, malformedFrames: 0, snapshots: 2 });
      expect(r.server.connections).toBe(2);
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

  it('truncated frame naming one symbol: counted and logged, that market resyncs, the other market on the socket keeps its book and its spreads', async () => {
    const truncated = '{"topic":"orderbook.1000.BTCUSDT","type":"delta","data":{"s":"BTCUSDT","b":[[';
    const capture = [
      open(),
      snapshot('BTCUSDT', BTC, 100),
      snapshot('ETHUSDT', ETH, 100),
      delta('BTCUSDT', BTC, 101),
      delta('ETHUSDT', ETH, 101),
      delta('BTCUSDT', BTC, 102),
      delta('ETHUSDT', ETH, 102),
      // <- the truncated frame goes here
      delta('BTCUSDT', BTC, 103), // belongs to no book any more
      delta('ETHUSDT', ETH, 103),
      // What Bybit sends after the engine's unsubscribe + subscribe: a fresh snapshot.
      snapshot('BTCUSDT', BTC, 300),
      delta('ETHUSDT', ETH, 104),
      delta('BTCUSDT', BTC, 301),
      delta('ETHUSDT', ETH, 105),
      trade('ETHUSDT', '1', 'Sell', '2000.00', '0.1'),
    ];
    const logger = collectingLogger();
    const r = await run({
      capture,
      markets: [BTC_MARKET, ETH_MARKET],
      logger,
      faults: [{ kind: 'inject', connection: 1, before: isDelta('BTCUSDT', 103), text: truncated }],
      until: (events) => reached(1, 2, 301)(events) && reached(2, 1, 105)(events) && events.some((e) => e.kind === 'trade'),
    });
    try {
      expect(r.completed).toBe(true);
      const btc = statusStory(r.events, 1);
      expect(btc.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(btc[3]![1]).toMatch(/^malformed frame: bybit: frame is not JSON/);
      expectCounters(r.engine.feed(1), { malformedFrames: 1, resyncs: 1, gaps: 0, reconnects: 0, snapshots: 2 });
      expect(r.engine.feed(1)?.sequence).toBe(301);
      const warning = logger.lines.find((l) => l.message === 'malformed frame');
      expect(warning).toMatchObject({ level: 'warn', fields: { venue: 'bybit', markets: [1], frame: truncated } });
      // The resync of BTCUSDT alone went out on the same socket.
      await vi.waitFor(() => expect(sent(r, 1).length).toBeGreaterThanOrEqual(3), { timeout: 3_000 });
      expect(sent(r, 1)).toEqual([
        { req_id: '1', op: 'subscribe', args: [...topics('BTCUSDT'), ...topics('ETHUSDT')] },
        { req_id: '2', op: 'unsubscribe', args: topics('BTCUSDT') },
        { req_id: '3', op: 'subscribe', args: topics('BTCUSDT') },
      ]);

      // ETHUSDT: never left live, every delta applied, spreads on while BTCUSDT was resyncing.
      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(2), { malformedFrames: 0, resyncs: 0, gaps: 0, reconnects: 0, snapshots: 1, deltas: 5, trades: 1 });
      expect(r.engine.feed(2)?.sequence).toBe(105);
      const resyncAt = r.events.findIndex((e) => e.kind === 'status' && e.marketId === 1 && e.state === 'resyncing');
      const ethAfter = spreadsOf(r.events.slice(resyncAt), 2).map((s) => s.bidSize);
      expect(ethAfter).toEqual([sizeOf(103), sizeOf(104), sizeOf(105)]);
      expect(bookSide(r, 2, 'bid')).toEqual([
        ['2000.00', sizeOf(105)],
        ['1999.50', '2'],
        ['1999.00', '3'],
      ]);
      expect(r.server.connections).toBe(1);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('a frame that is not JSON: counted in malformedFrames, logged, the market resyncs and recovers; the engine keeps running', async () => {
    const capture = [open(), snapshot('BTCUSDT', BTC, 100), ...deltas('BTCUSDT', BTC, 101, 104)];
    const logger = collectingLogger();
    const r = await run({ capture, logger, faults: [{ kind: 'inject', connection: 1, before: isDelta('BTCUSDT', 103), text: 'not json' }], until: reached(1, 2, 104) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'resyncing', 'syncing', 'live']);
      expect(st[3]![1]).toBe('malformed frame: bybit: frame is not JSON: "not json"');
      expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'malformed frame', fields: expect.objectContaining({ frame: 'not json', markets: [1] }) }));
      const feed = r.engine.feed(1);
      expect(feed?.state).toBe('live');
      expectCounters(feed, { malformedFrames: 1, resyncs: 1, reconnects: 1, gaps: 0, snapshots: 2 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  // A stalled replay is a hung peer: no data, no pongs. Bybit's app-level pong is its proof of life, so
  // even a peer that still answered protocol pings would go stale here.
  it('stall: no data past livenessMs -> Status stale, a reconnect, live again on connection 2', async () => {
    const capture = [open(), snapshot('BTCUSDT', BTC, 100), ...deltas('BTCUSDT', BTC, 101, 105)];
    // Snapshot, 101 and 102, then the socket stays open and silent for good.
    const r = await run({ capture, timing: { livenessMs: 300 }, faults: [{ kind: 'stall', connection: 1, afterFrames: 3 }], until: reached(1, 2, 105) });
    try {
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'stale', 'syncing', 'live']);
      expect(st[3]![1]).toMatch(/^stale: no data for \d+ ms$/);
      expect(r.completed).toBe(true);
      expect(r.server.connections).toBe(2);
      const feed = r.engine.feed(1);
      expect(feed?.sequence).toBe(105);
      expectCounters(feed, { reconnects: 1, resyncs: 0, gaps: 0, malformedFrames: 0, snapshots: 2 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('two markets on one connection: a gap in one resyncs only that market; the other keeps its book and its spreads', async () => {
    const capture = [
      open(),
      snapshot('BTCUSDT', BTC, 100),
      snapshot('ETHUSDT', ETH, 100),
      delta('BTCUSDT', BTC, 101),
      delta('ETHUSDT', ETH, 101),
      delta('BTCUSDT', BTC, 102), // skipped on connection 1
      delta('ETHUSDT', ETH, 102),
      delta('BTCUSDT', BTC, 103), // the gap shows here
      delta('ETHUSDT', ETH, 103),
      // What Bybit sends after the engine's unsubscribe + subscribe: a fresh snapshot.
      snapshot('BTCUSDT', BTC, 300),
      delta('ETHUSDT', ETH, 104),
      delta('BTCUSDT', BTC, 301),
      delta('ETHUSDT', ETH, 105),
    ];
    const r = await run({
      capture,
      markets: [BTC_MARKET, ETH_MARKET],
      faults: [{ kind: 'skip', connection: 1, frames: isDelta('BTCUSDT', 102) }],
      until: (events) => reached(1, 2, 301)(events) && reached(2, 1, 105)(events),
    });
    try {
      expect(r.completed).toBe(true);
      const btc = statusStory(r.events, 1);
      expect(btc.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(btc[3]![1]).toBe('sequence gap: expected 102, got 103..103');
      expectCounters(r.engine.feed(1), { gaps: 1, resyncs: 1, reconnects: 0, malformedFrames: 0, snapshots: 2, deltas: 2 });
      await vi.waitFor(() => expect(sent(r, 1).length).toBeGreaterThanOrEqual(3), { timeout: 3_000 });
      expect(sent(r, 1).slice(1)).toEqual([
        { req_id: '2', op: 'unsubscribe', args: topics('BTCUSDT') },
        { req_id: '3', op: 'subscribe', args: topics('BTCUSDT') },
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
});

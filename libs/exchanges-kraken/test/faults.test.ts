/**
 * Faults the Kraken recordings do not show: small sessions written here from the spec
 * (../shared/exchanges/kraken.md: v2 book with a CRC32 checksum on every message, status channel;
 * Futures book_snapshot then `seq` + 1 per delta), played by the replay server with its faults (skip,
 * corrupt, inject, stall) into the full feed engine with this adapter. Every case checks the Status
 * story, the counters, and that no Spread leaves a market while its book is broken, nor a crossed one.
 */
import { crc32 } from 'node:zlib';
import type { FeedCounters, FeedEvent, FeedSpec } from '@level4/feed';
import { afterLive, CaptureScript, clientFrames, collectingLogger, replayRunner, spreadsOf, states, statusStory, unsoundSpreads, type CaptureLine, type Fault, type ReplayedFeeds } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { createKrakenAdapter, KRAKEN_URLS } from '../src/index.js';

const TIMING = { reconnectMinMs: 20, reconnectMaxMs: 100, resyncTimeoutMs: 600, subscribeRetryMs: 50 } as const;
const T0 = 1_786_923_420_000;

type Level = readonly [string, string];

const script = new CaptureScript({ t0: T0 });

// ---- spot v2 sessions, written as Kraken sends them (bare number tokens, checksums) -----------------

/** One symbol's book as the venue holds it: the checksum of each frame is computed from it (zlib CRC-32). */
class Model {
  private bids = new Map<string, string>();
  private asks = new Map<string, string>();
  reset(): void {
    this.bids = new Map();
    this.asks = new Map();
  }
  apply(bids: readonly Level[], asks: readonly Level[]): number {
    for (const [map, levels] of [[this.bids, bids], [this.asks, asks]] as const) {
      for (const [p, q] of levels) {
        if (Number(q) === 0) map.delete(p);
        else map.set(p, q);
      }
    }
    const part = (t: string) => t.replace('.', '').replace(/^0+/, '');
    const top = (map: Map<string, string>, dir: number) =>
      [...map.entries()]
        .sort((a, b) => dir * (Number(a[0]) - Number(b[0])))
        .slice(0, 10)
        .map(([p, q]) => part(p) + part(q))
        .join('');
    return crc32(top(this.asks, 1) + top(this.bids, -1));
  }
}

const SPOT = KRAKEN_URLS.spotWs;
const FUTURES = KRAKEN_URLS.futuresWs;

const open = (url: string): CaptureLine => script.open(url);
const recv = (url: string, data: string): CaptureLine => script.recv(data, url);

interface SpotMarket {
  readonly symbol: string;
  readonly bid: number;
  readonly model: Model;
}

const spotBtc = (): SpotMarket => ({ symbol: 'BTC/USD', bid: 62800, model: new Model() });
const spotEth = (): SpotMarket => ({ symbol: 'ETH/USD', bid: 2400, model: new Model() });

const list = (levels: readonly Level[]) => `[${levels.map(([p, q]) => `{"price":${p},"qty":${q}}`).join(',')}]`;

function spotBook(m: SpotMarket, type: 'snapshot' | 'update', bids: readonly Level[], asks: readonly Level[]): CaptureLine {
  if (type === 'snapshot') m.model.reset();
  const checksum = m.model.apply(bids, asks);
  const ts = new Date(script.t + 100).toISOString().replace('Z', '001Z');
  return recv(SPOT, `{"channel":"book","type":"${type}","data":[{"symbol":"${m.symbol}","bids":${list(bids)},"asks":${list(asks)},"checksum":${checksum},"timestamp":"${ts}"}]}`);
}

/** Two levels a side, one unit apart. */
function spotSnapshot(m: SpotMarket): CaptureLine {
  const p = (x: number) => x.toFixed(1);
  return spotBook(m, 'snapshot', [[p(m.bid), '1.00000000'], [p(m.bid - 1), '2.00000000']], [[p(m.bid + 0.5), '1.00000000'], [p(m.bid + 1.5), '2.00000000']]);
}

/** The best bid's size of update `k`: unique, so each update moves the top (a Spread). */
const qtyOf = (k: number) => `${k}.50000000`;

function spotUpdate(m: SpotMarket, k: number): CaptureLine {
  return spotBook(m, 'update', [[m.bid.toFixed(1), qtyOf(k)]], []);
}

const isUpdate = (symbol: string, k: number) => (frame: string) => frame.includes(`"symbol":"${symbol}"`) && frame.includes(`"qty":${qtyOf(k)}`);

const STATUS_ONLINE = '{"channel":"status","type":"update","data":[{"version":"2.0.10","system":"online","api_version":"v2","connection_id":14949390454975033707}]}';

// ---- Futures sessions ---------------------------------------------------------------------------

function futuresSnapshot(product: string, bid: number, seq: number): CaptureLine {
  const p = (x: number) => x.toFixed(1);
  return recv(
    FUTURES,
    `{"feed":"book_snapshot","product_id":"${product}","timestamp":${script.t + 100},"seq":${seq},"tickSize":null,"bids":${list([[p(bid), '100.0'], [p(bid - 1), '200.0']])},"asks":${list([[p(bid + 0.5), '100.0'], [p(bid + 1.5), '200.0']])}}`,
  );
}

/** A delta that sets the best bid's size to `${seq}.0`. */
function futuresDelta(product: string, bid: number, seq: number): CaptureLine {
  return recv(FUTURES, `{"feed":"book","product_id":"${product}","side":"buy","seq":${seq},"price":${bid.toFixed(1)},"qty":${seq}.0,"timestamp":${script.t + 100}}`);
}

const isDelta = (product: string, seq: number) => (frame: string) => frame.includes(`"product_id":"${product}"`) && frame.includes(`"seq":${seq},`);

// ---- the engine under test ----------------------------------------------------------------------

const ASSET_PAIRS = {
  url: '/0/public/AssetPairs',
  body: JSON.stringify({
    error: [],
    result: {
      XXBTZUSD: { altname: 'XBTUSD', wsname: 'XBT/USD', pair_decimals: 1, lot_decimals: 8, tick_size: '0.1', status: 'online' },
      XETHZUSD: { altname: 'ETHUSD', wsname: 'ETH/USD', pair_decimals: 2, lot_decimals: 8, tick_size: '0.01', status: 'online' },
      XXMRZUSD: { altname: 'XMRUSD', wsname: 'XMR/USD', pair_decimals: 2, lot_decimals: 8, tick_size: '0.01', status: 'cancel_only' },
    },
  }),
};

const FUTURES_INSTRUMENTS = {
  url: '/derivatives/api/v3/instruments',
  body: JSON.stringify({
    result: 'success',
    instruments: [
      { symbol: 'pi_xbtusd', type: 'futures_inverse', underlying: 'rr_xbtusd', tickSize: 0.5, contractSize: 1, tradeable: true },
      { symbol: 'pi_ethusd', type: 'futures_inverse', underlying: 'rr_ethusd', tickSize: 0.05, contractSize: 1, tradeable: true },
    ],
  }),
};

const BTC: FeedSpec = { id: 1, venue: 'kraken', type: 'spot', base: 'BTC', quote: 'USD' };
const ETH: FeedSpec = { id: 2, venue: 'kraken', type: 'spot', base: 'ETH', quote: 'USD' };
const PI_XBT: FeedSpec = { id: 3, venue: 'kraken', type: 'inverse', base: 'BTC', quote: 'USD' };
const PI_ETH: FeedSpec = { id: 4, venue: 'kraken', type: 'inverse', base: 'ETH', quote: 'USD' };

const run = replayRunner({
  urls: KRAKEN_URLS,
  adapter: (urls) => createKrakenAdapter({ urls }),
  routes: [ASSET_PAIRS, FUTURES_INSTRUMENTS],
  timing: TIMING,
  timeoutMs: 8_000,
});

/** Done once the market is live for the `n`-th time and has since published a best bid of size `size`. */
const reached =
  (id: number, n: number, size: string) =>
  (events: readonly FeedEvent[]): boolean =>
    spreadsOf(afterLive(events, id, n), id).some((s) => s.bidSize === size);

function expectCounters(feed: { counters: Readonly<FeedCounters> } | undefined, expected: Partial<FeedCounters>): void {
  expect(feed).toBeDefined();
  expect(feed!.counters).toMatchObject({ crossedBooks: 0, bufferOverflows: 0, ...expected });
}

/** The client frames of one connection, parsed (they leave at 5 a second: wait for them). */
function sent(r: ReplayedFeeds, connection: number): Record<string, unknown>[] {
  return clientFrames(r, connection);
}

const spotFrames = (method: string, symbols: string[], id: number) => [
  { method, params: method === 'subscribe' ? { channel: 'book', symbol: symbols, depth: 1000, snapshot: true } : { channel: 'book', symbol: symbols, depth: 1000 }, req_id: id },
  { method, params: method === 'subscribe' ? { channel: 'trade', symbol: symbols, snapshot: false } : { channel: 'trade', symbol: symbols }, req_id: id },
];

// ---- the cases ----------------------------------------------------------------------------------

describe('Kraken faults through the replay server and the feed engine', () => {
  it('bad checksum on BTC/USD: checksumFailures 1, only BTC/USD resyncs (unsubscribe + subscribe), ETH/USD keeps its book and spreads', async () => {
    const btc = spotBtc();
    const eth = spotEth();
    const capture = [
      open(SPOT),
      recv(SPOT, STATUS_ONLINE),
      spotSnapshot(btc),
      spotSnapshot(eth),
      spotUpdate(btc, 1),
      spotUpdate(eth, 1),
      spotUpdate(btc, 2), // its checksum is corrupted on the wire
      spotUpdate(eth, 2),
      spotUpdate(btc, 3), // belongs to no book any more
      spotUpdate(eth, 3),
      // What Kraken sends after the engine's unsubscribe + subscribe: a fresh snapshot.
      spotSnapshot(btc),
      spotUpdate(eth, 4),
      spotUpdate(btc, 5),
      spotUpdate(eth, 5),
    ];
    const corrupt: Fault = { kind: 'corrupt', connection: 1, frames: isUpdate('BTC/USD', 2), edit: (f) => f.replace(/"checksum":(\d+)/, (_, c: string) => `"checksum":${(Number(c) + 1) >>> 0}`) };
    const r = await run({ capture, markets: [BTC, ETH], faults: [corrupt], until: (e) => reached(1, 2, qtyOf(5))(e) && reached(2, 1, qtyOf(5))(e) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(st[3]![1]).toMatch(/^checksum mismatch: venue \d+$/);
      expectCounters(r.engine.feed(1), { checksumFailures: 1, resyncs: 1, gaps: 0, malformedFrames: 0, reconnects: 0, snapshots: 2, deltas: 3 });
      // The bad book's top was never published: the size of update 2 appears in no Spread.
      expect(spreadsOf(r.events, 1).some((s) => s.bidSize === qtyOf(2))).toBe(false);
      await vi.waitFor(() => expect(sent(r, 1).length).toBeGreaterThanOrEqual(6), { timeout: 3_000 });
      expect(sent(r, 1)).toEqual([...spotFrames('subscribe', ['BTC/USD', 'ETH/USD'], 1), ...spotFrames('unsubscribe', ['BTC/USD'], 2), ...spotFrames('subscribe', ['BTC/USD'], 3)]);
      expect(r.engine.book(1)!.sizeAt('bid', '62800.0')).toBe(qtyOf(5));

      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(2), { checksumFailures: 0, resyncs: 0, snapshots: 1, deltas: 5 });
      const resyncAt = r.events.findIndex((e) => e.kind === 'status' && e.marketId === 1 && e.state === 'resyncing');
      expect(spreadsOf(r.events.slice(resyncAt), 2).map((s) => s.bidSize)).toEqual([qtyOf(2), qtyOf(3), qtyOf(4), qtyOf(5)]);
      expect(r.server.connections).toBe(1);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('futures seq gap on PI_XBTUSD: gaps 1, only that market resyncs from a new book_snapshot, PI_ETHUSD stays live', async () => {
    const capture = [
      open(FUTURES),
      recv(FUTURES, '{"event":"info","version":1}'),
      futuresSnapshot('PI_XBTUSD', 97000, 100),
      futuresSnapshot('PI_ETHUSD', 2400, 500),
      futuresDelta('PI_XBTUSD', 97000, 101),
      futuresDelta('PI_ETHUSD', 2400, 501),
      futuresDelta('PI_XBTUSD', 97000, 102), // skipped on the wire
      futuresDelta('PI_ETHUSD', 2400, 502),
      futuresDelta('PI_XBTUSD', 97000, 103), // the gap shows here
      futuresDelta('PI_ETHUSD', 2400, 503),
      futuresSnapshot('PI_XBTUSD', 97000, 300),
      futuresDelta('PI_XBTUSD', 97000, 301),
      futuresDelta('PI_ETHUSD', 2400, 504),
    ];
    const r = await run({
      capture,
      markets: [PI_XBT, PI_ETH],
      faults: [{ kind: 'skip', connection: 1, frames: isDelta('PI_XBTUSD', 102) }],
      until: (e) => reached(3, 2, '301.0')(e) && reached(4, 1, '504.0')(e),
    });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 3);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(st[3]![1]).toBe('sequence gap: expected 102, got 103..103');
      expectCounters(r.engine.feed(3), { gaps: 1, resyncs: 1, reconnects: 0, malformedFrames: 0, snapshots: 2, deltas: 2 });
      expect(r.engine.feed(3)?.sequence).toBe(301);
      await vi.waitFor(() => expect(sent(r, 1).length).toBeGreaterThanOrEqual(7), { timeout: 4_000 });
      expect(sent(r, 1)).toEqual([
        { event: 'subscribe', feed: 'heartbeat' },
        { event: 'subscribe', feed: 'book', product_ids: ['PI_XBTUSD', 'PI_ETHUSD'] },
        { event: 'subscribe', feed: 'trade', product_ids: ['PI_XBTUSD', 'PI_ETHUSD'] },
        { event: 'unsubscribe', feed: 'book', product_ids: ['PI_XBTUSD'] },
        { event: 'unsubscribe', feed: 'trade', product_ids: ['PI_XBTUSD'] },
        { event: 'subscribe', feed: 'book', product_ids: ['PI_XBTUSD'] },
        { event: 'subscribe', feed: 'trade', product_ids: ['PI_XBTUSD'] },
      ]);
      expect(states(r, 4)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(4), { gaps: 0, resyncs: 0, snapshots: 1, deltas: 4 });
      expect(r.engine.feed(4)?.sequence).toBe(504);
      expect(r.server.connections).toBe(1);
      expect(unsoundSpreads(r.events, 3, { bothSides: true })).toEqual([]);
      expect(unsoundSpreads(r.events, 4, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('malformed frame naming BTC/USD: counted and logged, BTC/USD resyncs, ETH/USD keeps going', async () => {
    const btc = spotBtc();
    const eth = spotEth();
    const truncated = '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":62800.0,"qty":';
    const capture = [open(SPOT), recv(SPOT, STATUS_ONLINE), spotSnapshot(btc), spotSnapshot(eth), spotUpdate(btc, 1), spotUpdate(eth, 1), spotUpdate(btc, 2), spotUpdate(eth, 2), spotSnapshot(btc), spotUpdate(btc, 3), spotUpdate(eth, 3)];
    const logger = collectingLogger();
    const r = await run({
      capture,
      markets: [BTC, ETH],
      logger,
      faults: [{ kind: 'inject', connection: 1, before: isUpdate('BTC/USD', 2), text: truncated }],
      until: (e) => reached(1, 2, qtyOf(3))(e) && reached(2, 1, qtyOf(3))(e),
    });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(st[3]![1]).toMatch(/^malformed frame: kraken: frame is not JSON/);
      expectCounters(r.engine.feed(1), { malformedFrames: 1, resyncs: 1, gaps: 0, checksumFailures: 0, reconnects: 0, snapshots: 2 });
      expect(logger.lines.find((l) => l.message === 'malformed frame')).toMatchObject({ level: 'warn', fields: { venue: 'kraken', markets: [1], frame: truncated } });
      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(2), { malformedFrames: 0, resyncs: 0, deltas: 3 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('a book frame of the wrong shape (no checksum) is malformed too: the parse error names it, the market resyncs', async () => {
    const btc = spotBtc();
    const bad = '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[]}]}';
    const capture = [open(SPOT), recv(SPOT, STATUS_ONLINE), spotSnapshot(btc), spotUpdate(btc, 1), spotUpdate(btc, 2), spotSnapshot(btc), spotUpdate(btc, 3)];
    const r = await run({ capture, markets: [BTC], faults: [{ kind: 'inject', connection: 1, before: isUpdate('BTC/USD', 2), text: bad }], until: reached(1, 2, qtyOf(3)) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(st[3]![1]).toBe('malformed frame: kraken: book update of BTC/USD without "checksum"');
      expectCounters(r.engine.feed(1), { malformedFrames: 1, resyncs: 1, checksumFailures: 0 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('status maintenance: the venue asks to reconnect; every market resyncs and is live again from the next connection', async () => {
    const btc = spotBtc();
    const capture = [
      open(SPOT),
      recv(SPOT, STATUS_ONLINE),
      spotSnapshot(btc),
      spotUpdate(btc, 1),
      recv(SPOT, STATUS_ONLINE.replace('"online"', '"maintenance"')),
      spotUpdate(btc, 2), // after the notice: not read
      open(SPOT),
      recv(SPOT, STATUS_ONLINE),
      spotSnapshot(btc),
      spotUpdate(btc, 3),
    ];
    const r = await run({ capture, markets: [BTC], until: reached(1, 2, qtyOf(3)) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'syncing', 'live']);
      expect(st[3]![1]).toBe('venue asked to reconnect: Kraken system status: maintenance');
      expectCounters(r.engine.feed(1), { reconnects: 1, resyncs: 0, checksumFailures: 0, malformedFrames: 0, snapshots: 2, deltas: 2 });
      expect(spreadsOf(r.events, 1).some((s) => s.bidSize === qtyOf(2))).toBe(false);
      expect(r.server.connections).toBe(2);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('venue error on subscribe (success false): Status failed with the venue text, the subscription is retried, then live', async () => {
    const btc = spotBtc();
    const refused = '{"error":"Currency pair not supported BTC/USD","method":"subscribe","req_id":1,"success":false,"symbol":"BTC/USD","time_in":"x","time_out":"y"}';
    const capture = [open(SPOT), recv(SPOT, STATUS_ONLINE), recv(SPOT, refused), open(SPOT), recv(SPOT, STATUS_ONLINE), spotSnapshot(btc), spotUpdate(btc, 1)];
    const logger = collectingLogger();
    const r = await run({ capture, markets: [BTC], logger, until: (e) => spreadsOf(e, 1).some((s) => s.bidSize === qtyOf(1)) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.slice(0, 3)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['failed', 'venue error: Currency pair not supported BTC/USD'],
      ]);
      expect(st.at(-1)![0]).toBe('live');
      expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'venue error', fields: expect.objectContaining({ request: 1, symbols: ['BTC/USD'] }) }));
      expectCounters(r.engine.feed(1), { venueErrors: 1, checksumFailures: 0, malformedFrames: 0, snapshots: 1, deltas: 1 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('futures subscribed_failed for a product: that market fails with the venue message and is retried', async () => {
    const capture = [
      open(FUTURES),
      recv(FUTURES, '{"event":"info","version":1}'),
      recv(FUTURES, '{"event":"subscribed_failed","feed":"book","product_ids":["pi_xbtusd"]}'),
      open(FUTURES),
      futuresSnapshot('PI_XBTUSD', 97000, 100),
      futuresDelta('PI_XBTUSD', 97000, 101),
    ];
    const r = await run({ capture, markets: [PI_XBT], until: (e) => spreadsOf(e, 3).some((s) => s.bidSize === '101.0') });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 3);
      expect(st[2]).toEqual(['failed', 'venue error: subscribe to book failed']);
      expect(st.at(-1)![0]).toBe('live');
      expectCounters(r.engine.feed(3), { venueErrors: 1, gaps: 0, snapshots: 1, deltas: 1 });
      expect(unsoundSpreads(r.events, 3, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('stall: no frame (not even the 1 s heartbeat) past livenessMs -> Status stale, a reconnect, live again on connection 2', async () => {
    const btc = spotBtc();
    const capture = [open(SPOT), recv(SPOT, STATUS_ONLINE), spotSnapshot(btc), spotUpdate(btc, 1), spotUpdate(btc, 2), spotUpdate(btc, 3)];
    const r = await run({ capture, markets: [BTC], timing: { livenessMs: 300 }, faults: [{ kind: 'stall', connection: 1, afterFrames: 3 }], until: reached(1, 2, qtyOf(3)) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'stale', 'syncing', 'live']);
      expect(st[3]![1]).toMatch(/^stale: no data for \d+ ms$/);
      expect(r.server.connections).toBe(2);
      expectCounters(r.engine.feed(1), { reconnects: 1, resyncs: 0, checksumFailures: 0, snapshots: 2 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('halted instrument: a pair whose AssetPairs status is cancel_only is not started', async () => {
    await expect(run({ capture: [open(SPOT), recv(SPOT, STATUS_ONLINE)], markets: [{ id: 5, venue: 'kraken', type: 'spot', base: 'XMR', quote: 'USD' }] })).rejects.toThrow(
      /XMR\/USD\) is not trading: venue status cancel_only/,
    );
  });
});

/**
 * Faults the bitFlyer recording does not show: small sessions written here from the spec
 * (../shared/exchanges/bitflyer.md §3-§7: JSON-RPC channelMessage frames, snapshot channel replacing
 * the book, diffs with absolute sizes, `mid_price` = the mid rounded down to the tick), played by
 * the replay server with its faults (corrupt, inject, stall) into the full feed engine with this
 * adapter. Every case checks the Status story, the counters, that no Spread leaves a market while
 * its book is broken, and that the market comes back live with the right book.
 */
import type { FeedCounters, FeedEvent, FeedSpec } from '@level4/feed';
import { afterLive, bookSide, CaptureScript, clientFrames, collectingLogger, replayRunner, spreadsOf, states, statusStory, unsoundSpreads, type CaptureLine, type ReplayedFeeds } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { BITFLYER_URLS, createBitflyerAdapter } from '../src/index.js';

const WS = 'wss://ws.lightstream.bitflyer.com/json-rpc';
const TIMING = { reconnectMinMs: 20, reconnectMaxMs: 100, resyncTimeoutMs: 500, subscribeRetryMs: 50 } as const;

// ---- sessions, written as bitFlyer sends them (numbers as JSON numbers, `.0` on whole prices) ----

const script = new CaptureScript({ t0: 1_639_350_329_000, url: WS });
const open = (): CaptureLine => script.open();
const recv = (data: string): CaptureLine => script.recv(data);

type Level = readonly [price: string, size: string];

const levelsText = (levels: readonly Level[]) => `[${levels.map(([p, s]) => `{"price":${p},"size":${s}}`).join(',')}]`;

function board(kind: 'snapshot' | 'diff', symbol: string, mid: string, bids: readonly Level[], asks: readonly Level[]): CaptureLine {
  const channel = kind === 'snapshot' ? `lightning_board_snapshot_${symbol}` : `lightning_board_${symbol}`;
  return recv(`{"jsonrpc":"2.0","method":"channelMessage","params":{"channel":"${channel}","message":{"mid_price":${mid},"bids":${levelsText(bids)},"asks":${levelsText(asks)}}}}`);
}

/** ETH_JPY (tick 1): bids 100/99/98, asks 103/104/105 -> mid 101.5 -> mid_price 101.0. */
const ETH_SNAPSHOT = (): CaptureLine =>
  board('snapshot', 'ETH_JPY', '101.0', [['98.0', '3'], ['100.0', '1'], ['99.0', '2']], [['103.0', '1'], ['104.0', '2'], ['105.0', '3']]);
/** XRP_JPY (tick 0.01): bids 95.00/94.99, asks 95.10/95.11 -> mid 95.05. */
const XRP_SNAPSHOT = (): CaptureLine => board('snapshot', 'XRP_JPY', '95.05', [['95.0', '10'], ['94.99', '20']], [['95.1', '10'], ['95.11', '20']]);

/** An ETH_JPY diff setting the best bid (100) to size `n.5`: unchanged mid 101.0, a new Spread each. */
const ethDiff = (n: number): CaptureLine => board('diff', 'ETH_JPY', '101.0', [['100.0', `${n}.5`]], []);
const xrpDiff = (n: number): CaptureLine => board('diff', 'XRP_JPY', '95.05', [['95.0', `${n}.5`]], []);

const isEthDiff = (n: number) => (frame: string) => frame.includes('"lightning_board_ETH_JPY"') && frame.includes(`"size":${n}.5}`);

// ---- the engine under test ---------------------------------------------------------------------

const INSTRUMENTS = {
  url: '/v1/markets',
  body: JSON.stringify([
    { product_code: 'BTC_JPY', market_type: 'Spot' },
    { product_code: 'XRP_JPY', market_type: 'Spot' },
    { product_code: 'ETH_JPY', market_type: 'Spot' },
    { product_code: 'FX_BTC_JPY', market_type: 'FX' },
  ]),
};

const ETH: FeedSpec = { id: 1, venue: 'bitflyer', type: 'spot', base: 'ETH', quote: 'JPY' };
const XRP: FeedSpec = { id: 2, venue: 'bitflyer', type: 'spot', base: 'XRP', quote: 'JPY' };

const run = replayRunner({
  urls: BITFLYER_URLS,
  adapter: (urls) => createBitflyerAdapter({ urls }),
  markets: [ETH],
  routes: [INSTRUMENTS],
  timing: TIMING,
  timeoutMs: 8_000,
});

/** Done once market `id` is live for the `n`-th time and has since published a best bid of size `size`. */
const reached =
  (id: number, n: number, size: string) =>
  (events: readonly FeedEvent[]): boolean =>
    spreadsOf(afterLive(events, id, n), id).some((s) => s.bidSize === size);

function expectCounters(feed: { counters: Readonly<FeedCounters> } | undefined, expected: Partial<FeedCounters>): void {
  expect(feed).toBeDefined();
  expect(feed!.counters).toMatchObject({ crossedBooks: 0, bufferOverflows: 0, gaps: 0, ...expected });
}

/** The client frames of one connection: each is a JSON-RPC batch of one market's channels. */
function sent(r: ReplayedFeeds, connection: number): { id: number; method: string; channels: string[] }[] {
  return clientFrames<{ id: number; method: string; params: { channel: string } }[]>(r, connection).map((batch) => ({
    id: batch[0]!.id,
    method: batch[0]!.method,
    channels: batch.map((b) => b.params.channel),
  }));
}

const channels = (symbol: string) => [`lightning_board_snapshot_${symbol}`, `lightning_board_${symbol}`, `lightning_executions_${symbol}`];

// ---- the cases ---------------------------------------------------------------------------------

describe('bitFlyer faults through the replay server and the feed engine', () => {
  it('mid_price mismatch: that market alone resyncs (unsubscribe + subscribe) and is live again from the next snapshot; the other keeps flowing', async () => {
    const capture = [
      open(),
      ETH_SNAPSHOT(),
      XRP_SNAPSHOT(),
      ethDiff(1),
      xrpDiff(1),
      ethDiff(2), // <- its mid_price is corrupted to 102.0: the local mid is 101.5
      xrpDiff(2),
      ethDiff(3), // belongs to no book
      // What bitFlyer sends after the resubscribe: a fresh snapshot.
      ETH_SNAPSHOT(),
      xrpDiff(3),
      ethDiff(4),
    ];
    const r = await run({
      capture,
      markets: [ETH, XRP],
      faults: [{ kind: 'corrupt', connection: 1, frames: isEthDiff(2), edit: (f) => f.replace('"mid_price":101.0', '"mid_price":102.0') }],
      until: (events) => reached(1, 2, '4.5')(events) && spreadsOf(events, 2).some((s) => s.bidSize === '3.5'),
    });
    try {
      expect(r.completed).toBe(true);
      const eth = statusStory(r.events, 1);
      expect(eth.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(eth[3]![1]).toBe('checksum mismatch: venue 102.0');
      expectCounters(r.engine.feed(1), { checksumFailures: 1, resyncs: 1, reconnects: 0, malformedFrames: 0, snapshots: 2, deltas: 3 });
      // The failed book's Spread for diff 2 never went out.
      expect(spreadsOf(r.events, 1).map((s) => s.bidSize)).toEqual(['1', '1.5', '1', '4.5']);
      await vi.waitFor(() => expect(sent(r, 1).length).toBeGreaterThanOrEqual(4), { timeout: 3_000 });
      expect(sent(r, 1)).toEqual([
        { id: 1, method: 'subscribe', channels: channels('ETH_JPY') },
        { id: 2, method: 'subscribe', channels: channels('XRP_JPY') },
        { id: 3, method: 'unsubscribe', channels: channels('ETH_JPY') },
        { id: 4, method: 'subscribe', channels: channels('ETH_JPY') },
      ]);
      expect(bookSide(r, 1, 'bid')).toEqual([['100.0', '4.5'], ['99.0', '2'], ['98.0', '3']]);
      // XRP_JPY never left live and applied every diff.
      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(2), { checksumFailures: 0, resyncs: 0, snapshots: 1, deltas: 3 });
      expect(r.server.connections).toBe(1);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('a new snapshot replaces the whole book: a level only the diffs knew is gone, no resync', async () => {
    const ghost = '100.5'; // not on ETH_JPY's tick, but bitFlyer's mid rule only looks at the mid
    const capture = [
      open(),
      ETH_SNAPSHOT(),
      // A diff adds a best bid of 101 (mid 102.0) and removes the ask at 104.
      board('diff', 'ETH_JPY', '102.0', [['101.0', '7']], [['104.0', '0']]),
      board('diff', 'ETH_JPY', '102.0', [[ghost, '1']], []), // the best bid is still 101: mid 102
      // bitFlyer's periodic snapshot: the book it holds now, best bids first this time.
      board('snapshot', 'ETH_JPY', '102.0', [['101.0', '7'], ['100.0', '1']], [['103.0', '1'], ['104.0', '5']]),
      board('diff', 'ETH_JPY', '102.0', [['101.0', '9.5']], []),
    ];
    const r = await run({ capture, until: reached(1, 1, '9.5') });
    try {
      expect(r.completed).toBe(true);
      expect(states(r, 1)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(1), { checksumFailures: 0, resyncs: 0, snapshots: 2, deltas: 3, malformedFrames: 0 });
      const book = r.engine.book(1)!;
      expect(book.sizeAt('bid', ghost)).toBeUndefined();
      expect(book.sizeAt('bid', '98.0')).toBeUndefined();
      expect(bookSide(r, 1, 'bid')).toEqual([['101.0', '9.5'], ['100.0', '1']]);
      expect(bookSide(r, 1, 'ask')).toEqual([['103.0', '1'], ['104.0', '5']]);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('diffs before the first snapshot belong to no book, and price 0 (itayose) entries are no level', async () => {
    const capture = [
      open(),
      ethDiff(1), // dropped: no snapshot yet
      ETH_SNAPSHOT(),
      board('diff', 'ETH_JPY', '101.0', [['0', '3.2'], ['100.0', '2.5']], []),
    ];
    const r = await run({ capture, until: reached(1, 1, '2.5') });
    try {
      expect(r.completed).toBe(true);
      expectCounters(r.engine.feed(1), { snapshots: 1, deltas: 1, resyncs: 0, checksumFailures: 0 });
      expect(bookSide(r, 1, 'bid')).toEqual([['100.0', '2.5'], ['99.0', '2'], ['98.0', '3']]);
      expect(states(r, 1)).toEqual(['starting', 'syncing', 'live']);
    } finally {
      await r.close();
    }
  });

  it('malformed frames naming one product: counted and logged, that market resyncs, the other keeps its book', async () => {
    const truncated = '{"jsonrpc":"2.0","method":"channelMessage","params":{"channel":"lightning_board_ETH_JPY","message":{"mid_price":101.0,"bids":[{"pr';
    const capture = [open(), ETH_SNAPSHOT(), XRP_SNAPSHOT(), ethDiff(1), xrpDiff(1), ethDiff(2), xrpDiff(2), ETH_SNAPSHOT(), ethDiff(3), xrpDiff(3)];
    const logger = collectingLogger();
    const r = await run({
      capture,
      markets: [ETH, XRP],
      logger,
      faults: [{ kind: 'inject', connection: 1, before: isEthDiff(2), text: truncated }],
      until: (events) => reached(1, 2, '3.5')(events) && spreadsOf(events, 2).some((s) => s.bidSize === '3.5'),
    });
    try {
      expect(r.completed).toBe(true);
      const eth = statusStory(r.events, 1);
      expect(eth.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(eth[3]![1]).toMatch(/^malformed frame: bitflyer: frame is not JSON/);
      expectCounters(r.engine.feed(1), { malformedFrames: 1, resyncs: 1, reconnects: 0, snapshots: 2, deltas: 2 });
      expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'malformed frame', fields: expect.objectContaining({ venue: 'bitflyer', markets: [1], frame: truncated }) }));
      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r.engine.feed(2), { malformedFrames: 0, resyncs: 0, snapshots: 1, deltas: 3 });
      expect(bookSide(r, 1, 'bid')[0]).toEqual(['100.0', '3.5']);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('a well-formed frame of the wrong shape (board without bids) is malformed too: the market resyncs and recovers', async () => {
    const wrong = '{"jsonrpc":"2.0","method":"channelMessage","params":{"channel":"lightning_board_ETH_JPY","message":{"mid_price":101.0,"asks":[]}}}';
    const capture = [open(), ETH_SNAPSHOT(), ethDiff(1), ethDiff(2), ETH_SNAPSHOT(), ethDiff(3)];
    const r = await run({ capture, faults: [{ kind: 'inject', connection: 1, before: isEthDiff(2), text: wrong }], until: reached(1, 2, '3.5') });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(st[3]![1]).toBe('malformed frame: bitflyer: lightning_board_ETH_JPY without "bids"/"asks" arrays');
      expectCounters(r.engine.feed(1), { malformedFrames: 1, resyncs: 1, snapshots: 2 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('subscription error: Status failed with the JSON-RPC error, the subscription is retried, then live', async () => {
    const refused = '[{"jsonrpc":"2.0","id":1,"result":true},{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Invalid params"}},{"jsonrpc":"2.0","id":1,"result":true}]';
    const capture = [open(), recv(refused), open(), recv('[{"jsonrpc":"2.0","id":1,"result":true},{"jsonrpc":"2.0","id":1,"result":true},{"jsonrpc":"2.0","id":1,"result":true}]'), ETH_SNAPSHOT(), ethDiff(1)];
    const logger = collectingLogger();
    const r = await run({ capture, logger, until: reached(1, 1, '1.5') });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st[2]).toEqual(['failed', 'venue error: Invalid params (code -32602)']);
      expect(st.at(-1)![0]).toBe('live');
      expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'venue error', fields: expect.objectContaining({ error: 'Invalid params (code -32602)', request: 1, symbols: ['ETH_JPY'] }) }));
      await vi.waitFor(() => expect(sent(r, 1).length).toBeGreaterThanOrEqual(2), { timeout: 3_000 });
      expect(sent(r, 1).slice(0, 2)).toEqual([
        { id: 1, method: 'subscribe', channels: channels('ETH_JPY') },
        { id: 2, method: 'subscribe', channels: channels('ETH_JPY') },
      ]);
      expectCounters(r.engine.feed(1), { venueErrors: 1, snapshots: 1, deltas: 1 });
      expect(r.engine.feed(1)?.state).toBe('live');
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('stalled socket: no data past livenessMs -> Status stale, a reconnect, live again from the new session', async () => {
    const capture = [open(), ETH_SNAPSHOT(), ethDiff(1), ethDiff(2), ethDiff(3), open(), ETH_SNAPSHOT(), ethDiff(4)];
    const r = await run({ capture, timing: { livenessMs: 300 }, faults: [{ kind: 'stall', connection: 1, afterFrames: 2 }], until: reached(1, 2, '4.5') });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'stale', 'syncing', 'live']);
      expect(st[3]![1]).toMatch(/^stale: no data for \d+ ms$/);
      expect(r.server.connections).toBe(2);
      expectCounters(r.engine.feed(1), { reconnects: 1, resyncs: 0, malformedFrames: 0, snapshots: 2, deltas: 2 });
      expect(bookSide(r, 1, 'bid')[0]).toEqual(['100.0', '4.5']);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('a spec naming the CFD product fails, saying bitFlyer support is spot only; BTC/JPY is the spot product', async () => {
    const r = await run({ capture: [open(), ETH_SNAPSHOT()] });
    try {
      await expect(r.engine.start({ id: 7, venue: 'bitflyer', type: 'spot', base: 'BTC', quote: 'JPY', symbol: 'FX_BTC_JPY' })).rejects.toThrow(
        'bitflyer spot symbol FX_BTC_JPY (FX_BTC_JPY) is not trading: venue status FX_BTC_JPY is bitFlyer Crypto CFD, not spot: bitFlyer support is spot only',
      );
      expect((await r.engine.resolve({ venue: 'bitflyer', type: 'spot', base: 'BTC', quote: 'JPY' })).symbol).toBe('BTC_JPY');
      await expect(r.engine.start({ id: 8, venue: 'bitflyer', type: 'futures', base: 'BTC', quote: 'JPY' })).rejects.toThrow('bitflyer has no "futures" markets; it has: spot');
    } finally {
      await r.close();
    }
  });
});

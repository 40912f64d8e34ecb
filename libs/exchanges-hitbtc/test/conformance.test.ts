/**
 * Conformance: the real HitBTC v3 recordings (../shared/fixtures/hitbtc, see its README) replayed
 * over WebSocket on 127.0.0.1 into the full feed engine with this adapter. The recordings hold no
 * symbol-list request, so the replay server answers it from a small hand-written body (one symbol
 * per market, status working) and each market is resolved by base/quote through the real
 * instrument path. The one consistent session (ETHBTC `orderbook/full`, snapshot s 1204702 and the
 * update s 1204703) proves what the rebuilt book must show: the update chains, the book never
 * crosses, and it ends at the best prices the frames give.
 */
import { join } from 'node:path';
import type { MarketType } from '@level4/feed';
import { capturesDir, readCapture, replayFeeds, spreadsOf, statusStory, tradesOf, unsoundSpreads, type CaptureLine } from '@level4/replay';
import { describe, expect, it } from 'vitest';
import { createHitbtcAdapter, HITBTC_URLS } from '../src/index.js';

const dir = capturesDir(import.meta.dirname);

interface Market {
  readonly base: string;
  readonly quote: string;
  readonly symbol: string;
}

/** GET /api/3/public/symbol (hitbtc.md §2): one entry per market, of its type, status working. */
function instrumentsRoute(type: MarketType, markets: readonly Market[]): { url: string; body: string } {
  const body: Record<string, unknown> = {};
  for (const m of markets) {
    body[m.symbol] = {
      type,
      ...(type === 'futures' ? { expiry: null, underlying: m.base } : {}),
      base_currency: m.base,
      quote_currency: m.quote,
      status: 'working',
      quantity_increment: '0.0001',
      tick_size: '0.000001',
      take_rate: '0.0025',
      make_rate: '0.001',
      fee_currency: m.quote,
      margin_trading: true,
      max_initial_leverage: '10.00',
    };
  }
  return { url: '/api/3/public/symbol', body: JSON.stringify(body) };
}

interface BookFrame {
  readonly ch?: string;
  readonly snapshot?: Record<string, { s: number; t: number; a: string[][]; b: string[][] }>;
  readonly update?: Record<string, { s: number; t: number; a: string[][]; b: string[][] }>;
}

/** Parsed recv frames of a capture. */
function frames(capture: readonly CaptureLine[]): BookFrame[] {
  return capture.filter((line) => line.dir === 'recv').map((line) => JSON.parse(line.data ?? '{}') as BookFrame);
}

/** The subscribe frames the engine must send first on a socket: request 1, book then trades. */
function subscribeFrames(symbols: readonly string[]): unknown[] {
  return [
    { method: 'subscribe', ch: 'orderbook/full', params: { symbols }, id: 1 },
    { method: 'subscribe', ch: 'trades', params: { symbols, limit: 0 }, id: 1 },
  ];
}

const ETHBTC: Market = { base: 'ETH', quote: 'BTC', symbol: 'ETHBTC' };

describe.skipIf(dir === undefined)('HitBTC recordings through the replay server and the feed engine', () => {
  it('hitbtc_v3_2023-04-12_orderbook-full_ETHBTC.jsonl: the update chains on the snapshot, the book never crosses, it ends at the recorded best prices', async () => {
    const capture = await readCapture(join(dir!, 'hitbtc', 'hitbtc_v3_2023-04-12_orderbook-full_ETHBTC.jsonl'));
    const recorded = frames(capture).filter((f) => f.ch === 'orderbook/full');
    // The README's facts: a full snapshot (147 asks, 176 bids, s 1204702), then the update s 1204703.
    expect(recorded.map((f) => (f.snapshot ? 'snapshot' : 'update'))).toEqual(['snapshot', 'update']);
    const snap = recorded[0]!.snapshot!.ETHBTC!;
    expect([snap.a.length, snap.b.length, snap.s]).toEqual([147, 176, 1204702]);
    expect(recorded[1]!.update!.ETHBTC!.s).toBe(1204703);

    const run = await replayFeeds({
      capture,
      urls: HITBTC_URLS,
      adapter: (urls) => createHitbtcAdapter({ urls }),
      markets: [{ id: 1, venue: 'hitbtc', type: 'spot', base: 'ETH', quote: 'BTC' }],
      replay: { routes: [instrumentsRoute('spot', [ETHBTC])] },
    });
    try {
      // Resolved by base/quote through the symbol list the engine fetched.
      expect(run.server.requests).toEqual([{ url: '/api/3/public/symbol', status: 200 }]);
      const feed = run.feeds.get(1)!;
      expect(feed.instrument).toMatchObject({ venue: 'hitbtc', type: 'spot', symbol: 'ETHBTC', base: 'ETH', quote: 'BTC', trading: true });
      expect(feed.state).toBe('live');
      // Never crossed, never a gap, nothing unreadable, never resynced: the update chained.
      expect(feed.counters).toMatchObject({ gaps: 0, crossedBooks: 0, malformedFrames: 0, resyncs: 0, reconnects: 0, venueErrors: 0, snapshots: 1, deltas: 1 });
      expect(feed.sequence).toBe(1204703);

      // The engine subscribed the book and the trades with its first request id (as the recording's send row).
      expect(run.server.received.slice(0, 2).map((r) => JSON.parse(r.data) as unknown)).toEqual(subscribeFrames(['ETHBTC']));
      const recordedSend = capture.find((l) => l.dir === 'send')!;
      expect(run.server.received[0]!.data).toBe(recordedSend.data);

      // Full depth: every level of the snapshot plus the 5 new ones of the update.
      const book = run.engine.book(1)!;
      expect(book.levelCount('bid')).toBe(176 + 2);
      expect(book.levelCount('ask')).toBe(147 + 3);
      expect(book.isCrossed()).toBe(false);
      expect(book.bestBid()).toEqual({ price: '0.061543', size: '267.7804' });
      expect(book.bestAsk()).toEqual({ price: '0.062390', size: '424.7196' });
      expect(book.sizeAt('ask', '0.064534')).toBe('217.5052');

      // One Spread for the snapshot, one for the update (its bid 0.061543 is the new best), exchange times in µs.
      const spreads = spreadsOf(run.events, 1);
      expect(spreads.map((s) => [s.bidPrice, s.bidSize, s.askPrice, s.askSize, s.exchangeTime])).toEqual([
        ['0.060606', '172.8993', '0.062390', '424.7196', 1681300780018000],
        ['0.061543', '267.7804', '0.062390', '424.7196', 1681300781478000],
      ]);
      expect(spreads.at(-1)).toMatchObject({ symbol: 'ETHBTC', venue: 'hitbtc', marketType: 'spot' });
      expect(unsoundSpreads(run.events, 1, { bothSides: true })).toEqual([]);

      expect(statusStory(run.events, 1).map(([s]) => s)).toEqual(['starting', 'syncing', 'live']);
    } finally {
      await run.close();
    }
  });

  // Not a session (README: docs example + collected frames), but the one place real trade frames exist.
  it('hitbtc_v3_examples_trades.jsonl: the history snapshot is not published, each trade of the update arrives once with the taker side', async () => {
    const capture = await readCapture(join(dir!, 'hitbtc', 'hitbtc_v3_examples_trades.jsonl'));
    const BTCUSDT: Market = { base: 'BTC', quote: 'USDT', symbol: 'BTCUSDT' };
    const run = await replayFeeds({
      capture,
      urls: HITBTC_URLS,
      adapter: (urls) => createHitbtcAdapter({ urls }),
      markets: [{ id: 1, venue: 'hitbtc', type: 'spot', base: 'BTC', quote: 'USDT' }],
      replay: { routes: [instrumentsRoute('spot', [BTCUSDT])] },
    });
    try {
      const feed = run.feeds.get(1)!;
      expect(feed.counters).toMatchObject({ malformedFrames: 0, venueErrors: 0, reconnects: 0, trades: 2 });
      const updates = capture
        .filter((l) => l.dir === 'recv')
        .map((l) => JSON.parse(l.data!) as { update?: Record<string, { t: number; i: number; p: string; q: string; s: string }[]> })
        .flatMap((f) => f.update?.BTCUSDT ?? []);
      expect(updates).toHaveLength(2);
      const trades = tradesOf(run.events, 1);
      expect(trades.map((t) => [t.tradeId, t.side, t.price, t.size, t.exchangeTime, t.symbol, t.marketType])).toEqual(
        updates.map((u) => [String(u.i), u.s, u.p, u.q, u.t * 1000, 'BTCUSDT', 'spot']),
      );
      expect(trades.map((t) => [t.tradeId, t.side])).toEqual([
        ['1872478761', 'buy'],
        ['1872478762', 'buy'],
      ]);
      // The history trade of the snapshot (1555634969) is not a live trade.
      expect(trades.some((t) => t.tradeId === '1555634969')).toBe(false);
      expect(trades.map((t) => t.sequence)).toEqual([1, 2]);
    } finally {
      await run.close();
    }
  });
});

// No futures (BTCUSDT_PERP) recording exists (fixtures README): the futures book is checked on a
// session written from the spec (§3–§7: the same socket and frames as spot, sizes in base units).
describe('HitBTC futures book, written from the spec', () => {
  it('BTCUSDT_PERP: acks, snapshot, updates with s + 1 (one with empty sides), trades; the book ends where the frames say', async () => {
    const url = HITBTC_URLS.ws;
    let t = 1_760_000_000_000;
    const recv = (frame: unknown): CaptureLine => ({ t: (t += 100), kind: 'ws', dir: 'recv', url, data: JSON.stringify(frame) });
    const book = (kind: 'snapshot' | 'update', s: number, b: string[][], a: string[][]) => recv({ ch: 'orderbook/full', [kind]: { BTCUSDT_PERP: { t: t + 99, s, a, b } } });
    const capture: CaptureLine[] = [
      { t, kind: 'ws', dir: 'open', url },
      recv({ result: { ch: 'orderbook/full', subscriptions: ['BTCUSDT_PERP'] }, id: 1 }),
      recv({ result: { ch: 'trades', subscriptions: ['BTCUSDT_PERP'] }, id: 1 }),
      recv({ ch: 'trades', snapshot: { BTCUSDT_PERP: [] } }),
      book('snapshot', 500, [['97000.0', '1.2000'], ['96999.5', '0.3000']], [['97000.5', '0.4500'], ['97001.0', '0.1000']]),
      book('update', 501, [['97000.0', '1.1000']], []),
      book('update', 502, [], []),
      book('update', 503, [], [['97000.5', '0'], ['97000.3', '0.2000']]),
      recv({ ch: 'trades', update: { BTCUSDT_PERP: [{ t: t + 99, i: 88001, p: '97000.3', q: '0.0500', s: 'buy' }, { t: t + 99, i: 88002, p: '97000.0', q: '0.0100', s: 'sell' }] } }),
      book('update', 504, [['97000.2', '0.0500']], []),
    ];
    const run = await replayFeeds({
      capture,
      urls: HITBTC_URLS,
      adapter: (urls) => createHitbtcAdapter({ urls }),
      markets: [{ id: 9, venue: 'hitbtc', type: 'futures', base: 'BTC', quote: 'USDT' }],
      replay: { routes: [instrumentsRoute('futures', [{ base: 'BTC', quote: 'USDT', symbol: 'BTCUSDT_PERP' }])] },
    });
    try {
      const feed = run.feeds.get(9)!;
      expect(feed.instrument).toMatchObject({ symbol: 'BTCUSDT_PERP', type: 'futures', contractSize: '1' });
      expect(feed.instrument.expiry).toBeUndefined();
      expect(feed.state).toBe('live');
      expect(feed.counters).toMatchObject({ snapshots: 1, deltas: 4, gaps: 0, resyncs: 0, crossedBooks: 0, malformedFrames: 0, venueErrors: 0, trades: 2 });
      expect(feed.sequence).toBe(504);
      expect(run.server.received.slice(0, 2).map((r) => JSON.parse(r.data) as unknown)).toEqual(subscribeFrames(['BTCUSDT_PERP']));
      const spreads = spreadsOf(run.events, 9);
      expect(spreads.map((s) => [s.bidPrice, s.bidSize, s.askPrice, s.askSize, s.midPrice])).toEqual([
        ['97000.0', '1.2000', '97000.5', '0.4500', '97000.25'],
        ['97000.0', '1.1000', '97000.5', '0.4500', '97000.25'],
        ['97000.0', '1.1000', '97000.3', '0.2000', '97000.15'],
        ['97000.2', '0.0500', '97000.3', '0.2000', '97000.25'],
      ]);
      expect(unsoundSpreads(run.events, 9, { bothSides: true })).toEqual([]);
      const trades = tradesOf(run.events, 9);
      expect(trades.map((x) => [x.tradeId, x.side, x.price, x.size, x.marketType])).toEqual([
        ['88001', 'buy', '97000.3', '0.0500', 'futures'],
        ['88002', 'sell', '97000.0', '0.0100', 'futures'],
      ]);
    } finally {
      await run.close();
    }
  });
});

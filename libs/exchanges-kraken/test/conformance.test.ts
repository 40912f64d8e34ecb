/**
 * Conformance: Kraken recordings (../shared/fixtures/kraken, see its README) replayed over WebSocket
 * on 127.0.0.1 into the full feed engine with this adapter.
 *
 * - Spot WebSocket v2: the ALGO/USD session (status, snapshot, update; both checksums verified by
 *   the engine). The recording holds no instrument request: the replay server answers AssetPairs
 *   from a small hand-written body. The docs example is one snapshot, not a session: it is checked
 *   in src/checksum.test.ts, as is the legacy v1 recording (all 1,163 checksums; v1 is another API).
 * - Kraken Futures ws/v1: the inverse session (PI_XRPUSD, PI_LTCUSD, FI_XBTUSD_210730) with its
 *   recorded instruments answer: 1,090 deltas chained by `seq`, the one live trade.
 * - No real v2 trade and no PF_ (linear) recording exist: one spot session and one linear session
 *   are written here from the spec's frame shapes, their checksums computed with node:zlib.
 */
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { FeedSpec, Instrument, MarketType, VenueAdapter } from '@level4/feed';
import { capturesDir, readCapture, replayFeeds, spreadsOf, statusStory, tradesOf, unsoundSpreads, type CaptureLine } from '@level4/replay';
import { describe, expect, it } from 'vitest';
import { createKrakenAdapter, KRAKEN_URLS } from '../src/index.js';

const dir = capturesDir(import.meta.dirname);

/** The adapter, with every checksum the engine verifies counted (the engine counts only failures). */
function counting(): { adapter: (urls: Record<string, string>) => VenueAdapter; checks: { symbol: string; ok: boolean }[] } {
  const checks: { symbol: string; ok: boolean }[] = [];
  const adapter = (urls: Record<string, string>): VenueAdapter => {
    const inner = createKrakenAdapter({ urls });
    return {
      ...inner,
      verify: (book, check, instrument: Instrument) => {
        const ok = inner.verify!(book, check, instrument);
        checks.push({ symbol: instrument.symbol, ok });
        return ok;
      },
    };
  };
  return { adapter, checks };
}

/** AssetPairs (spec §2) for the pairs a spot session uses; 2026 shape (tick_size, status). */
function assetPairs(pairs: readonly { wsname: string; decimals: number }[]): { url: string; body: string } {
  const result: Record<string, unknown> = {};
  for (const { wsname, decimals } of pairs) {
    result[wsname.replace('/', '')] = { altname: wsname.replace('/', ''), wsname, pair_decimals: decimals, lot_decimals: 8, tick_size: `0.${'0'.repeat(decimals - 1)}1`, status: 'online' };
  }
  return { url: '/0/public/AssetPairs', body: JSON.stringify({ error: [], result }) };
}

function recvFrames(capture: readonly CaptureLine[]): string[] {
  return capture.filter((l) => l.dir === 'recv').map((l) => l.data!);
}

describe.skipIf(dir === undefined)('Kraken recordings through the replay server and the feed engine', () => {
  it('spot v2 ALGO/USD (depth 10): snapshot and update applied, both checksums verified by the engine, no mismatch', async () => {
    const capture = await readCapture(join(dir!, 'kraken', 'kraken_spot_v2_2024-10-03_book10_ALGOUSD.jsonl'));
    const { adapter, checks } = counting();
    const run = await replayFeeds({
      capture,
      urls: KRAKEN_URLS,
      adapter,
      markets: [{ id: 1, venue: 'kraken', type: 'spot', base: 'ALGO', quote: 'USD' }],
      replay: { routes: [assetPairs([{ wsname: 'ALGO/USD', decimals: 5 }])] },
    });
    try {
      expect(run.server.requests).toEqual([{ url: '/0/public/AssetPairs', status: 200 }]);
      const feed = run.feeds.get(1)!;
      expect(feed.instrument).toMatchObject({ venue: 'kraken', type: 'spot', symbol: 'ALGO/USD', base: 'ALGO', quote: 'USD', tickSize: '0.00001', trading: true });
      expect(feed.state).toBe('live');
      expect(feed.counters).toMatchObject({ snapshots: 1, deltas: 1, checksumFailures: 0, gaps: 0, crossedBooks: 0, malformedFrames: 0, resyncs: 0, reconnects: 0, venueErrors: 0 });
      // Exactly two checksums (snapshot 2375857985, update 1100635717), both right.
      expect(checks).toEqual([
        { symbol: 'ALGO/USD', ok: true },
        { symbol: 'ALGO/USD', ok: true },
      ]);
      // The engine subscribed book (depth 1000, snapshot) and trades with request 1.
      expect(run.server.received.map((r) => JSON.parse(r.data) as unknown)).toEqual([
        { method: 'subscribe', params: { channel: 'book', symbol: ['ALGO/USD'], depth: 1000, snapshot: true }, req_id: 1 },
        { method: 'subscribe', params: { channel: 'trade', symbol: ['ALGO/USD'], snapshot: false }, req_id: 1 },
      ]);
      const book = run.engine.book(1)!;
      expect(book.levelCount('bid')).toBe(10);
      expect(book.levelCount('ask')).toBe(10);
      expect(book.sizeAt('bid', '0.12275')).toBe('6597.51731160');
      expect(book.bestBid()).toEqual({ price: '0.12291', size: '27039.62776299' });
      expect(book.bestAsk()).toEqual({ price: '0.12307', size: '600.00000000' });
      // The update changed a level below the top: one Spread, from the snapshot.
      const spreads = spreadsOf(run.events, 1);
      expect(spreads.map((s) => [s.bidPrice, s.bidSize, s.askPrice, s.askSize])).toEqual([['0.12291', '27039.62776299', '0.12307', '600.00000000']]);
      expect(unsoundSpreads(run.events, 1, { bothSides: true })).toEqual([]);
      expect(statusStory(run.events, 1).map(([s]) => s)).toEqual(['starting', 'syncing', 'live']);
    } finally {
      await run.close();
    }
  });

  it('futures ws/v1 inverse (PI_XRPUSD, PI_LTCUSD, FI_XBTUSD_210730): 1,090 deltas chained by seq, no gap, the recorded best prices, the live trade once', async () => {
    const capture = await readCapture(join(dir!, 'kraken', 'kraken_futures_v1_2021-07-22_book_trade_ticker.jsonl'));
    const frames = recvFrames(capture).map((f) => JSON.parse(f) as { feed?: string; event?: string; product_id?: string; seq?: number });
    expect(frames.filter((f) => f.feed === 'book' && f.event === undefined)).toHaveLength(1090);
    const markets: FeedSpec[] = [
      { id: 1, venue: 'kraken', type: 'inverse', base: 'XRP', quote: 'USD' },
      { id: 2, venue: 'kraken', type: 'inverse', base: 'LTC', quote: 'USD' },
      { id: 3, venue: 'kraken', type: 'inverse', base: 'BTC', quote: 'USD', symbol: 'FI_XBTUSD_210730' },
    ];
    // The recording's own instruments answer (2021, lower-case symbols) resolves the markets.
    const run = await replayFeeds({ capture, urls: KRAKEN_URLS, adapter: (urls) => createKrakenAdapter({ urls }), markets });
    try {
      expect(run.server.requests).toEqual([{ url: '/derivatives/api/v3/instruments', status: 200 }]);
      const expected = [
        { id: 1, symbol: 'PI_XRPUSD', deltas: 235, seq: 3456374, bid: ['0.5879', '320.0'], ask: ['0.5886', '320.0'], levels: [139, 90], trades: 0 },
        { id: 2, symbol: 'PI_LTCUSD', deltas: 449, seq: 3423484, bid: ['119.34', '28233.0'], ask: ['119.47', '24432.0'], levels: [91, 87], trades: 1 },
        { id: 3, symbol: 'FI_XBTUSD_210730', deltas: 406, seq: 5160372, bid: ['32183.0', '50.0'], ask: ['32200.5', '1200.0'], levels: [28, 27], trades: 0 },
      ];
      for (const m of expected) {
        const feed = run.feeds.get(m.id)!;
        expect(feed.instrument).toMatchObject({ symbol: m.symbol, type: 'inverse', contractSize: '1', trading: true });
        expect(feed.state).toBe('live');
        expect(feed.counters).toMatchObject({ snapshots: 1, deltas: m.deltas, trades: m.trades, gaps: 0, crossedBooks: 0, malformedFrames: 0, resyncs: 0, reconnects: 0, venueErrors: 0 });
        expect(feed.sequence).toBe(m.seq);
        const book = run.engine.book(m.id)!;
        expect(book.isCrossed()).toBe(false);
        expect([book.bestBid()!.price, book.bestBid()!.size]).toEqual(m.bid);
        expect([book.bestAsk()!.price, book.bestAsk()!.size]).toEqual(m.ask);
        expect([book.levelCount('bid'), book.levelCount('ask')]).toEqual(m.levels);
        expect(spreadsOf(run.events, m.id).at(-1)).toMatchObject({ bidPrice: m.bid[0], askPrice: m.ask[0], symbol: m.symbol, marketType: 'inverse' });
        expect(unsoundSpreads(run.events, m.id, { bothSides: true })).toEqual([]);
        expect(statusStory(run.events, m.id).map(([s]) => s)).toEqual(['starting', 'syncing', 'live']);
      }
      expect(run.feeds.get(3)!.instrument.expiry).toBe(Date.parse('2021-07-30T15:00:00.000Z'));
      // The trade_snapshot history is not published; the one live fill is, with its taker side.
      expect(tradesOf(run.events, 2).map((t) => [t.tradeId, t.side, t.price, t.size, t.exchangeTime])).toEqual([
        ['e2429e31-8b9d-4195-900e-fd42be2dec89', 'buy', '119.44', '320.0', 1626994929946000],
      ]);
      const sent = run.server.received.map((r) => JSON.parse(r.data) as { event?: string; feed?: string; product_ids?: string[] });
      expect(sent[0]).toEqual({ event: 'subscribe', feed: 'heartbeat' });
      expect(sent.filter((s) => s.feed === 'book').flatMap((s) => s.product_ids)).toEqual(['PI_XRPUSD', 'PI_LTCUSD', 'FI_XBTUSD_210730']);
      expect(sent.filter((s) => s.feed === 'trade').flatMap((s) => s.product_ids)).toEqual(['PI_XRPUSD', 'PI_LTCUSD', 'FI_XBTUSD_210730']);
    } finally {
      await run.close();
    }
  });
});

// ---- sessions written from the spec (no recording exists) -----------------------------------------

type Level = readonly [price: string, qty: string];

/** A v2 book model: keeps the text, computes Kraken's checksum with zlib's CRC-32 (spec §6). */
class Model {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  apply(side: 'bid' | 'ask', levels: readonly Level[]): void {
    const map = side === 'bid' ? this.bids : this.asks;
    for (const [p, q] of levels) {
      if (Number(q) === 0) map.delete(p);
      else map.set(p, q);
    }
  }
  checksum(): number {
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

/** v2 book frame text with bare number tokens, as Kraken prints them. */
function v2Book(type: 'snapshot' | 'update', symbol: string, model: Model, bids: readonly Level[], asks: readonly Level[], timestamp: string): string {
  model.apply('bid', bids);
  model.apply('ask', asks);
  const list = (levels: readonly Level[]) => `[${levels.map(([p, q]) => `{"price":${p},"qty":${q}}`).join(',')}]`;
  return `{"channel":"book","type":"${type}","data":[{"symbol":"${symbol}","bids":${list(bids)},"asks":${list(asks)},"checksum":${model.checksum()},"timestamp":"${timestamp}"}]}`;
}

describe('Kraken sessions written from the spec', () => {
  const at = (n: number) => ({ t: 1_786_923_423_000 + n * 100, time: `2026-08-16T23:37:0${n}.000001Z`, micros: 1_786_923_420_000_000 + n * 1_000_000 + 1 });

  it('spot v2 BTC/USD: snapshot, updates (one per price, one with a removal), a trade batch; every checksum verified, taker sides kept', async () => {
    const url = KRAKEN_URLS.spotWs;
    const model = new Model();
    const recv = (n: number, data: string): CaptureLine => ({ t: at(n).t, kind: 'ws', dir: 'recv', url, data });
    const capture: CaptureLine[] = [
      { t: at(0).t - 50, kind: 'ws', dir: 'open', url },
      recv(0, '{"channel":"status","type":"update","data":[{"version":"2.0.10","system":"online","api_version":"v2","connection_id":14949390454975033707}]}'),
      recv(0, '{"method":"subscribe","result":{"channel":"book","depth":1000,"snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":"x","time_out":"y","req_id":1}'),
      recv(0, '{"method":"subscribe","result":{"channel":"trade","snapshot":false,"symbol":"BTC/USD"},"success":true,"time_in":"x","time_out":"y","req_id":1}'),
      recv(1, v2Book('snapshot', 'BTC/USD', model, [['62800.0', '1.50000000'], ['62799.9', '0.10000000']], [['62807.0', '0.00100000'], ['62818.8', '0.65540712']], at(1).time)),
      recv(2, v2Book('update', 'BTC/USD', model, [], [['62807.0', '0.00000000'], ['62810.0', '2.00000000']], at(2).time)),
      recv(3, '{"channel":"heartbeat"}'),
      recv(
        4,
        `{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":62810.0,"qty":0.50000000,"ord_type":"market","trade_id":4665906,"timestamp":"${at(4).time}"},{"symbol":"BTC/USD","side":"sell","price":62800.0,"qty":0.01000000,"ord_type":"limit","trade_id":4665907,"timestamp":"${at(4).time}"}]}`,
      ),
      recv(5, v2Book('update', 'BTC/USD', model, [['62800.0', '1.00000000']], [['62810.0', '1.50000000']], at(5).time)),
    ];
    const { adapter, checks } = counting();
    const run = await replayFeeds({
      capture,
      urls: KRAKEN_URLS,
      adapter,
      markets: [{ id: 1, venue: 'kraken', type: 'spot', base: 'BTC', quote: 'USD' }],
      replay: { routes: [assetPairs([{ wsname: 'XBT/USD', decimals: 1 }])] },
    });
    try {
      const feed = run.feeds.get(1)!;
      expect(feed.instrument.symbol).toBe('BTC/USD');
      expect(feed.counters).toMatchObject({ snapshots: 1, deltas: 2, trades: 2, checksumFailures: 0, resyncs: 0, malformedFrames: 0, venueErrors: 0 });
      expect(checks).toHaveLength(3);
      expect(checks.every((c) => c.ok)).toBe(true);
      expect(spreadsOf(run.events, 1).map((s) => [s.bidPrice, s.bidSize, s.askPrice, s.askSize, s.exchangeTime])).toEqual([
        ['62800.0', '1.50000000', '62807.0', '0.00100000', at(1).micros],
        ['62800.0', '1.50000000', '62810.0', '2.00000000', at(2).micros],
        ['62800.0', '1.00000000', '62810.0', '1.50000000', at(5).micros],
      ]);
      expect(tradesOf(run.events, 1).map((t) => [t.tradeId, t.side, t.price, t.size, t.exchangeTime])).toEqual([
        ['4665906', 'buy', '62810.0', '0.50000000', at(4).micros],
        ['4665907', 'sell', '62800.0', '0.01000000', at(4).micros],
      ]);
      expect(unsoundSpreads(run.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await run.close();
    }
  });

  it('futures ws/v1 linear PF_XBTUSD: book_snapshot, deltas with seq + 1, a trade; sizes in BTC; market type futures', async () => {
    const url = KRAKEN_URLS.futuresWs;
    let t = 1_786_923_423_000;
    const recv = (data: string): CaptureLine => ({ t: (t += 100), kind: 'ws', dir: 'recv', url, data });
    const book = (seq: number, side: 'buy' | 'sell', price: string, qty: string) =>
      recv(`{"feed":"book","product_id":"PF_XBTUSD","side":"${side}","seq":${seq},"price":${price},"qty":${qty},"timestamp":${t + 100}}`);
    const capture: CaptureLine[] = [
      { t, kind: 'ws', dir: 'open', url },
      recv('{"event":"info","version":1}'),
      recv('{"event":"subscribed","feed":"heartbeat"}'),
      recv('{"event":"subscribed","feed":"book","product_ids":["PF_XBTUSD"]}'),
      recv(
        `{"feed":"book_snapshot","product_id":"PF_XBTUSD","timestamp":${t + 100},"seq":700,"tickSize":null,"bids":[{"price":97000.0,"qty":1.2500},{"price":96999,"qty":0.0100}],"asks":[{"price":97001.0,"qty":0.5000},{"price":97001.5,"qty":0.1000}]}`,
      ),
      book(701, 'buy', '97000.5', '0.2000'),
      book(702, 'sell', '97001.0', '0.0'),
      recv('{"feed":"heartbeat","time":1786923424000}'),
      book(703, 'sell', '97001.2', '3.0000'),
      recv(`{"feed":"trade","product_id":"PF_XBTUSD","uid":"f00d","side":"sell","type":"fill","seq":12,"time":${t},"qty":0.2000,"price":97000.5}`),
    ];
    const instruments = JSON.stringify({
      result: 'success',
      instruments: [{ symbol: 'PF_XBTUSD', type: 'flexible_futures', tradeable: true, tickSize: 0.5, contractSize: 1, base: 'BTC', quote: 'USD' }],
    });
    const market: FeedSpec = { id: 4, venue: 'kraken', type: 'futures' as MarketType, base: 'BTC', quote: 'USD' };
    const run = await replayFeeds({
      capture,
      urls: KRAKEN_URLS,
      adapter: (urls) => createKrakenAdapter({ urls }),
      markets: [market],
      replay: { routes: [{ url: '/derivatives/api/v3/instruments', body: instruments }] },
    });
    try {
      const feed = run.feeds.get(4)!;
      expect(feed.instrument).toMatchObject({ symbol: 'PF_XBTUSD', type: 'futures', base: 'BTC', quote: 'USD', tickSize: '0.5', contractSize: '1' });
      expect(feed.state).toBe('live');
      expect(feed.counters).toMatchObject({ snapshots: 1, deltas: 3, trades: 1, gaps: 0, resyncs: 0, malformedFrames: 0 });
      expect(feed.sequence).toBe(703);
      expect(spreadsOf(run.events, 4).map((s) => [s.bidPrice, s.bidSize, s.askPrice, s.askSize, s.marketType])).toEqual([
        ['97000.0', '1.2500', '97001.0', '0.5000', 'futures'],
        ['97000.5', '0.2000', '97001.0', '0.5000', 'futures'],
        ['97000.5', '0.2000', '97001.5', '0.1000', 'futures'],
        ['97000.5', '0.2000', '97001.2', '3.0000', 'futures'],
      ]);
      expect(tradesOf(run.events, 4).map((x) => [x.tradeId, x.side, x.price, x.size])).toEqual([['f00d', 'sell', '97000.5', '0.2000']]);
      expect(unsoundSpreads(run.events, 4, { bothSides: true })).toEqual([]);
    } finally {
      await run.close();
    }
  });
});

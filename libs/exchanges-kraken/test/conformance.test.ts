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
import { OrderBook } from '@level4/orderbook';
import { capturesDir, readCapture, replayFeeds, spreadsOf, statusStory, tradesOf, unsoundSpreads, type CaptureLine } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { checksumText, createKrakenAdapter, crc32 as krakenCrc32, KRAKEN_URLS, parseFrame, verifyChecksum } from '../src/index.js';

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
      await vi.waitFor(() => expect(run.server.received).toHaveLength(2), { timeout: 3_000 });
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
      // Client frames leave at 5 a second: they may trail the events.
      const sent = () => run.server.received.map((r) => JSON.parse(r.data) as { event?: string; feed?: string; product_ids?: string[] });
      const ids = (feed: string) => sent().filter((s) => s.feed === feed).flatMap((s) => s.product_ids);
      await vi.waitFor(() => expect(ids('trade')).toHaveLength(3), { timeout: 4_000 });
      expect(sent()[0]).toEqual({ event: 'subscribe', feed: 'heartbeat' });
      expect(ids('book')).toEqual(['PI_XRPUSD', 'PI_LTCUSD', 'FI_XBTUSD_210730']);
      expect(ids('trade')).toEqual(['PI_XRPUSD', 'PI_LTCUSD', 'FI_XBTUSD_210730']);
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

describe.skipIf(dir === undefined)('Kraken checksums of the recordings (the book-building rule, without the engine)', () => {
  /** Parses a v2 capture's book frames and applies them as the engine would, checking each checksum. */
  async function v2(file: string): Promise<{ checks: number; texts: string[] }> {
    const capture = await readCapture(join(dir!, 'kraken', file));
    const book = new OrderBook({ depth: 1000 });
    let checks = 0;
    const texts: string[] = [];
    for (const line of capture.filter((l) => l.dir === 'recv')) {
      for (const m of parseFrame(line.data!, 'spot')) {
        if (m.kind === 'snapshot') book.applySnapshot(m);
        else if (m.kind === 'delta') for (const [side, list] of [['bid', m.bids], ['ask', m.asks]] as const) for (const [p, q] of list) book.applyDelta(side, p, q);
        else continue;
        expect(verifyChecksum(book, m.check!)).toBe(true);
        texts.push(checksumText(book));
        checks++;
      }
    }
    return { checks, texts };
  }

  it('the docs example snapshot (BTC/USD): 3310070434', async () => {
    const { checks, texts } = await v2('kraken_spot_v2_docs-example_book_snapshot.jsonl');
    expect(checks).toBe(1);
    expect(texts[0]!.startsWith('452852100000')).toBe(true);
    expect(krakenCrc32(texts[0]!)).toBe(3310070434);
  });

  it('the ALGO/USD v2 recording: snapshot 2375857985, then update 1100635717 (spec §6 strings)', async () => {
    const { checks, texts } = await v2('kraken_spot_v2_2024-10-03_book10_ALGOUSD.jsonl');
    expect(checks).toBe(2);
    const asks =
      '12307600000000001230840421191951712312102845389100012314161550888529912315518605778473123163282824000000123177751657185821231832298820000001231918646689960012322471899755630';
    const bids =
      '12291270396277629912290813633288180122871098420817349122832802705025639122809705600000001227915215535227141227540670000000012274306393994910912268253196119986122671629900000000';
    expect(texts[0]).toBe(asks + bids);
    expect(krakenCrc32(texts[0]!)).toBe(2375857985);
    expect(texts[1]).toBe(asks + bids.replace('1227540670000000', '1227565975173116'));
    expect(krakenCrc32(texts[1]!)).toBe(1100635717);
  });

  /**
   * The v1 recording is the legacy API (arrays, text levels, channel ids), which this adapter does
   * not speak; its checksums follow the same rule. Its frames are read here with a few lines of v1
   * parsing, applied in array order to an OrderBook of depth 1000 (the subscribed depth), and every
   * update's `c` is compared with `bookChecksum` of the book.
   */
  it('the v1 recording (XMR/USD, ETH/CHF, depth 1000): all 1,163 update checksums recompute', async () => {
    const capture = await readCapture(join(dir!, 'kraken', 'kraken_spot_v1_2021-04-17_book1000_XMRUSD_ETHCHF.jsonl'));
    const books = new Map<string, OrderBook>();
    let checks = 0;
    let mismatches = 0;
    const perPair = new Map<string, number>();
    type V1Side = Record<string, [string, string, ...string[]][] | string>;
    for (const line of capture.filter((l) => l.dir === 'recv')) {
      const frame = JSON.parse(line.data!) as unknown;
      if (!Array.isArray(frame)) continue;
      const pair = frame.at(-1) as string;
      const parts = frame.slice(1, -2) as V1Side[];
      let book = books.get(pair);
      if ('as' in parts[0]! || 'bs' in parts[0]!) {
        book = new OrderBook({ depth: 1000 });
        books.set(pair, book);
        book.applySnapshot({ bids: parts[0]!['bs'] as [string, string][], asks: parts[0]!['as'] as [string, string][] });
        continue;
      }
      let check: string | undefined;
      for (const part of parts) {
        for (const [key, side] of [['a', 'ask'], ['b', 'bid']] as const) {
          const list = part[key];
          if (Array.isArray(list)) for (const [price, size] of list) book!.applyDelta(side, price, size);
        }
        if (typeof part['c'] === 'string') check = part['c'];
      }
      if (check === undefined) continue;
      checks++;
      perPair.set(pair, (perPair.get(pair) ?? 0) + 1);
      if (!verifyChecksum(book!, check)) mismatches++;
    }
    expect(checks).toBe(1163);
    expect(mismatches).toBe(0);
    expect([...perPair.keys()].sort()).toEqual(['ETH/CHF', 'XMR/USD']);
  });
});

/**
 * Conformance: real Bybit V5 recordings (../shared/fixtures/bybit, see its README) replayed over
 * WebSocket on 127.0.0.1 into the full feed engine with this adapter. The recordings hold no
 * instruments-info request, so the replay server answers it from a small hand-written body (one
 * instrument per market, status Trading) and each market is resolved by base/quote through the
 * real instrument path. The recordings prove what the rebuilt books must show: every delta chains,
 * the window keeps its N levels, and the final best prices are those the fixtures' README lists.
 */
import { join } from 'node:path';
import type { FeedSpec, MarketType } from '@level4/feed';
import { capturesDir, readCapture, replayFeeds, spreadsOf, statusStory, tradesOf, unsoundSpreads, type CaptureLine } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { BYBIT_CATEGORIES, BYBIT_URLS, createBybitAdapter } from '../src/index.js';

const dir = capturesDir(import.meta.dirname);

interface Market {
  readonly base: string;
  readonly quote: string;
  readonly symbol: string;
}

interface BookSession {
  readonly file: string;
  readonly type: MarketType;
  readonly market: Market;
  /** Deltas recorded after the snapshot, every one of which must be applied. */
  readonly deltas: number;
  /** Levels per side after the last delta (the stream's window). */
  readonly levels: number;
  /** Final best prices, as the README writes them (here the same text as the wire). */
  readonly bid: string;
  readonly ask: string;
}

const BOOK_SESSIONS: readonly BookSession[] = [
  {
    file: 'linear_XRPUSDT_ob500_2024-12-01.jsonl',
    type: 'futures',
    market: { base: 'XRP', quote: 'USDT', symbol: 'XRPUSDT' },
    deltas: 49,
    levels: 500,
    bid: '1.9537',
    ask: '1.9538',
  },
  {
    file: 'spot_BTCUSDT_ob200_2023-12-24_rbot.jsonl',
    type: 'spot',
    market: { base: 'BTC', quote: 'USDT', symbol: 'BTCUSDT' },
    deltas: 1,
    levels: 200,
    bid: '43732.01',
    ask: '43732.02',
  },
  {
    file: 'spot_BTCUSDT_ob50_2024-11-08_gocryptotrader.jsonl',
    type: 'spot',
    market: { base: 'BTC', quote: 'USDT', symbol: 'BTCUSDT' },
    deltas: 1,
    levels: 50,
    bid: '75848.74',
    ask: '75848.75',
  },
];

/** A trades recording: the socket of one category and the markets whose trades it carries. */
interface TradeSession {
  readonly file: string;
  readonly type: MarketType;
  readonly markets: readonly Market[];
}

const TRADE_SESSIONS: readonly TradeSession[] = [
  { file: 'spot_BTCUSDT_trades_2023-12-24_rbot.jsonl', type: 'spot', markets: [{ base: 'BTC', quote: 'USDT', symbol: 'BTCUSDT' }] },
  // Three sockets in one file: each category's socket is replayed on its own, as its market type.
  {
    file: 'trades_2023-04-05_tardis.jsonl',
    type: 'spot',
    markets: [
      { base: 'BTC', quote: 'USDT', symbol: 'BTCUSDT' },
      { base: 'BTC', quote: 'USDC', symbol: 'BTCUSDC' },
    ],
  },
  { file: 'trades_2023-04-05_tardis.jsonl', type: 'inverse', markets: [{ base: 'BTC', quote: 'USD', symbol: 'BTCUSD' }] },
  { file: 'trades_2023-04-05_tardis.jsonl', type: 'futures', markets: [{ base: 'LTC', quote: 'USDT', symbol: 'LTCUSDT' }] },
];

/** One instruments-info entry in the shape of bybit.md §2 (spot has no contractType). */
function instrument(type: MarketType, m: Market): Record<string, unknown> {
  const common = { symbol: m.symbol, baseCoin: m.base, quoteCoin: m.quote, status: 'Trading', priceFilter: { tickSize: '0.0001' } };
  if (type === 'spot') return { ...common, lotSizeFilter: { basePrecision: '0.000001', minOrderQty: '0.000048' } };
  const contractType = type === 'futures' ? 'LinearPerpetual' : 'InversePerpetual';
  return {
    ...common,
    contractType,
    settleCoin: type === 'futures' ? m.quote : m.base,
    launchTime: '1585526400000',
    deliveryTime: '0',
    priceScale: '4',
    lotSizeFilter: { qtyStep: '1', minOrderQty: '1' },
  };
}

/** The replay server's answer to the engine's instrument list request (the recordings have none). */
function instrumentsRoute(type: MarketType, markets: readonly Market[]): { url: string; body: string } {
  const category = BYBIT_CATEGORIES[type];
  const body = {
    retCode: 0,
    retMsg: 'OK',
    result: { category, list: markets.map((m) => instrument(type, m)), nextPageCursor: '' },
    retExtInfo: {},
    time: 1733011200000,
  };
  return { url: `/v5/market/instruments-info?category=${category}&limit=1000`, body: JSON.stringify(body) };
}

/** Only the frames of one category's socket (a capture may hold several). */
function socketOf(capture: readonly CaptureLine[], type: MarketType): CaptureLine[] {
  const path = `/v5/public/${BYBIT_CATEGORIES[type]}`;
  return capture.filter((line) => line.kind !== 'ws' || new URL(line.url).pathname === path);
}

/** Parsed recv frames of a capture. */
function frames(capture: readonly CaptureLine[]): { topic?: string; type?: string; data?: unknown }[] {
  return capture.filter((line) => line.dir === 'recv').map((line) => JSON.parse(line.data ?? '{}') as { topic?: string; type?: string; data?: unknown });
}

interface RecordedTrade {
  i: string;
  T: number;
  p: string;
  v: string;
  S: 'Buy' | 'Sell';
}

/** The recorded fills of one symbol, oldest first, as the venue sent them. */
function recordedTrades(capture: readonly CaptureLine[], symbol: string): RecordedTrade[] {
  return frames(capture).flatMap((frame) => (frame.topic === `publicTrade.${symbol}` ? (frame.data as RecordedTrade[]) : []));
}

/** The subscribe request the engine must send first on a socket: request 1, book and trades of the symbols. */
function subscribeFrame(symbols: readonly string[]): unknown {
  return { req_id: '1', op: 'subscribe', args: symbols.flatMap((s) => [`orderbook.1000.${s}`, `publicTrade.${s}`]) };
}

describe.skipIf(dir === undefined)('Bybit recordings through the replay server and the feed engine', () => {
  for (const session of BOOK_SESSIONS) {
    it(`${session.file}: the book stays in sync, keeps ${session.levels}x${session.levels} levels, and ends at the recorded best prices`, async () => {
      const capture = await readCapture(join(dir!, 'bybit', session.file));
      const { market } = session;
      const recorded = frames(capture).filter((f) => f.topic?.startsWith('orderbook.'));
      expect(recorded.filter((f) => f.type === 'delta')).toHaveLength(session.deltas);
      const run = await replayFeeds({
        capture,
        urls: BYBIT_URLS,
        adapter: (urls) => createBybitAdapter({ urls }),
        markets: [{ id: 1, venue: 'bybit', type: session.type, base: market.base, quote: market.quote }],
        replay: { routes: [instrumentsRoute(session.type, [market])] },
      });
      try {
        // Resolved by base/quote through the instrument list the engine fetched.
        expect(run.server.requests).toEqual([{ url: `/v5/market/instruments-info?category=${BYBIT_CATEGORIES[session.type]}&limit=1000`, status: 200 }]);
        const feed = run.feeds.get(1)!;
        expect(feed.instrument).toMatchObject({ venue: 'bybit', type: session.type, symbol: market.symbol, base: market.base, quote: market.quote, trading: true });
        expect(feed.state).toBe('live');
        // Never crossed, never a gap, nothing unreadable, never resynced: every delta chained.
        expect(feed.counters).toMatchObject({ gaps: 0, crossedBooks: 0, malformedFrames: 0, resyncs: 0, reconnects: 0, venueErrors: 0, snapshots: 1 });
        expect(feed.counters.deltas).toBe(session.deltas);
        const lastU = (recorded.at(-1)!.data as { u: number }).u;
        expect(feed.sequence).toBe(lastU);

        // The engine asked for the book and the trades with its first request id.
        await vi.waitFor(() => expect(run.server.received.length).toBeGreaterThan(0));
        expect(JSON.parse(run.server.received[0]!.data)).toEqual(subscribeFrame([market.symbol]));

        const book = run.engine.book(1)!;
        expect(book.levelCount('bid')).toBe(session.levels);
        expect(book.levelCount('ask')).toBe(session.levels);
        expect(book.isCrossed()).toBe(false);
        expect(book.bestBid()!.price).toBe(session.bid);
        expect(book.bestAsk()!.price).toBe(session.ask);

        const spreads = spreadsOf(run.events, 1);
        expect(spreads.length).toBeGreaterThan(0);
        expect(spreads.at(-1)).toMatchObject({ bidPrice: session.bid, askPrice: session.ask, symbol: market.symbol, venue: 'bybit', marketType: session.type });
        // Each Spread while live, two-sided, uncrossed, numbered 1, 2, 3, …
        expect(unsoundSpreads(run.events, 1, { bothSides: true })).toEqual([]);

        // The status story: starting, syncing, live, and nothing else.
        expect(statusStory(run.events, 1).map(([s]) => s)).toEqual(['starting', 'syncing', 'live']);
      } finally {
        await run.close();
      }
    });
  }

  for (const session of TRADE_SESSIONS) {
    const names = session.markets.map((m) => m.symbol).join(', ');
    it(`${session.file} (${BYBIT_CATEGORIES[session.type]} socket): every recorded trade of ${names} arrives once, with the taker side`, async () => {
      const capture = socketOf(await readCapture(join(dir!, 'bybit', session.file)), session.type);
      const markets: FeedSpec[] = session.markets.map((m, i) => ({ id: i + 1, venue: 'bybit', type: session.type, base: m.base, quote: m.quote }));
      const run = await replayFeeds({
        capture,
        urls: BYBIT_URLS,
        adapter: (urls) => createBybitAdapter({ urls }),
        markets,
        replay: { routes: [instrumentsRoute(session.type, session.markets)] },
      });
      try {
        // All markets of the socket went out in one request, numbered 1.
        await vi.waitFor(() => expect(run.server.received.length).toBeGreaterThan(0));
        expect(JSON.parse(run.server.received[0]!.data)).toEqual(subscribeFrame(session.markets.map((m) => m.symbol)));
        for (const [i, market] of session.markets.entries()) {
          const id = i + 1;
          const feed = run.feeds.get(id)!;
          expect(feed.instrument.symbol).toBe(market.symbol);
          expect(feed.counters).toMatchObject({ malformedFrames: 0, venueErrors: 0, reconnects: 0 });
          const recorded = recordedTrades(capture, market.symbol);
          expect(recorded.length).toBeGreaterThan(0);
          expect(feed.counters.trades).toBe(recorded.length);
          const trades = tradesOf(run.events, id);
          // `S` is the taker's side; `T` (ms) becomes µs.
          expect(trades.map((t) => [t.tradeId, t.side, t.price, t.size, t.exchangeTime, t.symbol, t.marketType])).toEqual(
            recorded.map((r) => [r.i, r.S === 'Buy' ? 'buy' : 'sell', r.p, r.v, r.T * 1000, market.symbol, session.type]),
          );
          expect(trades.map((t) => t.sequence)).toEqual(trades.map((_, n) => n + 1));
        }
      } finally {
        await run.close();
      }
    });
  }

  it('the README example holds: the spot BTCUSDT batch of the tardis recording is four Sell fills at 28165.38', async () => {
    const capture = await readCapture(join(dir!, 'bybit', 'trades_2023-04-05_tardis.jsonl'));
    const batch = recordedTrades(capture, 'BTCUSDT');
    expect(batch.map((t) => [t.S, t.p])).toEqual(Array.from({ length: 4 }, () => ['Sell', '28165.38']));
  });
});

// No real inverse order-book recording exists (fixtures README): the inverse book is checked on a
// session written from the spec (§4a, §5: the linear message format, sizes in USD contracts).
describe('Bybit inverse book, written from the spec', () => {
  it('BTCUSD: snapshot, deltas with `u` + 1, a trade; sizes are contracts; the book ends where the frames say', async () => {
    const url = 'wss://stream.bybit.com/v5/public/inverse';
    let t = 1_733_011_200_000;
    const recv = (frame: unknown): CaptureLine => ({ t: (t += 100), kind: 'ws', dir: 'recv', url, data: JSON.stringify(frame) });
    const book = (type: 'snapshot' | 'delta', u: number, b: string[][], a: string[][]) =>
      recv({ topic: 'orderbook.1000.BTCUSD', type, ts: t + 100, data: { s: 'BTCUSD', b, a, u, seq: 9_000 + u }, cts: t + 98 });
    const capture: CaptureLine[] = [
      { t, kind: 'ws', dir: 'open', url },
      recv({ success: true, ret_msg: '', conn_id: 'c1', req_id: '1', op: 'subscribe' }),
      book('snapshot', 40, [['97000.0', '12000'], ['96999.5', '300']], [['97000.5', '4500'], ['97001.0', '100']]),
      book('delta', 41, [['97000.0', '11000']], []),
      book('delta', 42, [], [['97000.5', '0'], ['97000.3', '2000']]),
      recv({ topic: 'publicTrade.BTCUSD', type: 'snapshot', ts: t + 100, data: [{ T: t + 99, s: 'BTCUSD', S: 'Buy', v: '2500', p: '97000.5', L: 'PlusTick', i: 'a1b2c3', BT: false }] }),
      book('delta', 43, [['97000.2', '50']], []),
    ];
    const run = await replayFeeds({
      capture,
      urls: BYBIT_URLS,
      adapter: (urls) => createBybitAdapter({ urls }),
      markets: [{ id: 9, venue: 'bybit', type: 'inverse', base: 'BTC', quote: 'USD' }],
      replay: { routes: [instrumentsRoute('inverse', [{ base: 'BTC', quote: 'USD', symbol: 'BTCUSD' }])] },
    });
    try {
      const feed = run.feeds.get(9)!;
      expect(feed.instrument).toMatchObject({ symbol: 'BTCUSD', type: 'inverse', contractSize: '1' });
      expect(feed.state).toBe('live');
      expect(feed.counters).toMatchObject({ snapshots: 1, deltas: 3, gaps: 0, resyncs: 0, crossedBooks: 0, malformedFrames: 0 });
      expect(feed.sequence).toBe(43);
      const spreads = spreadsOf(run.events, 9);
      expect(spreads.map((s) => [s.bidPrice, s.bidSize, s.askPrice, s.askSize, s.midPrice])).toEqual([
        ['97000.0', '12000', '97000.5', '4500', '97000.25'],
        ['97000.0', '11000', '97000.5', '4500', '97000.25'],
        ['97000.0', '11000', '97000.3', '2000', '97000.15'],
        ['97000.2', '50', '97000.3', '2000', '97000.25'],
      ]);
      expect(unsoundSpreads(run.events, 9, { bothSides: true })).toEqual([]);
      const trades = tradesOf(run.events, 9);
      expect(trades.map((x) => [x.tradeId, x.side, x.price, x.size, x.marketType])).toEqual([['a1b2c3', 'buy', '97000.5', '2500', 'inverse']]);
    } finally {
      await run.close();
    }
  });
});

/**
 * Faults: hand-written Bitstamp sessions (frames shaped after the venue's documented events, see
 * shared/exchanges/bitstamp.md §3-§8) replayed over WebSocket and HTTP on 127.0.0.1 into the full
 * feed engine with this adapter, with the replay server breaking them on purpose: a maintenance
 * notice (`bts:request_reconnect`), a diff that crosses the book (Bitstamp has no sequence number,
 * so a crossed book is the one sign of a lost diff), unreadable frames, refused subscriptions, a
 * REST snapshot answered 429/503, a snapshot older than every buffered diff, a stalled socket.
 * Each case proves the market says what happened (Status), counts it, never publishes a Spread
 * from a broken book, and comes back live by itself with the book it should have.
 */
import type { EngineTiming, FeedEvent, FeedSpec } from '@level4/feed';
import type { OrderBook } from '@level4/orderbook';
import { afterLive, CaptureScript, collectingLogger, replayRunner, spreadsOf, states, statusStory, tradesOf, unsoundSpreads, type CaptureLine, type ReplayedFeeds } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { BITSTAMP_URLS, createBitstampAdapter } from '../src/index.js';

// ---------------------------------------------------------------------------------------------
// Recording helpers: capture lines written by hand, in time order.

const WS = 'wss://ws.bitstamp.net/';
const MARKETS_URL = 'https://www.bitstamp.net/api/v2/markets/';
const bookUrl = (symbol: string) => `https://www.bitstamp.net/api/v2/order_book/${symbol}/`;

/** µs: diff `n` of a session has microtimestamp T0 + n. */
const T0 = 1_700_000_000_000_000;

/** A fresh script of capture lines on WS, 5 ms apart from T0 (in ms). */
const recording = () => new CaptureScript({ t0: T0 / 1000, step: 5, url: WS });

type Levels = readonly (readonly [string, string])[];

interface Diff {
  readonly n: number;
  readonly b?: Levels;
  readonly a?: Levels;
}

/** A `diff_order_book_<pair>` data event (spec §5). */
function diffFrame(symbol: string, d: Diff): string {
  const micros = T0 + d.n;
  return JSON.stringify({
    data: { timestamp: String(Math.floor(micros / 1e6)), microtimestamp: String(micros), bids: d.b ?? [], asks: d.a ?? [] },
    channel: `diff_order_book_${symbol}`,
    event: 'data',
  });
}

/** A `live_trades_<pair>` trade event (spec §7): `type` 0 = the taker bought, 1 = the taker sold. */
function tradeFrame(symbol: string, id: number, price: string, amount: string, type: 0 | 1, n: number): string {
  const micros = T0 + n;
  return JSON.stringify({
    data: {
      id, timestamp: String(Math.floor(micros / 1e6)), amount: Number(amount), amount_str: amount, price: Number(price), price_str: price,
      type, microtimestamp: String(micros), buy_order_id: 1443875737346049, sell_order_id: 1443875731320832,
    },
    channel: `live_trades_${symbol}`,
    event: 'trade',
  });
}

const acks = (symbol: string): string[] =>
  [`diff_order_book_${symbol}`, `live_trades_${symbol}`].map((channel) => JSON.stringify({ event: 'bts:subscription_succeeded', channel, data: {} }));

function marketsBody(symbols: readonly [symbol: string, base: string, quote: string, decimals: number][]) {
  return symbols.map(([symbol, base, quote, decimals]) => ({
    name: `${base}/${quote}`, market_symbol: symbol, base_currency: base, counter_currency: quote, base_decimals: 8, counter_decimals: decimals,
    instant_order_counter_decimals: decimals, minimum_order_value: '10', trading: 'Enabled', instant_and_market_orders: 'Enabled',
    description: `${base} / ${quote}`, market_type: 'SPOT',
  }));
}

/** A REST order book body taken at diff `n` (spec §4). */
const snapshot = (n: number, bids: Levels, asks: Levels) => ({
  timestamp: String(Math.floor((T0 + n) / 1e6)),
  microtimestamp: String(T0 + n),
  bids,
  asks,
});

// ---------------------------------------------------------------------------------------------
// The BTC/USD story: diff 100 (already in snapshot A), A at 100, diffs 101..110, and B = the book
// at 106, which also holds levels A did not (29990.00 bid, 30010.00 ask): a book rebuilt from B says so.

const BTC_A = snapshot(
  100,
  [
    ['30000.00', '1.00000000'],
    ['29999.00', '2.00000000'],
  ],
  [
    ['30001.00', '1.50000000'],
    ['30002.00', '3.00000000'],
  ],
);

const BTC_DIFFS: readonly Diff[] = [
  { n: 100, b: [['30000.00', '1.00000000']] },
  { n: 101, b: [['30000.00', '1.10000000']] },
  { n: 102, a: [['30001.00', '1.40000000']] },
  { n: 103, b: [['30000.50', '0.50000000']] },
  { n: 104, a: [['30001.00', '0.00000000']] },
  { n: 105, b: [['29999.00', '0.00000000']], a: [['30001.50', '0.70000000']] },
  { n: 106, b: [['30000.00', '0.00000000']] },
  { n: 107, b: [['30000.75', '0.30000000']] },
  { n: 108, a: [['30001.50', '0.00000000']] },
  { n: 109, b: [['30000.50', '0.40000000']], a: [['30002.50', '1.00000000']] },
  { n: 110, b: [['30000.75', '0.25000000']] },
];

const BTC_B = snapshot(
  106,
  [
    ['30000.50', '0.50000000'],
    ['29990.00', '7.00000000'],
  ],
  [
    ['30001.50', '0.70000000'],
    ['30002.00', '3.00000000'],
    ['30010.00', '2.00000000'],
  ],
);

/** A + 101..110. */
const BTC_FINAL_FROM_A = {
  bid: [
    ['30000.75', '0.25000000'],
    ['30000.50', '0.40000000'],
  ],
  ask: [
    ['30002.00', '3.00000000'],
    ['30002.50', '1.00000000'],
  ],
};

/** B + 107..110. */
const BTC_FINAL_FROM_B = {
  bid: [
    ['30000.75', '0.25000000'],
    ['30000.50', '0.40000000'],
    ['29990.00', '7.00000000'],
  ],
  ask: [
    ['30002.00', '3.00000000'],
    ['30002.50', '1.00000000'],
    ['30010.00', '2.00000000'],
  ],
};

/** ETH/USD on the same socket: diff 500 in snapshot A, diffs 501..506, B = the book at 504. */
const ETH_A = snapshot(500, [['2000.00', '10.00000000']], [['2000.10', '5.00000000']]);
const ETH_DIFFS: readonly Diff[] = [
  { n: 500, a: [['2000.10', '5.00000000']] },
  { n: 501, b: [['2000.00', '9.00000000']] },
  { n: 502, a: [['2000.10', '4.00000000']] },
  { n: 503, b: [['2000.05', '1.00000000']] },
  { n: 504, a: [['2000.20', '2.00000000']] },
  { n: 505, b: [['2000.05', '0.00000000']] },
  { n: 506, a: [['2000.10', '3.50000000']] },
];
const ETH_B = snapshot(
  504,
  [
    ['2000.05', '1.00000000'],
    ['2000.00', '9.00000000'],
    ['1999.00', '8.00000000'],
  ],
  [
    ['2000.10', '4.00000000'],
    ['2000.20', '2.00000000'],
  ],
);
const ETH_FINAL_FROM_A = { bid: [['2000.00', '9.00000000']], ask: [['2000.10', '3.50000000'], ['2000.20', '2.00000000']] };
const ETH_FINAL_FROM_B = {
  bid: [
    ['2000.00', '9.00000000'],
    ['1999.00', '8.00000000'],
  ],
  ask: [
    ['2000.10', '3.50000000'],
    ['2000.20', '2.00000000'],
  ],
};

/**
 * One socket for BTC/USD: acks, diff 100, the snapshot get (frames behind it wait for the
 * engine's request), 101..110 with two trades. `first` = answers recorded for the first fetch
 * (served in order, then the last one again); `later` = answers recorded after diff 106.
 */
function btcSession(later: readonly unknown[] = [], first: readonly unknown[] = [BTC_A]): CaptureLine[] {
  const r = recording();
  r.get(MARKETS_URL, marketsBody([['btcusd', 'BTC', 'USD', 2]]));
  r.open();
  for (const ack of acks('btcusd')) r.recv(ack);
  for (const d of BTC_DIFFS) {
    r.recv(diffFrame('btcusd', d));
    if (d.n === 100) for (const body of first) r.get(bookUrl('btcusd'), body);
    if (d.n === 102) r.recv(tradeFrame('btcusd', 5001, '30001.00', '0.10000000', 0, 102));
    if (d.n === 106) for (const body of later) r.get(bookUrl('btcusd'), body);
    if (d.n === 108) r.recv(tradeFrame('btcusd', 5002, '30000.50', '0.20000000', 1, 108));
  }
  return r.lines;
}

/** BTC/USD and ETH/USD interleaved on one socket; each market's answer B is recorded later. */
function twoMarketSession(): CaptureLine[] {
  const r = recording();
  r.get(MARKETS_URL, marketsBody([['btcusd', 'BTC', 'USD', 2], ['ethusd', 'ETH', 'USD', 2]]));
  r.open();
  for (const ack of [...acks('btcusd'), ...acks('ethusd')]) r.recv(ack);
  for (let i = 0; i < BTC_DIFFS.length; i++) {
    const btc = BTC_DIFFS[i]!;
    const eth = ETH_DIFFS[i];
    r.recv(diffFrame('btcusd', btc));
    if (btc.n === 100) r.get(bookUrl('btcusd'), BTC_A);
    if (eth) {
      r.recv(diffFrame('ethusd', eth));
      if (eth.n === 500) r.get(bookUrl('ethusd'), ETH_A);
      if (eth.n === 504) r.get(bookUrl('ethusd'), ETH_B);
    }
    if (btc.n === 106) r.get(bookUrl('btcusd'), BTC_B);
  }
  return r.lines;
}

// ---------------------------------------------------------------------------------------------
// Running and checking.

const TIMING: Partial<EngineTiming> = { reconnectMinMs: 20, reconnectMaxMs: 100, resyncTimeoutMs: 300, subscribeRetryMs: 50 };

const spot = (id: number, base: string, quote = 'USD'): FeedSpec => ({ id, venue: 'bitstamp', type: 'spot', base, quote });

const run = replayRunner({
  urls: BITSTAMP_URLS,
  adapter: (urls) => createBitstampAdapter({ urls }),
  timing: TIMING,
  timeoutMs: 15_000,
  // settleMs: a little room for the engine to install the snapshot before the frames behind it.
  replay: { waitForRequests: true, settleMs: 50 },
});

/** `until`: a Spread of the market with this best bid (the last diff of the session sets it). */
const spreadWithBid =
  (id: number, price: string, size: string) =>
  (events: readonly FeedEvent[]): boolean =>
    events.some((e) => e.kind === 'spread' && e.marketId === id && e.bidPrice === price && e.bidSize === size);

const ethDone = (events: readonly FeedEvent[]) => events.some((e) => e.kind === 'spread' && e.marketId === 2 && e.askSize === '3.50000000');

function levelsOf(book: OrderBook | undefined): { bid: string[][]; ask: string[][] } {
  if (!book) throw new Error('no book');
  return { bid: [...book.levels('bid')].map((l) => [l.price, l.size]), ask: [...book.levels('ask')].map((l) => [l.price, l.size]) };
}

/** The last Spread equals the book's top. */
function expectLastSpreadIsTop(run: ReplayedFeeds, id: number): void {
  const book = run.engine.book(id)!;
  expect(spreadsOf(run.events, id).at(-1)).toMatchObject({
    bidPrice: book.bestBid()!.price,
    bidSize: book.bestBid()!.size,
    askPrice: book.bestAsk()!.price,
    askSize: book.bestAsk()!.size,
  });
}

const bookRequests = (run: ReplayedFeeds, symbol?: string) => run.server.requests.filter((r) => r.url.startsWith(`/api/v2/order_book/${symbol ?? ''}`));
const subscribes = (run: ReplayedFeeds) => run.server.received.filter((m) => m.data.includes('"bts:subscribe"'));

// ---------------------------------------------------------------------------------------------

describe('Bitstamp faults through the replay server and the feed engine', () => {
  it('bts:request_reconnect: the engine reconnects at once, resubscribes and resyncs on connection 2, live again', async () => {
    const notice = '{"event":"bts:request_reconnect","channel":"","data":""}';
    const r = await run({
      capture: btcSession(),
      markets: [spot(1, 'BTC')],
      // The notice comes once, on connection 1, before diff 104 (connection 2 replays the session without it).
      faults: [{ kind: 'inject', connection: 1, before: (frame) => frame.includes(`"${T0 + 104}"`), text: notice }],
      until: (events) => statusStory(events, 1).filter(([s]) => s === 'live').length >= 2 && spreadWithBid(1, '30000.75', '0.25000000')(events),
    });
    try {
      expect(r.completed).toBe(true);
      expect(statusStory(r.events, 1)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['live', ''],
        ['resyncing', 'venue asked to reconnect: bitstamp: bts:request_reconnect (server going into maintenance)'],
        ['syncing', ''],
        ['live', ''],
      ]);
      expect(r.engine.feed(1)!.counters).toMatchObject({ reconnects: 1, resyncs: 0, gaps: 0, malformedFrames: 0, crossedBooks: 0 });
      expect(r.server.connections).toBe(2);
      // Frames leave at the venue's rate (20/s): the trades frame of connection 2 may still be queued.
      await vi.waitFor(() => expect(subscribes(r)).toHaveLength(4), { timeout: 5_000 });
      expect(subscribes(r).map((m) => [m.connection, JSON.parse(m.data)])).toEqual([
        [1, { event: 'bts:subscribe', data: { channel: 'diff_order_book_btcusd' } }],
        [1, { event: 'bts:subscribe', data: { channel: 'live_trades_btcusd' } }],
        [2, { event: 'bts:subscribe', data: { channel: 'diff_order_book_btcusd' } }],
        [2, { event: 'bts:subscribe', data: { channel: 'live_trades_btcusd' } }],
      ]);
      // A fresh REST snapshot for the new connection (the recorded one, served again).
      expect(bookRequests(r).map((q) => [q.url, q.status])).toEqual([
        ['/api/v2/order_book/btcusd/', 200],
        ['/api/v2/order_book/btcusd/', 200],
      ]);
      expect(r.engine.feed(1)!.sequence).toBe(T0 + 110);
      expect(levelsOf(r.engine.book(1))).toEqual(BTC_FINAL_FROM_A);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(spreadsOf(afterLive(r.events, 1, 2), 1).length).toBeGreaterThan(0);
      expectLastSpreadIsTop(r, 1);
    } finally {
      await r.close();
    }
  });

  it('a diff that crosses the book: BTC/USD resyncs by REST on the same socket, ETH/USD keeps its book', async () => {
    // Diff 104 as received on connection 1 also carries an ask below the best bid (a stale level
    // the venue never removed: spec §9). Nothing else can tell: Bitstamp has no sequence numbers.
    const logger = collectingLogger();
    const r = await run({
      capture: twoMarketSession(),
      markets: [spot(1, 'BTC'), spot(2, 'ETH')],
      logger,
      faults: [
        {
          kind: 'corrupt',
          connection: 1,
          frames: (frame) => frame.includes(`"${T0 + 104}"`),
          edit: (frame) => frame.replace('"asks":[', '"asks":[["29999.50","0.10000000"],'),
        },
      ],
      until: (events) => spreadWithBid(1, '30000.75', '0.25000000')(events) && ethDone(events),
    });
    try {
      expect(r.completed).toBe(true);
      expect(statusStory(r.events, 1)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['live', ''],
        ['resyncing', 'crossed book: bid 30000.50 >= ask 29999.50'],
        ['live', ''],
      ]);
      const feed = r.engine.feed(1)!;
      expect(feed.counters).toMatchObject({ crossedBooks: 1, resyncs: 1, gaps: 0, reconnects: 0, malformedFrames: 0 });
      expect(feed.sequence).toBe(T0 + 110);
      expect(logger.lines.some((l) => l.level === 'warn' && l.message === 'resync' && l.fields.reason === 'crossed book: bid 30000.50 >= ask 29999.50')).toBe(true);
      // B + 107..110, its deep levels included: a fresh book, not A patched up.
      expect(levelsOf(r.engine.book(1))).toEqual(BTC_FINAL_FROM_B);
      expect(bookRequests(r, 'btcusd')).toHaveLength(2);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(spreadsOf(afterLive(r.events, 1, 2), 1).length).toBeGreaterThan(0);
      expectLastSpreadIsTop(r, 1);

      // ETH/USD on the same socket: untouched.
      expect(statusStory(r.events, 2)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['live', ''],
      ]);
      expect(r.engine.feed(2)!.counters).toMatchObject({ crossedBooks: 0, resyncs: 0, gaps: 0, reconnects: 0, malformedFrames: 0, deltas: 6 });
      expect(levelsOf(r.engine.book(2))).toEqual(ETH_FINAL_FROM_A);
      expect(bookRequests(r, 'ethusd')).toHaveLength(1);
      expect(unsoundSpreads(r.events, 2, { bothSides: true })).toEqual([]);
      expectLastSpreadIsTop(r, 2);
      expect(r.server.connections).toBe(1);
    } finally {
      await r.close();
    }
  });

  it('truncated frame naming btcusd: counted and logged, BTC/USD resyncs by itself, ETH/USD on the same socket keeps its book', async () => {
    const truncated = `{"data":{"timestamp":"1700000000","microtimestamp":"${T0 + 104}","bids":[["30000.`;
    const logger = collectingLogger();
    const r = await run({
      capture: twoMarketSession(),
      markets: [spot(1, 'BTC'), spot(2, 'ETH')],
      logger,
      faults: [{ kind: 'inject', connection: 1, before: (frame) => frame.includes(`"${T0 + 104}"`), text: `${truncated} diff_order_book_btcusd` }],
      until: (events) => spreadWithBid(1, '30000.75', '0.25000000')(events) && ethDone(events),
    });
    try {
      expect(r.completed).toBe(true);
      expect(statusStory(r.events, 1)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['live', ''],
        ['resyncing', expect.stringMatching(/^malformed frame: bitstamp: frame is not JSON: \{"data":\{"timestamp"/)],
        ['live', ''],
      ]);
      expect(r.engine.feed(1)!.counters).toMatchObject({ malformedFrames: 1, resyncs: 1, gaps: 0, reconnects: 0, crossedBooks: 0 });
      const warned = logger.lines.filter((l) => l.level === 'warn' && l.message === 'malformed frame');
      expect(warned).toHaveLength(1);
      expect(warned[0]!.fields).toMatchObject({ venue: 'bitstamp', markets: [1] });
      expect(levelsOf(r.engine.book(1))).toEqual(BTC_FINAL_FROM_B);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(spreadsOf(afterLive(r.events, 1, 2), 1).length).toBeGreaterThan(0);
      expectLastSpreadIsTop(r, 1);

      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expect(r.engine.feed(2)!.counters).toMatchObject({ malformedFrames: 0, resyncs: 0, deltas: 6 });
      expect(levelsOf(r.engine.book(2))).toEqual(ETH_FINAL_FROM_A);
      expect(r.server.connections).toBe(1);
    } finally {
      await r.close();
    }
  });

  it('a well-formed diff without microtimestamp: the parse error names the field, that market resyncs', async () => {
    const logger = collectingLogger();
    const r = await run({
      capture: twoMarketSession(),
      markets: [spot(1, 'BTC'), spot(2, 'ETH')],
      logger,
      faults: [{ kind: 'corrupt', connection: 1, frames: (frame) => frame.includes(`"${T0 + 104}"`), edit: (frame) => frame.replace(/"microtimestamp":"\d+",/, '') }],
      until: (events) => spreadWithBid(1, '30000.75', '0.25000000')(events) && ethDone(events),
    });
    try {
      expect(r.completed).toBe(true);
      expect(statusStory(r.events, 1)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['live', ''],
        ['resyncing', 'malformed frame: bitstamp: diff_order_book_btcusd without integer "microtimestamp"'],
        ['live', ''],
      ]);
      expect(r.engine.feed(1)!.counters).toMatchObject({ malformedFrames: 1, resyncs: 1 });
      // Diff 104 never reached the book; B (at 106) holds its effect.
      expect(levelsOf(r.engine.book(1))).toEqual(BTC_FINAL_FROM_B);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expect(levelsOf(r.engine.book(2))).toEqual(ETH_FINAL_FROM_A);
    } finally {
      await r.close();
    }
  });

  it('garbage frame naming no market: every market on the socket resyncs, each by itself, and both recover', async () => {
    const logger = collectingLogger();
    const r = await run({
      capture: twoMarketSession(),
      markets: [spot(1, 'BTC'), spot(2, 'ETH')],
      logger,
      faults: [{ kind: 'inject', connection: 1, before: (frame) => frame.includes(`"${T0 + 104}"`), text: 'garbage' }],
      until: (events) =>
        statusStory(events, 2).filter(([s]) => s === 'live').length >= 2 && spreadWithBid(1, '30000.75', '0.25000000')(events) && ethDone(events),
    });
    try {
      expect(r.completed).toBe(true);
      for (const id of [1, 2]) {
        expect(statusStory(r.events, id)).toEqual([
          ['starting', ''],
          ['syncing', ''],
          ['live', ''],
          ['resyncing', 'malformed frame: bitstamp: frame is not JSON: garbage'],
          ['live', ''],
        ]);
        expect(r.engine.feed(id)!.counters).toMatchObject({ malformedFrames: 1, resyncs: 1, gaps: 0, reconnects: 0 });
        expect(unsoundSpreads(r.events, id, { bothSides: true })).toEqual([]);
        expect(spreadsOf(afterLive(r.events, id, 2), id).length).toBeGreaterThan(0);
        expectLastSpreadIsTop(r, id);
      }
      const warned = logger.lines.filter((l) => l.level === 'warn' && l.message === 'malformed frame');
      expect(warned).toHaveLength(1);
      expect(warned[0]!.fields).toMatchObject({ frame: 'garbage', markets: [1, 2] });
      expect(levelsOf(r.engine.book(1))).toEqual(BTC_FINAL_FROM_B);
      expect(levelsOf(r.engine.book(2))).toEqual(ETH_FINAL_FROM_B);
      expect(r.server.connections).toBe(1);
    } finally {
      await r.close();
    }
  });

  it('subscription error naming the channel: failed with the venue message, counted, the subscription is tried again', async () => {
    const script = recording();
    const capture = [script.get(MARKETS_URL, marketsBody([['btcusd', 'BTC', 'USD', 2]])), script.open(), script.recv('{"event":"bts:error","channel":"diff_order_book_btcusd","data":{"code":null,"message":"Invalid channel provided."}}')];
    const logger = collectingLogger();
    const r = await run({
      capture,
      markets: [spot(1, 'BTC')],
      logger,
      // A long resync timeout: nothing here should fetch a snapshot.
      timing: { ...TIMING, subscribeRetryMs: 50, resyncTimeoutMs: 10_000 },
      until: (events) => statusStory(events, 1).some(([s, why]) => s === 'syncing' && why === 'retrying subscription'),
    });
    try {
      expect(r.completed).toBe(true);
      await vi.waitFor(() => expect(subscribes(r)).toHaveLength(4), { timeout: 5_000 });
      expect(statusStory(r.events, 1)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['failed', 'venue error: Invalid channel provided.'],
        ['syncing', 'retrying subscription'],
      ]);
      expect(r.engine.feed(1)!.counters).toMatchObject({ venueErrors: 1, resyncs: 0, reconnects: 0, malformedFrames: 0 });
      expect(r.server.connections).toBe(1);
      expect(logger.lines.filter((l) => l.message === 'venue error').map((l) => l.fields)).toEqual([
        expect.objectContaining({ venue: 'bitstamp', error: 'Invalid channel provided.', symbols: ['btcusd'] }),
      ]);
      expect(bookRequests(r)).toEqual([]);
      expect(spreadsOf(r.events, 1)).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('subscription error with the documented empty channel: logged, but no market can be told (answers carry no request id)', async () => {
    // Contract gap (reported): Bitstamp answers in request order with no id, and the engine matches
    // answers by request id only, so this error reaches no market: it stays `syncing`, never `failed`.
    const script = recording();
    const capture = [script.get(MARKETS_URL, marketsBody([['btcusd', 'BTC', 'USD', 2]])), script.open(), script.recv('{"event":"bts:error","channel":"","data":{"code":null,"message":"Bad subscription string."}}')];
    const logger = collectingLogger();
    const r = await run({ capture, markets: [spot(1, 'BTC')], logger, timing: { ...TIMING, resyncTimeoutMs: 10_000 } });
    try {
      expect(logger.lines.filter((l) => l.message === 'venue error').map((l) => l.fields)).toEqual([
        expect.objectContaining({ venue: 'bitstamp', error: 'Bad subscription string.', symbols: [] }),
      ]);
      expect(statusStory(r.events, 1)).toEqual([
        ['starting', ''],
        ['syncing', ''],
      ]);
      expect(r.engine.feed(1)!.counters).toMatchObject({ venueErrors: 0, resyncs: 0, reconnects: 0, malformedFrames: 0 });
      expect(spreadsOf(r.events, 1)).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('REST snapshot answered 429 (Retry-After) then 503: retried, the market still goes live', async () => {
    const logger = collectingLogger();
    const r = await run({
      capture: btcSession(),
      markets: [spot(1, 'BTC')],
      logger,
      faults: [
        { kind: 'http', path: '/api/v2/order_book/btcusd/', status: 429, headers: { 'retry-after': '0' }, times: 1 },
        { kind: 'http', path: '/api/v2/order_book/btcusd/', status: 503, times: 1 },
      ],
      until: spreadWithBid(1, '30000.75', '0.25000000'),
    });
    try {
      expect(r.completed).toBe(true);
      expect(statusStory(r.events, 1)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['live', ''],
      ]);
      expect(r.server.requests).toEqual([
        { url: '/api/v2/markets/', status: 200 },
        { url: '/api/v2/order_book/btcusd/', status: 429 },
        { url: '/api/v2/order_book/btcusd/', status: 503 },
        { url: '/api/v2/order_book/btcusd/', status: 200 },
      ]);
      expect(logger.lines.filter((l) => l.message === 'snapshot retry').map((l) => l.fields)).toEqual([
        expect.objectContaining({ marketId: 1, waitMs: 0, reason: expect.stringContaining('HTTP 429') }),
        expect.objectContaining({ marketId: 1, reason: expect.stringContaining('HTTP 503') }),
      ]);
      expect(r.engine.feed(1)!.counters).toMatchObject({ resyncs: 0, gaps: 0, reconnects: 0, venueErrors: 0, malformedFrames: 0 });
      expect(levelsOf(r.engine.book(1))).toEqual(BTC_FINAL_FROM_A);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expectLastSpreadIsTop(r, 1);
      expect(tradesOf(r.events, 1).map((t) => [t.tradeId, t.side, t.price, t.size, t.exchangeTime])).toEqual([
        ['5001', 'buy', '30001.00', '0.10000000', T0 + 102],
        ['5002', 'sell', '30000.50', '0.20000000', T0 + 108],
      ]);
    } finally {
      await r.close();
    }
  });

  it('a snapshot older than every buffered diff (spec §4 step 4): fetched again, live on the newer one', async () => {
    // The first answer is from before diff 100 (a cached REST book, spec §9): diffs may be missing
    // between it and the buffer, so it must not be used. The second answer is A.
    const stale = snapshot(
      99,
      [['30000.00', '0.90000000']],
      [['30001.00', '1.50000000']],
    );
    const logger = collectingLogger();
    const r = await run({
      capture: btcSession([], [stale, BTC_A]),
      markets: [spot(1, 'BTC')],
      logger,
      until: spreadWithBid(1, '30000.75', '0.25000000'),
    });
    try {
      expect(r.completed).toBe(true);
      expect(statusStory(r.events, 1)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['live', ''],
      ]);
      expect(logger.lines.filter((l) => l.message === 'snapshot older than the buffered deltas: fetching again').map((l) => l.fields.sequence)).toEqual([T0 + 99]);
      expect(bookRequests(r)).toHaveLength(2);
      expect(r.engine.feed(1)!.counters).toMatchObject({ resyncs: 0, gaps: 0, crossedBooks: 0, deltas: 10 });
      expect(levelsOf(r.engine.book(1))).toEqual(BTC_FINAL_FROM_A);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('stalled socket: stale after livenessMs of silence, reconnect, live again on connection 2', async () => {
    // Connection 1 goes silent for good after acks, 100, 101, 102, trade, 103 (the socket stays open).
    const r = await run({
      capture: btcSession(),
      markets: [spot(1, 'BTC')],
      timing: { ...TIMING, livenessMs: 300 },
      faults: [{ kind: 'stall', connection: 1, afterFrames: 7 }],
      until: (events) => statusStory(events, 1).filter(([s]) => s === 'live').length >= 2 && spreadWithBid(1, '30000.75', '0.25000000')(events),
      timeoutMs: 5_000,
    });
    try {
      expect(r.completed).toBe(true);
      const story = statusStory(r.events, 1);
      expect(story.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'stale', 'syncing', 'live']);
      expect(story[3]![1]).toMatch(/^stale: no data for \d+ ms$/);
      expect(r.engine.feed(1)!.counters).toMatchObject({ reconnects: 1, resyncs: 0, gaps: 0 });
      expect(r.server.connections).toBe(2);
      expect(levelsOf(r.engine.book(1))).toEqual(BTC_FINAL_FROM_A);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
      expect(spreadsOf(afterLive(r.events, 1, 2), 1).length).toBeGreaterThan(0);
      expectLastSpreadIsTop(r, 1);
    } finally {
      await r.close();
    }
  });
});

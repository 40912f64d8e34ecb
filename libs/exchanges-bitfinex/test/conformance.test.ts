/**
 * Conformance: the Bitfinex recordings (../shared/fixtures/bitfinex, see its README) replayed over
 * WebSocket on 127.0.0.1 into the full feed engine with this adapter.
 * - The 2021 cryptofeed session (SEQ_ALL on, 7 books + trades + tickers on one socket, numbers
 *   1..1670): its recorded `pub:list:pair:exchange` answer resolves the markets, the acks bind the
 *   channels, every one of the 1,514 book updates of the six real pairs applies (the test pair is
 *   skipped by the instrument list), the connection sequence never gaps, no book crosses, and each
 *   book ends where an independent replay of the frames says.
 * - The bitfinex-api-go checksum session (OB_CHECKSUM on): the `cs` recomputes from the venue's
 *   number text, `7e-7` included.
 * No derivatives book and no live trade was ever recorded: a short F0 session written from the spec
 * checks both (book, `te`/`tu`, taker side from the amount's sign, checksums).
 */
import { join } from 'node:path';
import type { FeedSpec, VenueAdapter } from '@level4/feed';
import { capturesDir, readCapture, replayFeeds, spreadsOf, statusStory, tradesOf, unsoundSpreads, type CaptureLine } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { BITFINEX_URLS, crc32, createBitfinexAdapter } from '../src/index.js';

const dir = capturesDir(import.meta.dirname);

/** The adapter with its `verify` counted: [checks run, checks that failed]. */
function counted(): { adapter: (urls: Record<string, string>) => VenueAdapter; checks: [number, number] } {
  const checks: [number, number] = [0, 0];
  return {
    checks,
    adapter: (urls) => {
      const inner = createBitfinexAdapter({ urls });
      return {
        ...inner,
        verify: (book, check, instrument) => {
          const ok = inner.verify!(book, check, instrument);
          checks[0] += 1;
          if (!ok) checks[1] += 1;
          return ok;
        },
      };
    },
  };
}

interface RecordedBook {
  readonly base: string;
  readonly quote: string;
  readonly symbol: string;
  readonly deltas: number;
  readonly bids: number;
  readonly asks: number;
  readonly bid: [string, string];
  readonly ask: [string, string];
}

/** Worked out from the frames by an independent replay (plain maps of numbers, not this package). */
const SEQALL_BOOKS: readonly RecordedBook[] = [
  { base: 'BFT', quote: 'USD', symbol: 'tBFTUSD', deltas: 0, bids: 96, asks: 100, bid: ['0.068965', '6098.17017201'], ask: ['0.0774', '6662.31867263'] },
  { base: 'IOTA', quote: 'ETH', symbol: 'tIOTETH', deltas: 783, bids: 99, asks: 100, bid: ['0.001026', '9.80717706'], ask: ['0.0010272', '8'] },
  { base: 'DOG', quote: 'USD', symbol: 'tDOGUSD', deltas: 384, bids: 100, asks: 100, bid: ['277730', '0.09383141'], ask: ['282030', '0.027'] },
  { base: 'MNA', quote: 'BTC', symbol: 'tMNABTC', deltas: 321, bids: 51, asks: 88, bid: ['0.00002505', '504.35063355'], ask: ['0.0000253', '66.58783643'] },
  { base: 'ODE', quote: 'USD', symbol: 'tODEUSD', deltas: 17, bids: 100, asks: 100, bid: ['0.02056', '4510.99'], ask: ['0.02088', '2335.56'] },
  { base: 'SNG', quote: 'USD', symbol: 'tSNGUSD', deltas: 9, bids: 100, asks: 100, bid: ['0.037108', '6830.77512'], ask: ['0.038798', '1461.09590662'] },
];

describe.skipIf(dir === undefined)('Bitfinex recordings through the replay server and the feed engine', () => {
  it('2021 SEQ_ALL session: six books on one socket, every update applied, no gap, no cross, final books as recorded', async () => {
    const capture = await readCapture(join(dir!, 'bitfinex', 'bitfinex_2021-04-17_seqall_book_P0_len100_trades_ticker.jsonl'));
    const recorded = capture.filter((l) => l.dir === 'recv').map((l) => JSON.parse(l.data ?? '') as unknown);
    const seqs = recorded.filter(Array.isArray).map((m) => (m as unknown[]).at(-1));
    expect(seqs).toEqual(Array.from({ length: 1670 }, (_, i) => i + 1));
    const markets: FeedSpec[] = SEQALL_BOOKS.map((b, i) => ({ id: i + 1, venue: 'bitfinex', type: 'spot', base: b.base, quote: b.quote }));
    const { adapter, checks } = counted();
    // The six markets start one after another on one socket: the replay holds the session's first
    // frame 500 ms (the open moved 50 s earlier, played at 100x) so that all six are on the socket
    // before the acks and snapshots arrive, as they were when the session was recorded (and the
    // replay is over only after 1.5 s without an event, longer than that wait).
    const paced = capture.map((l) => (l.kind === 'ws' && l.dir === 'open' ? { ...l, t: l.t - 50_000 } : l));
    const run = await replayFeeds({ capture: paced, urls: BITFINEX_URLS, adapter, markets, replay: { pace: { speed: 100 } }, quietMs: 1_500 });
    try {
      // The recorded instrument list resolved every market.
      expect(run.server.requests).toEqual([{ url: '/v2/conf/pub:list:pair:exchange', status: 200 }]);
      expect(run.server.connections).toBe(1);
      // conf first, then book + trades of each market, one request id each (10 frames/s).
      await vi.waitFor(() => expect(run.server.received.length).toBe(13), { timeout: 5_000 });
      const sent = run.server.received.map((r) => JSON.parse(r.data) as Record<string, unknown>);
      expect(sent[0]).toEqual({ event: 'conf', flags: 196608 });
      expect(sent.slice(1).map((f) => [f.channel, f.symbol, f.subId])).toEqual(
        SEQALL_BOOKS.flatMap((b, i) => [
          ['book', b.symbol, String(i + 1)],
          ['trades', b.symbol, String(i + 1)],
        ]),
      );
      let deltas = 0;
      for (const [i, book] of SEQALL_BOOKS.entries()) {
        const id = i + 1;
        const feed = run.feeds.get(id)!;
        expect(feed.instrument).toMatchObject({ symbol: book.symbol, base: book.base, quote: book.quote, trading: true });
        expect(feed.state).toBe('live');
        expect(feed.counters).toMatchObject({
          gaps: 0,
          crossedBooks: 0,
          checksumFailures: 0,
          malformedFrames: 0,
          resyncs: 0,
          reconnects: 0,
          venueErrors: 0,
          snapshots: 1,
          trades: 0,
          deltas: book.deltas,
        });
        deltas += feed.counters.deltas;
        const b = run.engine.book(id)!;
        expect(b.isCrossed()).toBe(false);
        expect([b.levelCount('bid'), b.levelCount('ask')]).toEqual([book.bids, book.asks]);
        expect(b.bestBid()).toEqual({ price: book.bid[0], size: book.bid[1] });
        expect(b.bestAsk()).toEqual({ price: book.ask[0], size: book.ask[1] });
        expect(spreadsOf(run.events, id).at(-1)).toMatchObject({ bidPrice: book.bid[0], askPrice: book.ask[0], symbol: book.symbol, marketType: 'spot' });
        expect(unsoundSpreads(run.events, id, { bothSides: true })).toEqual([]);
        expect(statusStory(run.events, id).map(([s]) => s)).toEqual(['starting', 'syncing', 'live']);
        // Only trade history came (no `te`): nothing published.
        expect(tradesOf(run.events, id)).toEqual([]);
      }
      // 1,593 updates in the recording, 79 of them for the test pair.
      expect(deltas).toBe(1593 - 79);
      expect(checks).toEqual([0, 0]);
    } finally {
      await run.close();
    }
  });

  it('checksum session: the snapshot, one update, and the cs -1175357890 recomputes from the venue’s number text', async () => {
    const capture = await readCapture(join(dir!, 'bitfinex', 'bitfinex_checksum_tXRPBTC_P0_len25_from-bitfinex-api-go-test.jsonl'));
    const { adapter, checks } = counted();
    const run = await replayFeeds({
      capture,
      urls: BITFINEX_URLS,
      adapter,
      markets: [{ id: 1, venue: 'bitfinex', type: 'spot', base: 'XRP', quote: 'BTC' }],
      replay: { routes: [{ url: '/v2/conf/pub:list:pair:exchange', body: JSON.stringify([['XRPBTC', 'XRPUSD']]) }] },
    });
    try {
      const feed = run.feeds.get(1)!;
      expect(feed.state).toBe('live');
      expect(feed.counters).toMatchObject({ snapshots: 1, deltas: 1, checksumFailures: 0, resyncs: 0, gaps: 0, crossedBooks: 0, malformedFrames: 0 });
      expect(checks).toEqual([1, 0]);
      const book = run.engine.book(1)!;
      expect([book.levelCount('bid'), book.levelCount('ask')]).toEqual([18, 25]);
      expect(book.bestBid()).toEqual({ price: '0.0000011', size: '266122.94' });
      expect(book.bestAsk()).toEqual({ price: '0.00000111', size: '4847.13' });
      expect(book.sizeAt('bid', '7e-7')).toBe('10000');
      expect(unsoundSpreads(run.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await run.close();
    }
  });
});

// No recording of a derivatives book or of live trades exists (fixtures README): written from the spec.
describe('Bitfinex F0 perpetual with trades and checksums, written from the spec', () => {
  it('tBTCF0:USTF0: snapshot, updates, `cs` after updates, `te` published with the taker side, `tu` not', async () => {
    const url = 'wss://api-pub.bitfinex.com/ws/2';
    let t = 1_733_011_200_000;
    let seq = 0;
    const recv = (frame: string): CaptureLine => ({ t: (t += 100), kind: 'ws', dir: 'recv', url, data: frame });
    const chan = (body: string): CaptureLine => recv(`[7,${body},${++seq}]`);
    const trades = (body: string): CaptureLine => recv(`[8,${body},${++seq}]`);
    // Checksum strings built by hand from the spec (§6): bid, amount, ask, -amount, ...
    const cs1 = crc32('97000:1.5:97001:-0.25:96999:2:97002:-3');
    const cs2 = crc32('97000:1.25:97001.5:-0.1:96999:2:97002:-3');
    const capture: CaptureLine[] = [
      { t, kind: 'ws', dir: 'open', url },
      recv('{"event":"info","version":2,"serverId":"s","platform":{"status":1}}'),
      recv('{"event":"conf","status":"OK","flags":196608}'),
      recv('{"event":"subscribed","channel":"book","chanId":7,"symbol":"tBTCF0:USTF0","prec":"P0","freq":"F0","len":"250","subId":"1","pair":"BTCF0:USTF0"}'),
      recv('{"event":"subscribed","channel":"trades","chanId":8,"symbol":"tBTCF0:USTF0","subId":"1","pair":"BTCF0:USTF0"}'),
      chan('[[97000,3,1.5],[96999,1,2],[97001,1,-0.25],[97002,2,-3]]'),
      trades('[[11,1733011199000,0.5,97001],[10,1733011198000,-0.1,97000]]'),
      recv(`[7,"cs",${cs1},${++seq}]`),
      chan('[97000,3,1.25]'),
      chan('[97001,0,-1]'),
      chan('[97001.5,1,-0.1]'),
      recv(`[7,"cs",${cs2},${++seq}]`),
      trades('"te",[12,1733011200100,-0.25,97000]'),
      recv(`[7,"hb",${++seq}]`),
      trades('"tu",[12,1733011200100,-0.25,97000]'),
      trades('"te",[13,1733011200200,0.1,97001.5]'),
    ];
    const { adapter, checks } = counted();
    const run = await replayFeeds({
      capture,
      urls: BITFINEX_URLS,
      adapter,
      markets: [{ id: 9, venue: 'bitfinex', type: 'futures', base: 'BTC', quote: 'USDT' }],
      replay: { routes: [{ url: '/v2/conf/pub:list:pair:futures', body: JSON.stringify([['BTCF0:USTF0', 'ETHF0:USTF0']]) }] },
    });
    try {
      const feed = run.feeds.get(9)!;
      expect(feed.instrument).toMatchObject({ symbol: 'tBTCF0:USTF0', type: 'futures', contractSize: '1' });
      expect(feed.state).toBe('live');
      expect(feed.counters).toMatchObject({ snapshots: 1, deltas: 3, trades: 2, checksumFailures: 0, gaps: 0, resyncs: 0, crossedBooks: 0, malformedFrames: 0 });
      expect(checks).toEqual([2, 0]);
      expect(spreadsOf(run.events, 9).map((s) => [s.bidPrice, s.bidSize, s.askPrice, s.askSize])).toEqual([
        ['97000', '1.5', '97001', '0.25'],
        ['97000', '1.25', '97001', '0.25'],
        ['97000', '1.25', '97002', '3'],
        ['97000', '1.25', '97001.5', '0.1'],
      ]);
      expect(unsoundSpreads(run.events, 9, { bothSides: true })).toEqual([]);
      expect(tradesOf(run.events, 9).map((x) => [x.tradeId, x.side, x.price, x.size, x.exchangeTime, x.marketType])).toEqual([
        ['12', 'sell', '97000', '0.25', 1733011200100000, 'futures'],
        ['13', 'buy', '97001.5', '0.1', 1733011200200000, 'futures'],
      ]);
    } finally {
      await run.close();
    }
  });
});

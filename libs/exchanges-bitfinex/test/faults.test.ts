/**
 * Faults the Bitfinex recordings do not show: small sessions written here from the spec
 * (../shared/exchanges/bitfinex.md: numbered channels bound by the subscribe ack, in-band snapshot,
 * SEQ_ALL numbers across the connection, `cs` checksums, info codes), played by the replay server
 * with its faults into the full feed engine with this adapter. Every case checks the Status story,
 * the counters, and that no Spread leaves a market while its book is broken, nor a crossed one.
 *
 * Bitfinex unsubscribes by channel id only, which the adapter is never given: every resync of a
 * market is a reconnect, so the other markets of that connection resync with it (see the README).
 */
import type { FeedCounters, FeedEvent, FeedSpec } from '@level4/feed';
import { afterLive, CaptureScript, collectingLogger, replayRunner, spreadsOf, states, statusStory, unsoundSpreads, type CaptureLine, type ReplayedFeeds } from '@level4/replay';
import { describe, expect, it, vi } from 'vitest';
import { BITFINEX_URLS, crc32, createBitfinexAdapter } from '../src/index.js';

const URL = 'wss://api-pub.bitfinex.com/ws/2';
const TIMING = { reconnectMinMs: 20, reconnectMaxMs: 100, resyncTimeoutMs: 300, subscribeRetryMs: 50 } as const;

// ---- sessions, written as Bitfinex sends them ----------------------------------------------------

interface Pair {
  readonly symbol: string;
  readonly book: number;
  readonly trades: number;
  /** Best bid and ask of the snapshot; one more level behind each. */
  readonly bid: string;
  readonly bid2: string;
  readonly ask: string;
  readonly ask2: string;
}

const BTC: Pair = { symbol: 'tBTCUSD', book: 10, trades: 11, bid: '100', bid2: '99.9', ask: '100.1', ask2: '100.2' };
const ETH: Pair = { symbol: 'tETHUSD', book: 20, trades: 21, bid: '2000', bid2: '1999.5', ask: '2000.5', ask2: '2001' };

/** The best bid's amount after update `n`: unique, so each update moves the top (a Spread). */
const sizeOf = (n: number) => `${n}.5`;

/** One connection's frames, SEQ_ALL numbers from 1. */
class Conn {
  private seq = 0;
  /** Opens at `t0`, one frame every 100 ms. */
  private readonly script: CaptureScript;
  constructor(t0: number, pairs: readonly Pair[], request = 1) {
    this.script = new CaptureScript({ t0: t0 - 100, url: URL });
    this.script.open();
    this.raw('{"event":"info","version":2,"serverId":"6ac9a6e1","platform":{"status":1}}');
    this.raw('{"event":"conf","status":"OK","flags":196608}');
    for (const [i, p] of pairs.entries()) {
      const subId = String(request + i);
      this.raw(JSON.stringify({ event: 'subscribed', channel: 'book', chanId: p.book, symbol: p.symbol, prec: 'P0', freq: 'F0', len: '250', subId, pair: p.symbol.slice(1) }));
      this.raw(JSON.stringify({ event: 'subscribed', channel: 'trades', chanId: p.trades, symbol: p.symbol, subId, pair: p.symbol.slice(1) }));
    }
  }
  get lines(): CaptureLine[] {
    return this.script.lines;
  }
  raw(data: string): this {
    this.script.recv(data);
    return this;
  }
  /** `[CHAN, body, SEQ]` */
  channel(chan: number, body: string): this {
    return this.raw(`[${chan},${body},${++this.seq}]`);
  }
  snapshot(p: Pair, bidSize = '1'): this {
    return this.channel(p.book, `[[${p.bid},2,${bidSize}],[${p.bid2},1,2],[${p.ask},1,-1],[${p.ask2},3,-2]]`);
  }
  /** Update `n`: the best bid's amount becomes sizeOf(n). */
  update(p: Pair, n: number): this {
    return this.channel(p.book, `[${p.bid},2,${sizeOf(n)}]`);
  }
  hb(chan: number): this {
    return this.channel(chan, '"hb"');
  }
  cs(chan: number, value: number): this {
    return this.raw(`[${chan},"cs",${value},${++this.seq}]`);
  }
}

/** The right `cs` for a Pair's book whose best bid amount is `bidSize`. */
const checksumOf = (p: Pair, bidSize: string) => crc32(`${p.bid}:${bidSize}:${p.ask}:-1:${p.bid2}:2:${p.ask2}:-2`);

/** A frame ending in SEQ_ALL number `n`. */
const seqIs = (n: number) => (frame: string) => frame.startsWith('[') && frame.endsWith(`,${n}]`);

// ---- the engine under test ---------------------------------------------------------------------

const INSTRUMENTS = { url: '/v2/conf/pub:list:pair:exchange', body: JSON.stringify([['BTCUSD', 'ETHUSD', 'BTCUST']]) };
const BTC_MARKET: FeedSpec = { id: 1, venue: 'bitfinex', type: 'spot', base: 'BTC', quote: 'USD' };
const ETH_MARKET: FeedSpec = { id: 2, venue: 'bitfinex', type: 'spot', base: 'ETH', quote: 'USD' };

const run = replayRunner({
  urls: BITFINEX_URLS,
  adapter: (urls) => createBitfinexAdapter({ urls }),
  markets: [BTC_MARKET],
  routes: [INSTRUMENTS],
  timing: TIMING,
  timeoutMs: 10_000,
});

/** Done once the market has been live `n` times and shows this best bid amount. */
const reached =
  (id: number, n: number, bidSize: string) =>
  (events: readonly FeedEvent[]): boolean =>
    spreadsOf(afterLive(events, id, n), id).some((s) => s.bidSize === bidSize) || (n === 1 && spreadsOf(events, id).some((s) => s.bidSize === bidSize));

function expectCounters(r: ReplayedFeeds, id: number, expected: Partial<FeedCounters>): void {
  expect(r.engine.feed(id)?.counters).toMatchObject(expected);
}

describe('Bitfinex faults through the replay server and the feed engine', () => {
  it('sequence gap: a SEQ_ALL number missing -> gap counted on every market of the socket, reconnect, both live again on connection 2', async () => {
    const c1 = new Conn(1_000, [BTC, ETH]).snapshot(BTC).snapshot(ETH).update(BTC, 1).update(ETH, 1).update(BTC, 2).update(ETH, 2).update(BTC, 3);
    const c2 = new Conn(9_000, [BTC, ETH], 3).snapshot(BTC, '7').snapshot(ETH, '7').update(BTC, 8).update(ETH, 8);
    // Frame with number 5 (ETH update 1) never arrives on connection 1.
    const r = await run({
      capture: [...c1.lines, ...c2.lines],
      markets: [BTC_MARKET, ETH_MARKET],
      faults: [{ kind: 'skip', connection: 1, frames: seqIs(4) }],
      until: (e) => reached(1, 2, sizeOf(8))(e) && reached(2, 2, sizeOf(8))(e),
    });
    try {
      expect(r.completed).toBe(true);
      for (const id of [1, 2]) {
        expect(states(r, id)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'syncing', 'live']);
        expect(statusStory(r.events, id)[3]![1]).toBe('connection sequence gap: expected 4, got 5');
        expectCounters(r, id, { gaps: 1, reconnects: 1, resyncs: 0, checksumFailures: 0, malformedFrames: 0, snapshots: 2 });
        expect(unsoundSpreads(r.events, id, { bothSides: true })).toEqual([]);
      }
      // Nothing of the frame with the gap was applied: ETH update 2 never reached the book.
      expect(spreadsOf(r.events, 2).some((s) => s.bidSize === sizeOf(2))).toBe(false);
      expect(r.server.connections).toBe(2);
      expect(r.engine.book(1)!.bestBid()).toEqual({ price: '100', size: sizeOf(8) });
      expect(r.engine.book(2)!.bestBid()).toEqual({ price: '2000', size: sizeOf(8) });
    } finally {
      await r.close();
    }
  });

  it('bad checksum: checksumFailures 1 on that market, its channels unsubscribed by chanId and subscribed again, live from a fresh snapshot; the other market untouched', async () => {
    // After the resync BTC's book and trades come on new channels (the venue numbers each subscription).
    const BTC2: Pair = { ...BTC, book: 41, trades: 42 };
    const bad = checksumOf(BTC, sizeOf(2));
    const c1 = new Conn(1_000, [BTC, ETH])
      .snapshot(BTC)
      .snapshot(ETH)
      .cs(BTC.book, checksumOf(BTC, '1'))
      .update(BTC, 1)
      .cs(BTC.book, checksumOf(BTC, sizeOf(1)))
      .update(ETH, 1)
      .update(BTC, 2)
      .cs(BTC.book, bad) // corrupted below
      .update(BTC, 3) // still on the old channel: no book takes it
      .raw(`{"event":"unsubscribed","status":"OK","chanId":${BTC.book}}`)
      .raw(`{"event":"unsubscribed","status":"OK","chanId":${BTC.trades}}`)
      .raw(JSON.stringify({ event: 'subscribed', channel: 'book', chanId: BTC2.book, symbol: BTC.symbol, prec: 'P0', freq: 'F0', len: '250', subId: '4', pair: 'BTCUSD' }))
      .raw(JSON.stringify({ event: 'subscribed', channel: 'trades', chanId: BTC2.trades, symbol: BTC.symbol, subId: '4', pair: 'BTCUSD' }))
      .snapshot(BTC2, '7')
      .cs(BTC2.book, checksumOf(BTC, '7'))
      .update(BTC2, 8)
      .cs(BTC2.book, checksumOf(BTC, sizeOf(8)))
      .update(ETH, 8);
    const r = await run({
      capture: c1.lines,
      markets: [BTC_MARKET, ETH_MARKET],
      faults: [{ kind: 'corrupt', connection: 1, frames: (f) => f.includes(`"cs",${bad},`), edit: (f) => f.replace(String(bad), String(bad + 1)) }],
      until: (e) => reached(1, 2, sizeOf(8))(e) && reached(2, 1, sizeOf(8))(e),
    });
    try {
      expect(r.completed).toBe(true);
      const btc = statusStory(r.events, 1);
      expect(btc.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'live']);
      expect(btc[3]![1]).toBe(`checksum mismatch: venue ${bad + 1}`);
      expectCounters(r, 1, { checksumFailures: 1, resyncs: 1, reconnects: 0, gaps: 0, malformedFrames: 0, snapshots: 2 });
      // The engine unsubscribed BTC's two channels by chanId and subscribed it again, on the same socket.
      // (Client frames are rate-limited: they may reach the server after the replay is over.)
      await vi.waitFor(
        () => {
          const sent = r.server.received.map((m) => m.data);
          expect(sent).toContain(`{"event":"unsubscribe","chanId":${BTC.book}}`);
          expect(sent).toContain(`{"event":"unsubscribe","chanId":${BTC.trades}}`);
        },
        { timeout: 5_000 },
      );
      expect(r.server.connections).toBe(1);
      // ETH shares the socket and was never disturbed.
      expect(states(r, 2)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r, 2, { checksumFailures: 0, resyncs: 0, reconnects: 0, gaps: 0, snapshots: 1 });
      // No Spread of BTC from the broken book (update 3 came after the mismatch).
      expect(spreadsOf(r.events, 1).some((s) => s.bidSize === sizeOf(3))).toBe(false);
      for (const id of [1, 2]) expect(unsoundSpreads(r.events, id, { bothSides: true })).toEqual([]);
      expect(r.engine.book(1)!.bestBid()).toEqual({ price: '100', size: sizeOf(8) });
    } finally {
      await r.close();
    }
  });

  it('info 20051 (server restarting): reconnect, live again on connection 2', async () => {
    const c1 = new Conn(1_000, [BTC]).snapshot(BTC).update(BTC, 1).raw('{"event":"info","code":20051,"msg":"Stopping. Please try to reconnect"}').update(BTC, 2);
    const c2 = new Conn(9_000, [BTC], 2).snapshot(BTC, '7').update(BTC, 8);
    const r = await run({ capture: [...c1.lines, ...c2.lines], until: reached(1, 2, sizeOf(8)) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'syncing', 'live']);
      expect(st[3]![1]).toBe('venue asked to reconnect: bitfinex info 20051 (server restarting): Stopping. Please try to reconnect');
      expectCounters(r, 1, { reconnects: 1, resyncs: 0, gaps: 0, venueErrors: 0, snapshots: 2 });
      expect(spreadsOf(r.events, 1).some((s) => s.bidSize === sizeOf(2))).toBe(false);
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('info 20060 then 20061 (maintenance): the start takes the market out of live (stale, no Spread) without a reconnect, the end reconnects and rebuilds the book', async () => {
    const c1 = new Conn(1_000, [BTC])
      .snapshot(BTC)
      .update(BTC, 1)
      .raw('{"event":"info","code":20060,"msg":"Entering maintenance mode. Please pause any activity and resume after receiving the info message 20061 (it should take 120 seconds at most)."}');
    // 2 s of maintenance (heartbeats 100 ms apart at speed 1): twice the resync watchdog's 1 s,
    // which must not reconnect into a venue that asked to wait. (At this pace the first snapshot
    // comes 500 ms after the open, well inside the watchdog's time.)
    for (let i = 0; i < 20; i++) c1.hb(BTC.book);
    c1.raw('{"event":"info","code":20061,"msg":"Maintenance ended. You can resume normal activity. It is advised to unsubscribe/subscribe again all channels."}')
      .update(BTC, 2);
    const c2 = new Conn(9_000, [BTC], 2).snapshot(BTC, '7').update(BTC, 8);
    const logger = collectingLogger();
    const r = await run({ capture: [...c1.lines, ...c2.lines], logger, pace: { speed: 1 }, timing: { resyncTimeoutMs: 1_000, livenessMs: 2_000 }, until: reached(1, 2, sizeOf(8)) });
    try {
      expect(r.completed).toBe(true);
      expect(r.server.connections).toBe(2);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'stale', 'resyncing', 'syncing', 'live']);
      expect(st[3]![1]).toMatch(/^venue paused: bitfinex info 20060 \(maintenance started, no data until it ends\): Entering maintenance mode/);
      expect(st[4]![1]).toMatch(/^venue asked to reconnect: bitfinex info 20061 \(maintenance ended\): Maintenance ended/);
      expect(logger.lines).toContainEqual(
        expect.objectContaining({ level: 'warn', message: 'venue paused the connection', fields: expect.objectContaining({ reason: expect.stringMatching(/^bitfinex info 20060 /), markets: [1] }) }),
      );
      // The notice is no error of the market's.
      expectCounters(r, 1, { venueErrors: 0, reconnects: 1, resyncs: 0, gaps: 0, snapshots: 2 });
      expect(spreadsOf(r.events, 1).some((s) => s.bidSize === sizeOf(2))).toBe(false);
      expect(r.engine.book(1)!.bestBid()).toEqual({ price: '100', size: sizeOf(8) });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('malformed frames: counted and logged, the markets of the socket resync (a channel frame names no symbol), the engine keeps running', async () => {
    const c1 = new Conn(1_000, [BTC]).snapshot(BTC).update(BTC, 1).update(BTC, 2).update(BTC, 3);
    const c2 = new Conn(9_000, [BTC], 2).snapshot(BTC, '7').update(BTC, 8);
    const logger = collectingLogger();
    const truncated = '[10,[100,2,';
    const r = await run({
      capture: [...c1.lines, ...c2.lines],
      logger,
      faults: [{ kind: 'inject', connection: 1, before: seqIs(3), text: truncated }],
      until: reached(1, 2, sizeOf(8)),
    });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'resyncing', 'resyncing', 'syncing', 'live']);
      expect(st[3]![1]).toBe(`malformed frame: bitfinex: frame is not JSON: ${JSON.stringify(truncated)}`);
      expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'malformed frame', fields: expect.objectContaining({ venue: 'bitfinex', frame: truncated, markets: [1] }) }));
      expectCounters(r, 1, { malformedFrames: 1, resyncs: 1, reconnects: 1, gaps: 0, snapshots: 2 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('a well-formed frame of the wrong shape (a level with a text amount) is malformed too', async () => {
    const c1 = new Conn(1_000, [BTC]).snapshot(BTC).update(BTC, 1).update(BTC, 2);
    const c2 = new Conn(9_000, [BTC], 2).snapshot(BTC, '7').update(BTC, 8);
    const r = await run({
      capture: [...c1.lines, ...c2.lines],
      faults: [{ kind: 'inject', connection: 1, before: seqIs(3), text: '[10,[100,2,"1.5"],3]' }],
      until: reached(1, 2, sizeOf(8)),
    });
    try {
      expect(r.completed).toBe(true);
      expect(statusStory(r.events, 1)[3]![1]).toMatch(/^malformed frame: bitfinex: book level is not \[PRICE, COUNT, AMOUNT\]/);
      expectCounters(r, 1, { malformedFrames: 1, resyncs: 1, reconnects: 1, snapshots: 2 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('heartbeats keep a quiet socket alive: no data but `hb` for 4 x livenessMs, no stale, no reconnect, the book untouched', async () => {
    const c1 = new Conn(1_000, [BTC]).snapshot(BTC).update(BTC, 1);
    for (let i = 0; i < 12; i++) c1.hb(BTC.book).hb(BTC.trades);
    c1.update(BTC, 2);
    // 100 ms between frames at speed 1: 24 heartbeats over 2.4 s, livenessMs 600.
    // (The snapshot comes 500 ms after the open at this pace: more than the other cases' resync timeout.)
    const r = await run({ capture: c1.lines, timing: { livenessMs: 600, resyncTimeoutMs: 5_000 }, pace: { speed: 1 }, until: reached(1, 1, sizeOf(2)) });
    try {
      expect(r.completed).toBe(true);
      expect(states(r, 1)).toEqual(['starting', 'syncing', 'live']);
      expectCounters(r, 1, { reconnects: 0, resyncs: 0, gaps: 0, malformedFrames: 0, snapshots: 1, deltas: 2 });
      expect(r.server.connections).toBe(1);
    } finally {
      await r.close();
    }
  });

  it('stall: no frame past livenessMs -> Status stale, a reconnect, live again on connection 2', async () => {
    const c1 = new Conn(1_000, [BTC]).snapshot(BTC).update(BTC, 1).update(BTC, 2);
    const c2 = new Conn(9_000, [BTC], 2).snapshot(BTC, '7').update(BTC, 8);
    // info, conf, 2 acks, snapshot, update 1: then silence.
    const r = await run({ capture: [...c1.lines, ...c2.lines], timing: { livenessMs: 300 }, faults: [{ kind: 'stall', connection: 1, afterFrames: 6 }], until: reached(1, 2, sizeOf(8)) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.map(([s]) => s)).toEqual(['starting', 'syncing', 'live', 'stale', 'syncing', 'live']);
      expect(st[3]![1]).toMatch(/^stale: no data for \d+ ms$/);
      expectCounters(r, 1, { reconnects: 1, resyncs: 0, gaps: 0, snapshots: 2 });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('subscribe refused (error 10300 with the subId): Status failed with the venue message, retried, then live', async () => {
    const c1 = new Conn(1_000, []).raw('{"event":"error","msg":"subscribe: dup","code":10300,"channel":"book","symbol":"tBTCUSD","subId":"1"}');
    const c2 = new Conn(9_000, [BTC], 2).snapshot(BTC, '7').update(BTC, 8);
    const logger = collectingLogger();
    const r = await run({ capture: [...c1.lines, ...c2.lines], logger, until: reached(1, 1, sizeOf(8)) });
    try {
      expect(r.completed).toBe(true);
      const st = statusStory(r.events, 1);
      expect(st.slice(0, 3)).toEqual([
        ['starting', ''],
        ['syncing', ''],
        ['failed', 'venue error: 10300 subscribe: dup'],
      ]);
      expect(st.at(-1)![0]).toBe('live');
      expect(logger.lines).toContainEqual(expect.objectContaining({ message: 'venue error', fields: expect.objectContaining({ request: 1, symbols: ['tBTCUSD'] }) }));
      expectCounters(r, 1, { venueErrors: 1 });
      expect(r.engine.book(1)!.bestBid()).toEqual({ price: '100', size: sizeOf(8) });
      expect(unsoundSpreads(r.events, 1, { bothSides: true })).toEqual([]);
    } finally {
      await r.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { Instrument, SyncRule, VenueAdapter } from './adapter.js';
import type { FeedEvent, SpreadEvent, StatusEvent } from './events.js';
import { MarketSync } from './market-sync.js';
import type { DeltaMessage, LevelUpdate, SnapshotMessage } from './messages.js';

const instrument: Instrument = {
  venue: 'test',
  type: 'spot',
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.01',
  trading: true,
  status: 'TRADING',
};

/** A venue that is only a sync rule (and, optionally, a check). */
function venue(rule: SyncRule, verify?: VenueAdapter['verify']): VenueAdapter {
  return {
    venue: 'test',
    marketTypes: ['spot'],
    urls: {},
    limits: { marketsPerConnection: 10, marketsPerRequest: 10, framesPerSecond: 10 },
    livenessMs: 1000,
    instrumentsUrl: () => '',
    parseInstruments: () => ({ instruments: [] }),
    endpoints: () => [],
    subscribe: () => [],
    unsubscribe: () => [],
    parse: () => [],
    sync: () => rule,
    ...(verify ? { verify } : {}),
  };
}

function market(rule: SyncRule, verify?: VenueAdapter['verify']) {
  const events: FeedEvent[] = [];
  const resyncs: string[] = [];
  let snapshotWanted = 0;
  let clock = 1_000_000;
  const sync = new MarketSync({
    marketId: 7,
    instrument,
    adapter: venue(rule, verify),
    emit: (e) => events.push(e),
    hooks: { resync: (r) => resyncs.push(r), snapshotWanted: () => (snapshotWanted += 1) },
    now: () => clock++,
    bufferLimit: 5,
  });
  sync.beginSync('syncing');
  return {
    sync,
    events,
    resyncs,
    spreads: () => events.filter((e): e is SpreadEvent => e.kind === 'spread'),
    states: () => events.filter((e): e is StatusEvent => e.kind === 'status').map((e) => e.state),
    snapshotWanted: () => snapshotWanted,
  };
}

const delta = (first: number, last: number, bids: LevelUpdate[], asks: LevelUpdate[] = [], prev?: number): DeltaMessage => ({
  kind: 'delta',
  symbol: 'BTCUSDT',
  first,
  last,
  bids,
  asks,
  time: 5_000_000 + last,
  ...(prev === undefined ? {} : { prev }),
});
const snapshot = (sequence: number | undefined, bids: LevelUpdate[], asks: LevelUpdate[]): SnapshotMessage => ({
  kind: 'snapshot',
  symbol: 'BTCUSDT',
  bids,
  asks,
  ...(sequence === undefined ? {} : { sequence }),
});

describe('REST snapshot, `next` rule (Binance spot)', () => {
  const rule: SyncRule = { snapshot: 'rest', sequence: 'next' };

  it('buffers deltas, asks for the snapshot once, and applies what follows it', () => {
    const m = market(rule);
    m.sync.onDelta(delta(99, 100, [['10.00', '1']]), 1);
    m.sync.onDelta(delta(101, 103, [['10.01', '2']]), 2);
    expect(m.snapshotWanted()).toBe(1);
    expect(m.spreads()).toHaveLength(0); // nothing published before the book exists

    expect(m.sync.offerSnapshot(snapshot(101, [['10.00', '1']], [['10.05', '3']]), 3)).toBe('live');
    // delta 99..100 is in the snapshot; 101..103 straddles 102 and applies.
    expect(m.sync.book.bestBid()).toEqual({ price: '10.01', size: '2' });
    expect(m.states()).toEqual(['starting', 'syncing', 'live']);
    expect(m.spreads().at(-1)).toMatchObject({ bidPrice: '10.01', bidSize: '2', askPrice: '10.05', midPrice: '10.03', marketId: 7 });

    m.sync.onDelta(delta(104, 104, [], [['10.02', '1.5']]), 4);
    expect(m.spreads().at(-1)).toMatchObject({ askPrice: '10.02', askSize: '1.5', midPrice: '10.015', exchangeTime: 5_000_104, receiveTime: 4 });
    expect(m.spreads().map((s) => s.sequence)).toEqual([1, 2]);
  });

  it('refuses a snapshot older than the buffered deltas', () => {
    const m = market(rule);
    m.sync.onDelta(delta(200, 205, [['10', '1']]), 1);
    expect(m.sync.offerSnapshot(snapshot(150, [['9', '1']], [['11', '1']]), 2)).toBe('too-old');
    expect(m.sync.live).toBe(false);
    expect(m.spreads()).toHaveLength(0);
  });

  it('a gap drops the book, says so, and publishes nothing until the next snapshot', () => {
    const m = market(rule);
    m.sync.onDelta(delta(11, 11, [['10', '1']]), 1);
    m.sync.offerSnapshot(snapshot(10, [['10', '1']], [['11', '1']]), 2);
    const published = m.spreads().length;
    m.sync.onDelta(delta(15, 16, [['10.5', '1']]), 3);
    expect(m.resyncs).toEqual(['sequence gap: expected 12, got 15..16']);
    expect(m.states().at(-1)).toBe('resyncing');
    expect(m.sync.counters).toMatchObject({ gaps: 1, resyncs: 1 });
    expect(m.sync.book.levelCount()).toBe(0);
    m.sync.onDelta(delta(17, 17, [['10.7', '1']]), 4); // buffered, not applied
    expect(m.spreads()).toHaveLength(published);
    expect(m.snapshotWanted()).toBe(2);
  });

  it('ignores deltas the book already has', () => {
    const m = market(rule);
    m.sync.offerSnapshot(snapshot(50, [['10', '1']], [['11', '1']]), 1);
    m.sync.onDelta(delta(40, 50, [['10', '9']]), 2);
    expect(m.sync.book.bestBid()).toEqual({ price: '10', size: '1' });
    expect(m.resyncs).toEqual([]);
  });

  it('a full buffer resyncs instead of growing', () => {
    const m = market(rule);
    for (let i = 1; i <= 6; i++) m.sync.onDelta(delta(i, i, [['10', String(i)]]), i);
    expect(m.sync.counters.bufferOverflows).toBe(1);
    expect(m.resyncs[0]).toMatch(/buffer full/);
  });
});

describe('REST snapshot, `previous` rule (Binance futures `pu`)', () => {
  const rule: SyncRule = { snapshot: 'rest', sequence: 'previous' };

  it('the first delta must contain the snapshot id, then each names its predecessor', () => {
    const m = market(rule);
    m.sync.onDelta(delta(90, 95, [['1', '1']], [], 80), 1);
    m.sync.onDelta(delta(96, 120, [['2', '1']], [], 95), 2);
    expect(m.sync.offerSnapshot(snapshot(100, [['1', '1']], [['3', '1']]), 3)).toBe('live');
    expect(m.sync.book.bestBid()?.price).toBe('2');
    m.sync.onDelta(delta(150, 160, [['2.5', '1']], [], 120), 4);
    expect(m.sync.book.bestBid()?.price).toBe('2.5');
    m.sync.onDelta(delta(170, 180, [['2.6', '1']], [], 165), 5);
    expect(m.resyncs).toEqual(['sequence gap: expected previous 160, got 165']);
  });

  it('a snapshot the buffered deltas do not reach back to is too old', () => {
    const m = market(rule);
    m.sync.onDelta(delta(130, 140, [['1', '1']], [], 120), 1);
    expect(m.sync.offerSnapshot(snapshot(100, [['1', '1']], [['3', '1']]), 2)).toBe('too-old');
  });
});

describe('in-band snapshots, `next` rule (Bybit)', () => {
  const rule: SyncRule = { snapshot: 'message', sequence: 'next', depth: 3 };

  it('drops deltas before the snapshot, trims to depth, and replaces the book on every snapshot', () => {
    const m = market(rule);
    m.sync.onDelta(delta(5, 5, [['1', '1']]), 1);
    expect(m.sync.book.levelCount()).toBe(0);
    m.sync.onSnapshot(snapshot(5, [['10', '1'], ['9', '1'], ['8', '1']], [['11', '1']]), 2);
    m.sync.onDelta(delta(6, 6, [['9.5', '1']]), 3); // four bids: the worst leaves the window
    expect(m.sync.book.top('bid', 5).map((l) => l.price)).toEqual(['10', '9.5', '9']);
    m.sync.onDelta(delta(6, 6, [['10', '7']]), 4); // duplicate: ignored
    expect(m.sync.book.bestBid()?.size).toBe('1');
    m.sync.onSnapshot(snapshot(1, [['20', '1']], [['21', '1']]), 5); // venue restart (u = 1)
    expect(m.sync.book.levelCount()).toBe(2);
    m.sync.onDelta(delta(2, 2, [['20.5', '1']]), 6);
    expect(m.sync.book.bestBid()?.price).toBe('20.5');
    expect(m.resyncs).toEqual([]);
  });
});

describe('integrity checks', () => {
  it('a crossed book resyncs', () => {
    const m = market({ snapshot: 'message', sequence: 'none' });
    m.sync.onSnapshot(snapshot(undefined, [['10', '1']], [['11', '1']]), 1);
    m.sync.onDelta(delta(0, 0, [['11.5', '1']]), 2);
    expect(m.resyncs).toEqual(['crossed book: bid 11.5 >= ask 11']);
    expect(m.sync.counters.crossedBooks).toBe(1);
    expect(m.spreads().every((s) => s.bidPrice === '10')).toBe(true);
  });

  it('a failed venue check resyncs; a passing one does not', () => {
    const verify = (book: { bestBid(): { price: string } | undefined }, check: number | string) => book.bestBid()?.price === check;
    const m = market({ snapshot: 'message', sequence: 'none' }, verify as VenueAdapter['verify']);
    m.sync.onSnapshot({ ...snapshot(undefined, [['10', '1']], [['11', '1']]), check: '10' }, 1);
    m.sync.onCheck('10');
    expect(m.resyncs).toEqual([]);
    m.sync.onCheck('9');
    expect(m.resyncs).toEqual(['checksum mismatch: venue 9']);
    expect(m.sync.counters.checksumFailures).toBe(1);
  });

  it('id-based levels: updates find their price by id; an unknown id resyncs', () => {
    const m = market({ snapshot: 'message', sequence: 'none', levelIds: true });
    m.sync.onSnapshot(snapshot(undefined, [['10', '1', 'a']], [['11', '1', 'b']]), 1);
    m.sync.onDelta(delta(0, 0, [['', '5', 'a']]), 2);
    expect(m.sync.book.bestBid()).toEqual({ price: '10', size: '5' });
    m.sync.onDelta(delta(0, 0, [], [['', '0', 'b']]), 3);
    expect(m.sync.book.bestAsk()).toBeUndefined();
    expect(m.spreads().at(-1)).toMatchObject({ askPrice: null, midPrice: null });
    m.sync.onDelta(delta(0, 0, [], [['', '2', 'zz']]), 4);
    expect(m.resyncs).toEqual(['malformed frame: delta: unknown level id zz']);
  });

  it('id-based levels: an insert of a known id at another price resyncs (its delete was lost)', () => {
    const m = market({ snapshot: 'message', sequence: 'none', levelIds: true });
    m.sync.onSnapshot(snapshot(undefined, [['10', '1', 'a']], [['11', '1', 'b']]), 1);
    m.sync.onDelta(delta(0, 0, [['10', '3', 'a']]), 2); // the same id at its own price: an update
    expect(m.sync.book.bestBid()).toEqual({ price: '10', size: '3' });
    m.sync.onDelta(delta(0, 0, [['9.5', '2', 'a']]), 3);
    expect(m.resyncs).toEqual(['malformed frame: delta: level id a at 9.5, but the book has it at 10']);
  });

  it('the venue top of book is compared when it describes the same book version', () => {
    const m = market({ snapshot: 'message', sequence: 'next' });
    m.sync.onSnapshot(snapshot(10, [['10', '1']], [['11', '2']]), 1);
    m.sync.onTop({ kind: 'top', symbol: 'BTCUSDT', bid: ['10.0', '1.00'], ask: ['11', '2'], sequence: 10 });
    m.sync.onTop({ kind: 'top', symbol: 'BTCUSDT', bid: ['9', '1'], ask: ['11', '2'], sequence: 9 }); // another version: skipped
    expect(m.sync.counters).toMatchObject({ topChecks: 1, topMismatches: 0 });
    m.sync.onTop({ kind: 'top', symbol: 'BTCUSDT', bid: ['10', '3'], ask: ['11', '2'], sequence: 10 });
    expect(m.sync.counters.topMismatches).toBe(1);
    expect(m.resyncs).toHaveLength(1);
  });

  it('text that is not a decimal resyncs the market and changes no published top', () => {
    const m = market({ snapshot: 'message', sequence: 'none' });
    m.sync.onSnapshot(snapshot(undefined, [['10', '1']], [['11', '1']]), 1);
    m.sync.onDelta(delta(0, 0, [['10.5', 'NaN']]), 2);
    expect(m.sync.counters.malformedFrames).toBe(1);
    expect(m.resyncs[0]).toMatch(/^malformed frame: delta: /);
    expect(m.spreads()).toHaveLength(1);
  });
});

describe('other snapshot sources', () => {
  it('`time` rule: the oldest buffered delta must be at or before the snapshot (Bitstamp)', () => {
    const m = market({ snapshot: 'rest', sequence: 'time' });
    m.sync.onDelta(delta(1000, 1000, [['10', '1']]), 1);
    m.sync.onDelta(delta(2000, 2000, [['10.5', '1']]), 2);
    expect(m.sync.offerSnapshot(snapshot(1500, [['10', '1']], [['11', '1']]), 3)).toBe('live');
    expect(m.sync.book.bestBid()?.price).toBe('10.5');

    const late = market({ snapshot: 'rest', sequence: 'time' });
    late.sync.onDelta(delta(2000, 2000, [['10.5', '1']]), 1);
    expect(late.sync.offerSnapshot(snapshot(1500, [['10', '1']], [['11', '1']]), 2)).toBe('too-old');
  });

  it('`first-delta`: the first delta after subscribe is the book (Gemini)', () => {
    const m = market({ snapshot: 'first-delta', sequence: 'next' });
    m.sync.onDelta(delta(1, 10, [['10', '1']], [['11', '1']]), 1);
    expect(m.sync.live).toBe(true);
    m.sync.onDelta(delta(11, 12, [['10', '2']]), 2);
    expect(m.sync.book.bestBid()?.size).toBe('2');
  });

  it('trades pass through with the taker side and their own sequence', () => {
    const m = market({ snapshot: 'message', sequence: 'none' });
    m.sync.onTrade({ kind: 'trade', symbol: 'BTCUSDT', id: 't1', side: 'sell', price: '10.00', size: '0.5', time: 42 }, 43);
    expect(m.events.at(-1)).toEqual({
      kind: 'trade', marketId: 7, venue: 'test', marketType: 'spot', symbol: 'BTCUSDT',
      tradeId: 't1', side: 'sell', price: '10.00', size: '0.5', exchangeTime: 42, receiveTime: 43, sequence: 1,
    });
  });
});

import { compareDecimal, midPrice, OrderBook } from '@level4/orderbook';
import type { Instrument, SyncRule, VenueAdapter } from './adapter.js';
import { emptyCounters, type FeedCounters, type FeedEvent, type FeedState, type MarketRef } from './events.js';
import type { CheckMessage, DeltaMessage, LevelUpdate, SnapshotMessage, TopMessage, TradeMessage } from './messages.js';

/** The messages that belong to one market. */
export type MarketMessage = SnapshotMessage | DeltaMessage | TradeMessage | TopMessage | CheckMessage;

/** What the engine does for a market that lost sync. */
export interface MarketSyncHooks {
  /** The book broke (gap, checksum, crossed, ...): get a fresh snapshot for this market only. */
  resync(reason: string): void;
  /** A REST market buffered its first delta: time to fetch the snapshot. */
  snapshotWanted(): void;
  /** The market dropped its book and waits for a new snapshot: a fetch still in flight is for the old one. */
  syncRestarted?(): void;
}

export interface MarketSyncOptions {
  readonly marketId: number;
  readonly instrument: Instrument;
  readonly adapter: VenueAdapter;
  readonly emit: (event: FeedEvent) => void;
  readonly hooks: MarketSyncHooks;
  readonly node?: string;
  /** The host's owner epoch of the feed, on every Status (default 0). */
  readonly epoch?: number;
  /** Deltas kept while waiting for a snapshot; past it the market resyncs. */
  readonly bufferLimit?: number;
  readonly now: () => number;
}

/** Outcome of offering a REST snapshot to a market. */
export type SnapshotOutcome = 'live' | 'too-old' | 'waiting' | 'ignored';

const ZERO = /^[0.]*$/;

/**
 * One market's book and its sync state: buffering, sequence chaining, checks, and the events they
 * produce. No I/O: the engine feeds it messages and performs what the hooks ask for. It is the
 * part of the engine a venue's rules live in, so it can be driven frame by frame in tests and
 * benchmarks.
 */
export class MarketSync {
  readonly ref: MarketRef;
  readonly instrument: Instrument;
  readonly rule: SyncRule;
  readonly book: OrderBook;
  readonly counters: FeedCounters = emptyCounters();
  private readonly adapter: VenueAdapter;
  private readonly emit: (event: FeedEvent) => void;
  private readonly hooks: MarketSyncHooks;
  private readonly node: string;
  readonly epoch: number;
  private readonly bufferLimit: number;
  private readonly now: () => number;

  private stateValue: FeedState = 'stopped';
  private reasonValue = '';
  private since: number;
  /** Waiting for a snapshot (nothing is published); `false` once live. */
  private awaiting = true;
  /** Sequence of the book: the `last` of the last applied message. */
  private last: number | undefined;
  /** The sequence of the installed snapshot (the `time` rule drops what it already holds). */
  private snapshotSequence: number | undefined;
  /** Next delta is the first after a REST snapshot: it must straddle the snapshot's id. */
  private bridging = false;
  private buffer: DeltaMessage[] = [];
  private pendingTops: TopMessage[] = [];
  private snapshotRequested = false;
  /** Level id -> price, for venues that update and delete levels by id (BitMEX). */
  private readonly ids: Map<string, string> | undefined;
  private spreadSeq = 0;
  private tradeSeq = 0;
  private statusSeq = 0;
  private bidPrice: string | null = null;
  private bidSize: string | null = null;
  private askPrice: string | null = null;
  private askSize: string | null = null;

  constructor(options: MarketSyncOptions) {
    this.instrument = options.instrument;
    this.adapter = options.adapter;
    this.rule = options.adapter.sync(options.instrument.type);
    this.ref = {
      marketId: options.marketId,
      venue: options.instrument.venue,
      marketType: options.instrument.type,
      symbol: options.instrument.symbol,
    };
    // A venue's top-N window changes one message at a time: trim after the message, not per level.
    this.book = new OrderBook(this.rule.depth === undefined ? {} : { depth: this.rule.depth, deferTrim: true });
    this.ids = this.rule.levelIds ? new Map() : undefined;
    this.emit = options.emit;
    this.hooks = options.hooks;
    this.node = options.node ?? '';
    this.epoch = options.epoch ?? 0;
    this.bufferLimit = options.bufferLimit ?? 10_000;
    this.now = options.now;
    this.since = this.now();
    this.setState('starting');
  }

  get state(): FeedState {
    return this.stateValue;
  }
  get reason(): string {
    return this.reasonValue;
  }
  /** When the state last changed, µs. */
  get stateSince(): number {
    return this.since;
  }
  get live(): boolean {
    return !this.awaiting && this.stateValue === 'live';
  }
  /** The book's sequence (the venue's id of the last applied change). */
  get sequence(): number | undefined {
    return this.last;
  }

  /** Publishes a state change (no event when nothing changed). */
  setState(state: FeedState, reason = ''): void {
    if (state === this.stateValue && reason === this.reasonValue) return;
    this.stateValue = state;
    this.reasonValue = reason;
    this.since = this.now();
    this.statusSeq += 1;
    this.emit({ kind: 'status', ...this.ref, state, reason, node: this.node, epoch: this.epoch, time: this.since, sequence: this.statusSeq });
  }

  /**
   * Forget the book and wait for a new snapshot (after subscribe, reconnect or resync). Publishes
   * `state` (syncing, resyncing, stale) with the reason.
   */
  beginSync(state: FeedState, reason = ''): void {
    this.awaiting = true;
    this.bridging = false;
    this.last = undefined;
    this.buffer = [];
    this.pendingTops = [];
    this.snapshotRequested = false;
    this.book.clear();
    this.ids?.clear();
    this.hooks.syncRestarted?.();
    this.setState(state, reason);
  }

  /** An integrity failure: count it, drop the book, say so, ask the engine for a fresh snapshot. */
  fail(counter: keyof FeedCounters | undefined, reason: string): void {
    if (counter) this.counters[counter] += 1;
    this.counters.resyncs += 1;
    this.beginSync('resyncing', reason);
    this.hooks.resync(reason);
  }

  /** A frame for this market could not be read: counted, and the book is resynced (it may have missed data). */
  malformed(reason: string): void {
    this.counters.malformedFrames += 1;
    this.fail(undefined, `malformed frame: ${reason}`);
  }

  /** A book or trade message routed to this market (what a socket delivers). */
  onMessage(message: MarketMessage, receiveTime: number): void {
    switch (message.kind) {
      case 'delta':
        return this.onDelta(message, receiveTime);
      case 'snapshot':
        return this.onSnapshot(message, receiveTime);
      case 'trade':
        return this.onTrade(message, receiveTime);
      case 'top':
        return this.onTop(message);
      case 'check':
        return this.onCheck(message.check);
    }
  }

  onSnapshot(message: SnapshotMessage, receiveTime: number): void {
    this.counters.messages += 1;
    if (this.stateValue === 'stopped') return;
    this.counters.snapshots += 1;
    if (this.rule.snapshot === 'rest') {
      // A REST venue that also pushes snapshots on the socket: treat like a fetched one.
      this.offerSnapshot(message, receiveTime);
      return;
    }
    this.install(message, receiveTime, false);
  }

  /** A snapshot fetched over REST. */
  offerSnapshot(message: SnapshotMessage, receiveTime: number): SnapshotOutcome {
    if (this.stateValue === 'stopped' || !this.awaiting) return 'ignored';
    const s = message.sequence;
    const rule = this.rule.sequence;
    if (s !== undefined && rule !== 'none') {
      // Drop what the snapshot already holds.
      const keep = rule === 'previous' ? (d: DeltaMessage) => (d.last ?? 0) >= s : (d: DeltaMessage) => (d.last ?? 0) > s;
      const bufferedBefore = this.buffer.length;
      this.buffer = this.buffer.filter(keep);
      if (rule === 'time') {
        // Overlap proof: a buffered delta at or before the snapshot (one the filter dropped).
        if (bufferedBefore === this.buffer.length) return this.tooOld();
      } else {
        const first = this.buffer[0];
        // The first delta after the snapshot must reach back to it (else changes were missed).
        if (first !== undefined) {
          const firstId = first.first ?? first.last ?? 0;
          const ok = rule === 'previous' ? firstId <= s : firstId <= s + 1;
          if (!ok) return this.tooOld();
        }
      }
    }
    const buffered = this.buffer;
    this.buffer = [];
    // Only the `previous` rule lets the first delta after a REST snapshot start before it.
    this.install(message, receiveTime, s !== undefined && rule === 'previous', buffered.length === 0);
    let lastTime = message.time ?? receiveTime;
    for (const delta of buffered) {
      if (this.awaiting) break;
      this.onDelta(delta, receiveTime, true);
      lastTime = delta.time ?? lastTime;
    }
    if (this.awaiting) return 'waiting';
    // One Spread for the book as it stands after the buffer, not one per buffered delta.
    this.publishTop(lastTime, receiveTime);
    return 'live';
  }

  private tooOld(): SnapshotOutcome {
    this.snapshotRequested = false;
    return 'too-old';
  }

  private install(message: SnapshotMessage, receiveTime: number, bridging: boolean, publish = true): void {
    try {
      this.ids?.clear();
      if (this.ids) {
        this.book.clear();
        this.applyLevels(message.bids, 'bid');
        this.applyLevels(message.asks, 'ask');
      } else {
        this.book.applySnapshot(message);
      }
      this.book.trim();
    } catch (error) {
      this.malformed(`snapshot: ${(error as Error).message}`);
      return;
    }
    this.last = message.sequence;
    this.snapshotSequence = message.sequence;
    this.bridging = bridging;
    this.awaiting = false;
    if (!this.checkBook(message.check)) return;
    this.setState('live');
    if (publish) this.publishTop(message.time ?? receiveTime, receiveTime);
  }

  onDelta(message: DeltaMessage, receiveTime: number, fromBuffer = false): void {
    if (!fromBuffer) this.counters.messages += 1;
    if (this.stateValue === 'stopped') return;
    if (this.awaiting) {
      if (this.rule.snapshot === 'rest') this.bufferDelta(message);
      else if (this.rule.snapshot === 'first-delta' && this.stateValue !== 'starting') {
        this.counters.snapshots += 1;
        this.install({ kind: 'snapshot', symbol: message.symbol, bids: message.bids, asks: message.asks, sequence: message.last, time: message.time, check: message.check }, receiveTime, false);
      }
      // `message` venues: deltas before the snapshot belong to no book (BitMEX, bitFlyer say drop them).
      return;
    }
    if (!this.chains(message)) return;
    this.counters.deltas += 1;
    try {
      this.applyLevels(message.bids, 'bid');
      this.applyLevels(message.asks, 'ask');
      this.book.trim();
    } catch (error) {
      this.malformed(`delta: ${(error as Error).message}`);
      return;
    }
    if (message.last !== undefined) this.last = message.last;
    if (!this.checkBook(message.check)) return;
    if (this.pendingTops.length > 0) this.settleTops();
    if (!fromBuffer) this.publishTop(message.time ?? receiveTime, receiveTime);
  }

  /** Sequence rule: true = apply; false = dropped (stale) or the market went to resync (gap). */
  private chains(d: DeltaMessage): boolean {
    const last = this.last;
    const rule = this.rule.sequence;
    if (rule === 'none' || last === undefined || d.last === undefined) return true;
    if (rule === 'time') {
      // Bitstamp: what the snapshot holds is dropped; after that every diff applies, several may
      // share a microsecond, and only an older one than the last is already in the book.
      if (this.snapshotSequence !== undefined && d.last <= this.snapshotSequence) return false;
      return d.last >= last;
    }
    if (rule === 'next') {
      if (d.last <= last) return false; // already in the book
      const first = d.first ?? d.last;
      if (first > last + 1) {
        this.fail('gaps', `sequence gap: expected ${last + 1}, got ${first}..${d.last}`);
        return false;
      }
      return true;
    }
    // previous
    if (this.bridging) {
      if (d.last < last) return false;
      const first = d.first ?? d.last;
      if (first > last) {
        this.fail('gaps', `sequence gap: snapshot ${last} not covered, first delta ${first}..${d.last}`);
        return false;
      }
      this.bridging = false;
      return true;
    }
    if (d.prev === last) return true;
    if (d.last <= last) return false;
    this.fail('gaps', `sequence gap: expected previous ${last}, got ${String(d.prev)}`);
    return false;
  }

  private bufferDelta(message: DeltaMessage): void {
    if (this.buffer.length >= this.bufferLimit) {
      this.counters.bufferOverflows += 1;
      this.fail(undefined, `snapshot buffer full (${this.bufferLimit} deltas)`);
      return;
    }
    this.buffer.push(message);
    if (!this.snapshotRequested) {
      this.snapshotRequested = true;
      this.hooks.snapshotWanted();
    }
  }

  private applyLevels(levels: readonly LevelUpdate[], side: 'bid' | 'ask'): void {
    const book = this.book;
    const ids = this.ids;
    if (ids === undefined) {
      for (let i = 0; i < levels.length; i++) {
        const level = levels[i] as LevelUpdate;
        book.applyDelta(side, level[0], level[1]);
      }
      return;
    }
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i] as LevelUpdate;
      const id = level[2];
      let price = level[0];
      const size = level[1];
      if (id !== undefined) {
        const known = ids.get(id);
        if (price === '') {
          if (known === undefined) throw new RangeError(`unknown level id ${id}`);
          price = known;
        } else if (known !== undefined && known !== price) {
          // A level id names one price for its life (BitMEX): the same id elsewhere means a lost delete.
          throw new RangeError(`level id ${id} at ${price}, but the book has it at ${known}`);
        }
        if (size === '0' || ZERO.test(size)) ids.delete(id);
        else if (known !== price) ids.set(id, price);
      }
      book.applyDelta(side, price, size);
    }
  }

  /** Crossed book and venue check value; false = the market went to resync. */
  private checkBook(check: number | string | undefined): boolean {
    if (this.book.isCrossed()) {
      const bid = this.book.bestBid()?.price;
      const ask = this.book.bestAsk()?.price;
      this.fail('crossedBooks', `crossed book: bid ${bid} >= ask ${ask}`);
      return false;
    }
    if (check !== undefined && this.adapter.verify && !this.adapter.verify(this.book, check, this.instrument)) {
      this.fail('checksumFailures', `checksum mismatch: venue ${String(check)}`);
      return false;
    }
    return true;
  }

  /** A check value on its own (Bitfinex `cs`). */
  onCheck(check: number | string): void {
    this.counters.messages += 1;
    if (this.awaiting || this.stateValue === 'stopped') return;
    this.checkBook(check);
  }

  /**
   * The venue's own top of book. With a sequence it describes one book version: compared when the
   * book is at that version, held (a few, in order) while the book has not reached it yet — the
   * venue's real-time ticker often runs ahead of its batched depth stream — and dropped once the
   * book has passed it. Without a sequence it is compared at once.
   */
  onTop(message: TopMessage): void {
    this.counters.messages += 1;
    if (this.awaiting || this.stateValue === 'stopped') return;
    const sequence = message.sequence;
    if (sequence === undefined || sequence === this.last) {
      this.compareTop(message);
      return;
    }
    if (this.last !== undefined && sequence > this.last) {
      if (this.pendingTops.length >= 64) this.pendingTops.shift();
      this.pendingTops.push(message);
    }
  }

  /** Compares held venue tops with the book now at `this.last`. */
  private settleTops(): void {
    const last = this.last;
    if (last === undefined) return;
    while (this.pendingTops.length > 0 && !this.awaiting) {
      const top = this.pendingTops[0] as TopMessage;
      if ((top.sequence ?? 0) > last) return;
      this.pendingTops.shift();
      if (top.sequence === last) this.compareTop(top);
    }
  }

  private compareTop(message: TopMessage): void {
    this.counters.topChecks += 1;
    const bid = this.book.bestBid();
    const ask = this.book.bestAsk();
    const same = (venue: readonly [string, string] | undefined, ours: { price: string; size: string } | undefined) =>
      venue === undefined || (ours !== undefined && compareDecimal(venue[0], ours.price) === 0 && compareDecimal(venue[1], ours.size) === 0);
    if (same(message.bid, bid) && same(message.ask, ask)) return;
    this.counters.topMismatches += 1;
    // Without a sequence the venue's top may describe a slightly different moment: count only.
    if (message.sequence !== undefined) {
      const shown = `${message.bid?.join('@') ?? '-'} / ${message.ask?.join('@') ?? '-'}`;
      this.fail(undefined, `venue top of book ${shown} disagrees with the book at ${this.last}`);
    }
  }

  onTrade(message: TradeMessage, receiveTime: number): void {
    this.counters.messages += 1;
    if (this.stateValue === 'stopped' || this.stateValue === 'starting') return;
    this.counters.trades += 1;
    this.tradeSeq += 1;
    this.emit({
      kind: 'trade',
      ...this.ref,
      tradeId: message.id,
      side: message.side,
      price: message.price,
      size: message.size,
      exchangeTime: message.time,
      receiveTime,
      sequence: this.tradeSeq,
    });
  }

  /** Emits a Spread when the best bid or ask (price or size) differs from the last one published. */
  private publishTop(exchangeTime: number, receiveTime: number): void {
    const bid = this.book.bestBid();
    const ask = this.book.bestAsk();
    const bidPrice = bid?.price ?? null;
    const bidSize = bid?.size ?? null;
    const askPrice = ask?.price ?? null;
    const askSize = ask?.size ?? null;
    if (bidPrice === this.bidPrice && bidSize === this.bidSize && askPrice === this.askPrice && askSize === this.askSize) return;
    this.bidPrice = bidPrice;
    this.bidSize = bidSize;
    this.askPrice = askPrice;
    this.askSize = askSize;
    this.spreadSeq += 1;
    this.counters.spreads += 1;
    this.emit({
      kind: 'spread',
      ...this.ref,
      bidPrice,
      bidSize,
      askPrice,
      askSize,
      midPrice: bidPrice !== null && askPrice !== null ? midPrice(bidPrice, askPrice) : null,
      exchangeTime,
      receiveTime,
      sequence: this.spreadSeq,
    });
  }
}

import type { OrderBook } from '@level4/orderbook';
import type { Instrument, MarketSpec, MarketType, VenueAdapter } from './adapter.js';
import { Backoff } from './backoff.js';
import { Connection, type ConnectionTiming } from './connection.js';
import type { FeedCounters, FeedEvent, FeedState } from './events.js';
import { getText, HttpError } from './http.js';
import { MarketError, resolveInstrument } from './instrument.js';
import { stderrLogger, type FeedLogger } from './logger.js';
import { MarketSync } from './market-sync.js';
import { nowMicros } from './time.js';

/** A market to run, under the operator's numeric id (its Kafka partition). */
export interface FeedSpec extends MarketSpec {
  readonly id: number;
  /** Skip the instrument list lookup (the caller resolved it already). */
  readonly instrument?: Instrument;
  /** The host's owner epoch (a cluster's fencing token), carried on every Status event. Default 0. */
  readonly epoch?: number;
}

export interface FeedInfo {
  readonly id: number;
  readonly market: MarketSpec;
  readonly instrument: Instrument;
  readonly state: FeedState;
  readonly reason: string;
  /** When the state last changed, µs since epoch. */
  readonly since: number;
  /** The venue's sequence of the book, when it has one. */
  readonly sequence: number | undefined;
  readonly counters: Readonly<FeedCounters>;
  /** The owner epoch the feed was started with (0 outside a cluster). */
  readonly epoch: number;
}

export interface EngineTiming extends ConnectionTiming {
  /** A market not live this long after losing sync gets a new connection (in-band) or a new fetch (REST). */
  readonly resyncTimeoutMs: number;
  readonly httpTimeoutMs: number;
  /** How long an instrument list is reused. */
  readonly instrumentsTtlMs: number;
}

export const DEFAULT_TIMING: EngineTiming = {
  reconnectMinMs: 250,
  reconnectMaxMs: 30_000,
  subscribeRetryMs: 5_000,
  resyncTimeoutMs: 15_000,
  httpTimeoutMs: 10_000,
  instrumentsTtlMs: 10 * 60_000,
};

export interface FeedEngineOptions {
  readonly adapters: readonly VenueAdapter[];
  /** Receives every Spread, Trade and Status event, synchronously, in order per market. */
  readonly onEvent: (event: FeedEvent) => void;
  /** Node name put in Status events. */
  readonly node?: string;
  readonly logger?: FeedLogger;
  readonly timing?: Partial<EngineTiming>;
  /** Deltas buffered per market while its snapshot is fetched (default 10,000). */
  readonly bufferLimit?: number;
}

export type FeedErrorCode = 'invalid-market' | 'already-running' | 'not-found' | 'unavailable';

/** A start/stop the engine refuses; `code` maps to an API status (INVALID_ARGUMENT, ALREADY_EXISTS, ...). */
/** How long a venue's pause (maintenance) is waited out before the watchdog reconnects anyway. */
const MAX_PAUSE_MS = 10 * 60_000;

export class FeedError extends Error {
  override readonly name = 'FeedError';
  constructor(
    readonly code: FeedErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The feed engine: runs markets of any venue with an adapter. It resolves each market against
 * the venue's instrument list, packs markets onto shared connections, syncs books (in-band or REST
 * snapshots), checks integrity, resyncs a broken market on its own, and reports Spread, Trade and
 * Status events.
 *
 * ```ts
 * const engine = new FeedEngine({ adapters: [binance], onEvent: (e) => console.log(e) });
 * await engine.start({ id: 1, venue: 'binance', type: 'spot', base: 'BTC', quote: 'USDT' });
 * ```
 */
export class FeedEngine {
  private readonly adapters = new Map<string, VenueAdapter>();
  private readonly feeds = new Map<number, Feed>();
  private readonly starting = new Set<number>();
  private readonly connections = new Map<string, Connection[]>();
  private readonly instrumentLists = new Map<string, { at: number; list: Promise<readonly Instrument[]> }>();
  private readonly onEvent: (event: FeedEvent) => void;
  private readonly node: string;
  private readonly log: FeedLogger;
  readonly timing: EngineTiming;
  private readonly bufferLimit: number | undefined;
  private closed = false;
  private readonly refreshTimer: NodeJS.Timeout;

  constructor(options: FeedEngineOptions) {
    for (const adapter of options.adapters) this.adapters.set(adapter.venue, adapter);
    this.onEvent = options.onEvent;
    this.node = options.node ?? '';
    this.log = options.logger ?? stderrLogger;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.bufferLimit = options.bufferLimit;
    this.refreshTimer = setInterval(() => void this.refreshInstruments(), this.timing.instrumentsTtlMs);
    this.refreshTimer.unref();
  }

  /** Venues this engine can run, with their market types. */
  venues(): { venue: string; marketTypes: readonly MarketType[] }[] {
    return [...this.adapters.values()].map((a) => ({ venue: a.venue, marketTypes: a.marketTypes }));
  }

  /**
   * Starts a market. Resolves once it is subscribed (not once live: watch its Status events).
   * Throws FeedError: `invalid-market` (unknown venue/type, ambiguous or halted instrument),
   * `not-found` (the venue lists no such instrument),
   * `already-running` (the id, or the same venue market under another id), `unavailable`
   * (the venue's instrument list could not be fetched).
   */
  async start(spec: FeedSpec): Promise<FeedInfo> {
    if (this.closed) throw new FeedError('unavailable', 'the feed engine is closed');
    if (!Number.isSafeInteger(spec.id) || spec.id < 0) {
      throw new FeedError('invalid-market', `market id must be a non-negative integer, got ${String(spec.id)}`);
    }
    if (this.feeds.has(spec.id) || this.starting.has(spec.id)) {
      throw new FeedError('already-running', `market id ${spec.id} is already running`);
    }
    const adapter = this.adapterFor(spec);
    this.starting.add(spec.id);
    try {
      const instrument = spec.instrument ?? (await this.resolve(spec));
      for (const feed of this.feeds.values()) {
        const i = feed.sync.instrument;
        if (i.venue === instrument.venue && i.type === instrument.type && i.symbol === instrument.symbol) {
          throw new FeedError('already-running', `${i.venue} ${i.type} ${i.symbol} is already running as market id ${feed.id}`);
        }
      }
      if (this.closed) throw new FeedError('unavailable', 'the feed engine is closed');
      const feed = new Feed(
        { timing: this.timing, log: this.log, node: this.node, bufferLimit: this.bufferLimit, emit: this.emit },
        adapter,
        spec,
        instrument,
      );
      this.feeds.set(spec.id, feed);
      this.attach(feed);
      return feed.info();
    } finally {
      this.starting.delete(spec.id);
    }
  }

  /**
   * The instrument a market spec names, from the venue's (cached) instrument list, without starting
   * anything: a caller can check a market before it commits resources to it. Throws FeedError like
   * `start`.
   */
  async resolve(spec: MarketSpec): Promise<Instrument> {
    const adapter = this.adapterFor(spec);
    try {
      return resolveInstrument(await this.instruments(adapter, spec.type), spec);
    } catch (error) {
      if (error instanceof MarketError) throw new FeedError(error.reason === 'not-listed' ? 'not-found' : 'invalid-market', error.message);
      throw error;
    }
  }

  private adapterFor(spec: MarketSpec): VenueAdapter {
    const adapter = this.adapters.get(spec.venue);
    if (!adapter) {
      const known = [...this.adapters.keys()].join(', ');
      throw new FeedError('invalid-market', `unknown venue ${JSON.stringify(spec.venue)}; this engine runs: ${known}`);
    }
    if (!adapter.marketTypes.includes(spec.type)) {
      throw new FeedError('invalid-market', `${spec.venue} has no ${JSON.stringify(spec.type)} markets; it has: ${adapter.marketTypes.join(', ')}`);
    }
    return adapter;
  }

  /** Stops a market: unsubscribes it, publishes Status `stopped` (with `reason`). Throws FeedError `not-found`. */
  stop(id: number, reason = ''): FeedInfo {
    const feed = this.feeds.get(id);
    if (!feed) throw new FeedError('not-found', `market id ${id} is not running`);
    this.feeds.delete(id);
    feed.stop(reason);
    this.detach(feed);
    return feed.info();
  }

  /** Puts a market on its venue's connections (opening them as needed), which subscribes it. */
  private attach(feed: Feed): void {
    const { adapter } = feed;
    const type = feed.sync.instrument.type;
    for (const endpoint of adapter.endpoints(type)) {
      const connection = this.connectionFor(adapter, type, endpoint);
      feed.connections.push(connection);
      connection.add(feed.sync);
    }
  }

  /** Takes a market off its connections (unsubscribing it); a connection left empty is closed. */
  private detach(feed: Feed): void {
    for (const connection of feed.connections) {
      connection.remove(feed.sync);
      if (connection.size === 0) this.dropConnection(connection);
    }
    feed.connections.length = 0;
  }

  /**
   * Reads the instrument lists of the running markets again: a market the venue no longer lets
   * trade (halted, delisted, renamed) is unsubscribed and reported `failed` with the venue's
   * status; when it trades again it is subscribed again.
   */
  async refreshInstruments(): Promise<void> {
    const groups = new Map<string, Feed[]>();
    for (const feed of this.feeds.values()) {
      const key = `${feed.adapter.venue}:${feed.sync.instrument.type}`;
      groups.set(key, [...(groups.get(key) ?? []), feed]);
    }
    for (const [key, feeds] of groups) {
      const first = feeds[0] as Feed;
      let list: readonly Instrument[];
      try {
        list = await this.fetchInstruments(first.adapter, first.sync.instrument.type);
      } catch (error) {
        this.log.warn({ venue: first.adapter.venue, error: (error as Error).message }, 'instrument list refresh failed');
        continue;
      }
      this.instrumentLists.set(key, { at: Date.now(), list: Promise.resolve(list) });
      for (const feed of feeds) {
        if (this.feeds.get(feed.id) !== feed) continue; // stopped meanwhile
        const symbol = feed.sync.instrument.symbol;
        const listed = list.find((i) => i.symbol === symbol);
        if (listed?.trading !== true && !feed.halted) {
          feed.halted = true;
          this.detach(feed);
          feed.halt(listed ? `${symbol} is not trading: venue status ${listed.status}` : `${symbol} is no longer listed by ${first.adapter.venue}`);
        } else if (listed?.trading === true && feed.halted) {
          feed.halted = false;
          this.attach(feed);
        }
      }
    }
  }

  feed(id: number): FeedInfo | undefined {
    return this.feeds.get(id)?.info();
  }

  list(): FeedInfo[] {
    return [...this.feeds.values()].map((f) => f.info());
  }

  /** The live book of a market (read it, do not write it); undefined for an unknown id. */
  book(id: number): OrderBook | undefined {
    return this.feeds.get(id)?.sync.book;
  }

  /** Stops every market and closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.refreshTimer);
    for (const id of [...this.feeds.keys()]) this.stop(id);
    this.closed = true;
    for (const list of this.connections.values()) for (const c of list) c.close();
    this.connections.clear();
  }

  /** The venue's instruments of one market type (all pages), cached for `instrumentsTtlMs`. */
  async instruments(adapter: VenueAdapter, type: MarketType): Promise<readonly Instrument[]> {
    const key = `${adapter.venue}:${type}`;
    const cached = this.instrumentLists.get(key);
    if (cached && Date.now() - cached.at < this.timing.instrumentsTtlMs) return cached.list;
    const list = this.fetchInstruments(adapter, type);
    this.instrumentLists.set(key, { at: Date.now(), list });
    list.catch(() => this.instrumentLists.delete(key));
    return list;
  }

  private async fetchInstruments(adapter: VenueAdapter, type: MarketType): Promise<readonly Instrument[]> {
    const all: Instrument[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const url = adapter.instrumentsUrl(type, cursor);
      let body: string;
      try {
        body = await getText(url, { timeoutMs: this.timing.httpTimeoutMs, attempts: 3, backoff: new Backoff(250, 2_000) });
      } catch (error) {
        throw new FeedError('unavailable', `${adapter.venue} ${type} instrument list: ${(error as Error).message}`);
      }
      let result;
      try {
        result = adapter.parseInstruments(type, body);
      } catch (error) {
        throw new FeedError('unavailable', `${adapter.venue} ${type} instrument list from ${url} is unreadable: ${(error as Error).message}`);
      }
      all.push(...result.instruments);
      cursor = result.next;
      if (!cursor) break;
    }
    return all;
  }

  /** Events go out through here: a listener that throws must not take a socket down. */
  private readonly emit = (event: FeedEvent): void => {
    try {
      this.onEvent(event);
    } catch (error) {
      this.log.error({ error: (error as Error).message, event: event.kind, marketId: event.marketId }, 'event listener threw');
    }
  };

  private connectionFor(adapter: VenueAdapter, type: MarketType, endpoint: { url: string; channels: readonly ('book' | 'trades')[] }): Connection {
    const key = `${adapter.venue}|${type}|${endpoint.url}`;
    let list = this.connections.get(key);
    if (!list) {
      list = [];
      this.connections.set(key, list);
    }
    const free = list.find((c) => c.size < adapter.limits.marketsPerConnection);
    if (free) return free;
    const connection = new Connection({ adapter, type, endpoint, timing: this.timing, log: this.log });
    list.push(connection);
    return connection;
  }

  private dropConnection(connection: Connection): void {
    connection.close();
    for (const [key, list] of this.connections) {
      const i = list.indexOf(connection);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.connections.delete(key);
    }
  }
}

/** What a running market needs from its engine. */
interface FeedContext {
  readonly timing: EngineTiming;
  readonly log: FeedLogger;
  readonly node: string;
  readonly bufferLimit: number | undefined;
  readonly emit: (event: FeedEvent) => void;
}

/** One running market: its sync state, its connections, its REST snapshot fetches and watchdog. */
class Feed {
  readonly id: number;
  readonly sync: MarketSync;
  readonly connections: Connection[] = [];
  readonly adapter: VenueAdapter;
  /** Taken off its connections because the venue stopped listing it as trading. */
  halted = false;
  private readonly context: FeedContext;
  private readonly spec: MarketSpec;
  private fetching: AbortController | undefined;
  private readonly fetchBackoff: Backoff;
  private fetchTimer: NodeJS.Timeout | undefined;
  private readonly watchdog: NodeJS.Timeout;
  private stopped = false;

  constructor(context: FeedContext, adapter: VenueAdapter, spec: FeedSpec, instrument: Instrument) {
    this.context = context;
    this.adapter = adapter;
    this.id = spec.id;
    this.spec = { venue: spec.venue, type: spec.type, base: spec.base, quote: spec.quote, ...(spec.symbol ? { symbol: spec.symbol } : {}) };
    this.fetchBackoff = new Backoff(context.timing.reconnectMinMs, context.timing.reconnectMaxMs);
    this.sync = new MarketSync({
      marketId: spec.id,
      instrument,
      adapter,
      emit: context.emit,
      node: context.node,
      ...(spec.epoch === undefined ? {} : { epoch: spec.epoch }),
      bufferLimit: context.bufferLimit,
      now: nowMicros,
      hooks: {
        resync: (reason) => this.resync(reason),
        snapshotWanted: () => this.fetchSnapshot(),
        syncRestarted: () => this.cancelFetch(),
      },
    });
    const everyMs = Math.max(20, Math.floor(context.timing.resyncTimeoutMs / 4));
    this.watchdog = setInterval(() => this.checkProgress(), everyMs);
  }

  private get bookConnection(): Connection | undefined {
    return this.connections.find((c) => c.carriesBook);
  }

  info(): FeedInfo {
    const s = this.sync;
    return {
      id: this.id,
      market: this.spec,
      instrument: s.instrument,
      state: s.state,
      reason: s.reason,
      since: s.stateSince,
      sequence: s.sequence,
      counters: { ...s.counters },
      epoch: s.epoch,
    };
  }

  /** The venue stopped the market: no book, no retries, until it trades again. */
  halt(reason: string): void {
    this.cancelFetch();
    this.sync.beginSync('failed', reason);
  }

  stop(reason = ''): void {
    this.stopped = true;
    clearInterval(this.watchdog);
    clearTimeout(this.fetchTimer);
    this.fetching?.abort();
    this.sync.setState('stopped', reason);
  }

  /** A snapshot fetched for a book that has since been dropped would describe the wrong moment. */
  private cancelFetch(): void {
    this.fetching?.abort();
    this.fetching = undefined;
    clearTimeout(this.fetchTimer);
    this.fetchTimer = undefined;
  }

  /** The book broke: REST venues refetch (deltas keep buffering); in-band venues resubscribe. */
  private resync(reason: string): void {
    this.context.log.warn({ marketId: this.id, venue: this.adapter.venue, symbol: this.sync.instrument.symbol, reason }, 'resync');
    if (this.sync.rule.snapshot !== 'rest') this.bookConnection?.resubscribe(this.sync);
    // REST: the next buffered delta asks for the snapshot (so the buffer overlaps it).
  }

  /** Not live for too long: fetch again (REST) or start over on a new connection (in-band). */
  private checkProgress(): void {
    const s = this.sync;
    if (this.stopped || this.halted || s.live || s.state === 'failed' || s.state === 'starting') return;
    const waitedMs = (nowMicros() - s.stateSince) / 1000;
    if (waitedMs < this.context.timing.resyncTimeoutMs) return;
    const connection = this.bookConnection;
    if (!connection?.isOpen) return;
    // A venue in maintenance asked clients to wait: do not reconnect into it (for a while).
    const pausedAt = connection.pausedSince;
    if (pausedAt !== undefined && Date.now() - pausedAt < MAX_PAUSE_MS) return;
    if (s.rule.snapshot === 'rest') {
      if (!this.fetching && this.fetchTimer === undefined) this.fetchSnapshot();
    } else {
      connection.reconnect(`no snapshot within ${this.context.timing.resyncTimeoutMs} ms`);
    }
  }

  private fetchSnapshot(): void {
    if (this.stopped || this.halted || this.fetching || this.fetchTimer !== undefined) return;
    const url = this.adapter.snapshotUrl?.(this.sync.instrument);
    const parse = this.adapter.parseSnapshot;
    if (url === undefined || parse === undefined) {
      this.context.log.error({ venue: this.adapter.venue }, 'adapter declares REST snapshots but has no snapshotUrl/parseSnapshot');
      return;
    }
    const controller = new AbortController();
    this.fetching = controller;
    const log = this.context.log;
    getText(url, {
      timeoutMs: this.context.timing.httpTimeoutMs,
      signal: controller.signal,
      backoff: this.fetchBackoff,
      onRetry: (reason, waitMs) => log.warn({ marketId: this.id, reason, waitMs }, 'snapshot retry'),
    })
      .then((body) => {
        if (this.fetching !== controller) return;
        this.fetching = undefined;
        let snapshot;
        try {
          snapshot = parse.call(this.adapter, body, this.sync.instrument);
        } catch (error) {
          this.sync.counters.malformedFrames += 1;
          log.warn({ marketId: this.id, url, error: (error as Error).message }, 'unreadable snapshot');
          this.later();
          return;
        }
        const outcome = this.sync.offerSnapshot(snapshot, nowMicros());
        if (outcome === 'too-old') {
          log.info({ marketId: this.id, sequence: snapshot.sequence }, 'snapshot older than the buffered deltas: fetching again');
          this.later();
        } else if (outcome === 'live') this.fetchBackoff.reset();
      })
      .catch((error: unknown) => {
        if (this.fetching !== controller) return;
        this.fetching = undefined;
        if (controller.signal.aborted) return;
        const message = (error as Error).message;
        if (error instanceof HttpError) this.sync.setState('failed', `snapshot request refused: ${message}`);
        log.warn({ marketId: this.id, url, error: message }, 'snapshot fetch failed');
        this.later();
      });
  }

  /** Fetch again after a backoff wait. */
  private later(): void {
    if (this.stopped) return;
    clearTimeout(this.fetchTimer);
    this.fetchTimer = setTimeout(() => {
      this.fetchTimer = undefined;
      if (this.sync.state === 'failed') this.sync.beginSync('resyncing', 'retrying snapshot');
      this.fetchSnapshot();
    }, this.fetchBackoff.next());
  }
}

import WebSocket from 'ws';
import type { Endpoint, Instrument, MarketType, VenueAdapter } from './adapter.js';
import { Backoff } from './backoff.js';
import type { FeedLogger } from './logger.js';
import type { MarketSync } from './market-sync.js';
import type { FeedMessage } from './messages.js';
import { nowMicros } from './time.js';

export interface ConnectionTiming {
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  /** Silence after which the connection is stale; overrides the adapter's when set. */
  readonly livenessMs?: number;
  /** Retry a subscription the venue refused after this long (doubling, capped by reconnectMaxMs). */
  readonly subscribeRetryMs: number;
}

export interface ConnectionOptions {
  readonly adapter: VenueAdapter;
  readonly type: MarketType;
  readonly endpoint: Endpoint;
  readonly timing: ConnectionTiming;
  readonly log: FeedLogger;
}

interface Pending {
  readonly symbols: readonly string[];
  readonly subscribe: boolean;
}

/** Requests remembered for matching their answers. */
const MAX_PENDING = 1024;

/** Largest frame accepted: Coinbase's BTC-USD snapshot alone is 5 MB. */
const MAX_PAYLOAD = 256 * 1024 * 1024;

/**
 * One WebSocket to one venue endpoint, carrying many markets: connects, subscribes them (within
 * the venue's frame rate), routes each parsed message to its market, keeps the socket alive,
 * declares it stale when silent, and reconnects with backoff forever until closed.
 */
export class Connection {
  readonly adapter: VenueAdapter;
  readonly type: MarketType;
  readonly endpoint: Endpoint;
  /** Whether this connection delivers its markets' books (Binance USD-M's /market one carries trades only). */
  readonly carriesBook: boolean;
  private readonly carriesTrades: boolean;
  private readonly markets = new Map<string, MarketSync>();
  private readonly channels = new Map<string | number, string>();
  private readonly pending = new Map<string, Pending>();
  /**
   * Markets resubscribed on a venue whose first delta is the book (`first-delta`): frames of the old
   * subscription may still be in flight and would pass for the new book, so the market's book
   * frames are dropped until the venue answers the unsubscribe (symbol -> its request id).
   */
  private readonly draining = new Map<string, string>();
  private pausedAt: number | undefined;
  private readonly timing: ConnectionTiming;
  private readonly log: FeedLogger;
  private readonly backoff: Backoff;
  private readonly livenessMs: number;
  private socket: WebSocket | undefined;
  private closed = false;
  private opened = false;
  private request = 0;
  private lastFrameAt = 0;
  private connectionSequence: number | undefined;
  private queue: string[] = [];
  private sendTimer: NodeJS.Timeout | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  private aliveTimer: NodeJS.Timeout | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private lifetimeTimer: NodeJS.Timeout | undefined;
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private readonly retryBackoff = new Map<string, Backoff>();

  constructor(options: ConnectionOptions) {
    this.adapter = options.adapter;
    this.type = options.type;
    this.endpoint = options.endpoint;
    this.carriesBook = options.endpoint.channels.includes('book');
    this.carriesTrades = options.endpoint.channels.includes('trades');
    this.timing = options.timing;
    this.log = options.log;
    this.backoff = new Backoff(options.timing.reconnectMinMs, options.timing.reconnectMaxMs);
    this.livenessMs = options.timing.livenessMs ?? options.adapter.livenessMs;
  }

  get size(): number {
    return this.markets.size;
  }
  get isOpen(): boolean {
    return this.opened;
  }

  /** Since when (ms) the venue has paused this connection (maintenance), if it has. */
  get pausedSince(): number | undefined {
    return this.pausedAt;
  }

  /** Adds a market; subscribes it now if the socket is open, else when it opens. */
  add(market: MarketSync): void {
    this.markets.set(market.instrument.symbol, market);
    if (this.socket === undefined && !this.closed) this.connect();
    else if (this.opened) {
      if (this.carriesBook) market.beginSync('syncing');
      this.subscribe([market.instrument]);
    }
  }

  /** Unsubscribes and forgets a market; closes the socket when it was the last one. */
  remove(market: MarketSync): void {
    const symbol = market.instrument.symbol;
    if (this.markets.get(symbol) !== market) return;
    this.markets.delete(symbol);
    this.draining.delete(symbol);
    this.clearRetry(symbol);
    if (this.opened) this.sendAll(this.adapter.unsubscribe(this.endpoint, [market.instrument], this.nextRequest([symbol], false), this.unbind(symbol)));
  }

  /** The channel ids bound to a symbol, forgotten: frames still in flight on them belong to no book. */
  private unbind(symbol: string): (string | number)[] {
    const ids: (string | number)[] = [];
    for (const [id, bound] of this.channels) {
      if (bound === symbol) {
        ids.push(id);
        this.channels.delete(id);
      }
    }
    return ids;
  }

  /**
   * Fresh snapshot for one market delivered in-band: unsubscribe + subscribe it. Venues with no
   * unsubscribe frame get a reconnect (every market on the socket resyncs).
   */
  resubscribe(market: MarketSync): void {
    if (!this.opened) return; // it resubscribes when the socket opens
    const instruments = [market.instrument];
    const symbol = market.instrument.symbol;
    const request = this.nextRequest([symbol], false);
    const off = this.adapter.unsubscribe(this.endpoint, instruments, request, this.unbind(symbol));
    if (off.length === 0) {
      this.reconnect(`resync of ${symbol} needs a new connection`);
      return;
    }
    if (this.adapter.sync(this.type).snapshot === 'first-delta') this.draining.set(symbol, String(request));
    this.sendAll(off);
    this.subscribe(instruments);
  }

  /** Drops the socket now and opens a new one (after a backoff wait). */
  reconnect(reason: string, state: 'resyncing' | 'stale' = 'resyncing'): void {
    if (this.closed) return;
    this.log.warn({ venue: this.adapter.venue, url: this.endpoint.url, reason }, 'reconnecting');
    const socket = this.socket;
    this.teardown();
    socket?.terminate();
    this.lost(reason, state);
  }

  close(): void {
    this.closed = true;
    const socket = this.socket;
    this.teardown();
    clearTimeout(this.reopenTimer);
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    socket?.close(1000);
    // A peer that never answers the close handshake must not keep the process alive.
    if (socket) setTimeout(() => socket.terminate(), 1000).unref();
  }

  private connect(): void {
    const socket = new WebSocket(this.endpoint.url, { perMessageDeflate: false, maxPayload: MAX_PAYLOAD, handshakeTimeout: 15_000 });
    this.socket = socket;
    socket.on('open', () => this.onOpen(socket));
    socket.on('message', (data: Buffer, binary) => {
      if (socket !== this.socket) return;
      this.lastFrameAt = Date.now();
      this.onFrame(binary ? data.toString('utf8') : data.toString());
    });
    // The venue's pings prove it is there. Our own pings' pongs do too — unless the venue has an
    // application heartbeat: then only its answers (messages) prove the data path, and a server
    // that still answers pings but sends nothing is stale.
    socket.on('ping', () => (this.lastFrameAt = Date.now()));
    if (!this.adapter.keepalive) socket.on('pong', () => (this.lastFrameAt = Date.now()));
    socket.on('error', (error) => {
      if (socket === this.socket) this.log.warn({ venue: this.adapter.venue, url: this.endpoint.url, error: error.message }, 'socket error');
    });
    socket.on('close', (code, why) => {
      if (socket !== this.socket || this.closed) return;
      this.teardown();
      this.lost(`connection closed (${code}${why.length ? ` ${why.toString()}` : ''})`, 'resyncing');
    });
  }

  private onOpen(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.opened = true;
    this.lastFrameAt = Date.now();
    this.connectionSequence = undefined;
    this.channels.clear();
    this.pending.clear();
    this.draining.clear();
    const everyMs = Math.max(50, Math.floor(this.livenessMs / 4));
    this.aliveTimer = setInterval(() => this.checkAlive(), everyMs);
    const keepalive = this.adapter.keepalive;
    if (keepalive) {
      const frame = keepalive.frame?.bind(keepalive);
      this.keepaliveTimer = setInterval(() => (frame ? this.send(frame()) : this.socket?.ping()), keepalive.intervalMs);
    }
    const lifetimeMs = this.adapter.maxConnectionMs;
    if (lifetimeMs !== undefined) {
      // Leave on our terms a little before the venue cuts us off, at a random moment so that many
      // connections opened together do not all resync at once.
      const leaveMs = lifetimeMs * (0.97 + Math.random() * 0.02);
      this.lifetimeTimer = setTimeout(() => this.reconnect(`planned: the venue closes connections after ${lifetimeMs} ms`), leaveMs);
    }
    this.sendAll(this.adapter.openFrames?.(this.endpoint) ?? []);
    const instruments: Instrument[] = [];
    for (const market of this.markets.values()) {
      if (this.carriesBook) market.beginSync('syncing');
      instruments.push(market.instrument);
    }
    this.subscribe(instruments);
  }

  /** The socket went away: every market's book is void until it resyncs; come back later. */
  private lost(reason: string, state: 'resyncing' | 'stale'): void {
    for (const market of this.markets.values()) {
      market.counters.reconnects += 1;
      if (this.carriesBook) market.beginSync(state, reason);
    }
    const waitMs = this.backoff.next();
    clearTimeout(this.reopenTimer);
    this.reopenTimer = setTimeout(() => {
      // A market added during the wait may have opened the socket already.
      if (!this.closed && this.markets.size > 0 && this.socket === undefined) this.connect();
    }, waitMs);
  }

  private teardown(): void {
    this.opened = false;
    this.pausedAt = undefined;
    this.socket?.removeAllListeners('message');
    this.socket?.on('error', () => undefined);
    this.socket = undefined;
    clearInterval(this.aliveTimer);
    clearInterval(this.keepaliveTimer);
    clearTimeout(this.lifetimeTimer);
    clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
    this.queue = [];
  }

  private checkAlive(): void {
    const silentMs = Date.now() - this.lastFrameAt;
    if (silentMs > this.livenessMs) {
      this.reconnect(`stale: no data for ${silentMs} ms`, 'stale');
      return;
    }
    // Protocol ping: its pong proves the path is alive even when the market is quiet.
    if (silentMs > this.livenessMs / 3) this.socket?.ping();
  }

  private subscribe(instruments: readonly Instrument[]): void {
    const per = Math.max(1, this.adapter.limits.marketsPerRequest);
    for (let i = 0; i < instruments.length; i += per) {
      const batch = instruments.slice(i, i + per);
      const request = this.nextRequest(
        batch.map((x) => x.symbol),
        true,
      );
      this.sendAll(this.adapter.subscribe(this.endpoint, batch, request));
    }
  }

  private nextRequest(symbols: readonly string[], subscribe: boolean): number {
    this.request += 1;
    // Bounded: some venues answer without the request id, so some entries are never claimed.
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
    this.pending.set(String(this.request), { symbols, subscribe });
    return this.request;
  }

  private sendAll(frames: readonly string[]): void {
    for (const frame of frames) this.send(frame);
  }

  /** Queues a client frame; frames leave at the venue's allowed rate. */
  private send(frame: string): void {
    if (!this.opened) return;
    this.queue.push(frame);
    if (this.sendTimer === undefined) this.drain();
  }

  private drain(): void {
    const frame = this.queue.shift();
    if (frame === undefined || !this.socket) {
      this.sendTimer = undefined;
      return;
    }
    this.socket.send(frame);
    const gapMs = Math.ceil(1000 / Math.max(1, this.adapter.limits.framesPerSecond));
    this.sendTimer = setTimeout(() => this.drain(), gapMs);
  }

  private onFrame(text: string): void {
    const receiveTime = nowMicros();
    let messages: readonly FeedMessage[];
    try {
      messages = this.adapter.parse(text, this.type);
    } catch (error) {
      this.onMalformed(text, (error as Error).message);
      return;
    }
    this.backoff.reset();
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i] as FeedMessage;
      switch (message.kind) {
        case 'delta':
        case 'snapshot':
        case 'top':
        case 'check':
        case 'trade':
          // A market's trades come from the connection that carries them (Binance USD-M: /market).
          if (message.kind === 'trade' ? this.carriesTrades : this.carriesBook) {
            const market = this.route(message);
            if (market === undefined || (message.kind !== 'trade' && this.draining.has(market.instrument.symbol))) break;
            market.onMessage(message, receiveTime);
          }
          break;
        case 'heartbeat':
          break;
        case 'ack':
          if (message.channel !== undefined && message.symbol !== undefined) this.channels.set(message.channel, message.symbol);
          if (message.request !== undefined) this.onAnswer(String(message.request), message.symbols);
          break;
        case 'error':
          this.onVenueError(message.message, message.request, message.symbol);
          break;
        case 'reconnect':
          this.reconnect(`venue asked to reconnect: ${message.reason}`);
          return;
        case 'pause':
          this.pause(message.reason);
          break;
        case 'connection-sequence': {
          const last = this.connectionSequence;
          this.connectionSequence = message.value;
          if (last === undefined || message.value === last + 1) break;
          if (message.value <= last) {
            this.connectionSequence = last;
            return; // a duplicate frame: the rest of it was seen already
          }
          for (const market of this.markets.values()) market.counters.gaps += 1;
          this.reconnect(`connection sequence gap: expected ${last + 1}, got ${message.value}`);
          return;
        }
      }
    }
  }

  private route(message: { symbol: string; channel?: string | number }): MarketSync | undefined {
    if (message.symbol !== '') return this.markets.get(message.symbol);
    if (message.channel === undefined) return undefined;
    const symbol = this.channels.get(message.channel);
    return symbol === undefined ? undefined : this.markets.get(symbol);
  }

  private onAnswer(request: string, accepted: readonly string[] | undefined): void {
    this.drained(request);
    const pending = this.pending.get(request);
    if (pending === undefined) return;
    this.pending.delete(request);
    if (!pending.subscribe) return;
    const refused = accepted === undefined ? [] : pending.symbols.filter((symbol) => !accepted.includes(symbol));
    for (const symbol of pending.symbols) if (!refused.includes(symbol)) this.retryBackoff.delete(symbol);
    // An ack that lists what it subscribed and leaves a market out refused that market.
    for (const symbol of refused) this.refuse([symbol], `${symbol} is missing from the venue's subscribe answer (not served)`);
  }

  /**
   * A frame the adapter could not read. Its market is found by its symbol in the text when
   * possible; the book of that market (or, if no market can be told, of every market on the
   * socket) may have missed data, so it resyncs.
   */
  private onMalformed(text: string, reason: string): void {
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    const hit: MarketSync[] = [];
    for (const [symbol, market] of this.markets) {
      if (text.includes(symbol) || text.includes(symbol.toLowerCase())) hit.push(market);
    }
    const targets = hit.length > 0 ? hit : [...this.markets.values()];
    this.log.warn({ venue: this.adapter.venue, url: this.endpoint.url, reason, frame: shown, markets: targets.map((m) => m.ref.marketId) }, 'malformed frame');
    for (const market of targets) {
      if (this.carriesBook) market.malformed(reason);
      else market.counters.malformedFrames += 1;
    }
  }

  /** The venue's maintenance: its books stop changing, so none of them may be called live. */
  private pause(reason: string): void {
    this.pausedAt ??= Date.now();
    this.log.warn({ venue: this.adapter.venue, url: this.endpoint.url, reason, markets: [...this.markets.values()].map((m) => m.ref.marketId) }, 'venue paused the connection');
    if (this.carriesBook) for (const market of this.markets.values()) market.beginSync('stale', `venue paused: ${reason}`);
  }

  /** The venue answered an unsubscribe: what follows for that market is the new subscription. */
  private drained(request: string): void {
    for (const [symbol, id] of this.draining) if (id === request) this.draining.delete(symbol);
  }

  private onVenueError(message: string, request: string | number | undefined, symbol: string | undefined): void {
    if (request !== undefined) this.drained(String(request));
    const pending = request === undefined ? undefined : this.pending.get(String(request));
    if (request !== undefined) this.pending.delete(String(request));
    const symbols = pending?.symbols ?? (symbol !== undefined ? [symbol] : []);
    this.log.warn({ venue: this.adapter.venue, url: this.endpoint.url, error: message, request, symbols }, 'venue error');
    if (pending && !pending.subscribe) return; // an unsubscribe the venue did not like: nothing to keep
    this.refuse(symbols, message);
  }

  /** Subscriptions the venue refused: each market says so (`failed`) and is tried again later. */
  private refuse(symbols: readonly string[], message: string): void {
    for (const s of symbols) {
      const market = this.markets.get(s);
      if (!market) continue;
      market.counters.venueErrors += 1;
      market.setState('failed', `venue error: ${message}`);
      this.retrySubscribe(market);
    }
  }

  /** A refused subscription is tried again later, waiting longer each time, for as long as the feed runs. */
  private retrySubscribe(market: MarketSync): void {
    const symbol = market.instrument.symbol;
    let backoff = this.retryBackoff.get(symbol);
    if (!backoff) {
      backoff = new Backoff(this.timing.subscribeRetryMs, this.timing.reconnectMaxMs);
      this.retryBackoff.set(symbol, backoff);
    }
    this.clearRetry(symbol);
    const timer = setTimeout(() => {
      this.retryTimers.delete(symbol);
      if (this.markets.get(symbol) !== market || !this.opened) return;
      if (this.carriesBook) market.beginSync('syncing', 'retrying subscription');
      this.subscribe([market.instrument]);
    }, backoff.next() + this.timing.subscribeRetryMs / 2);
    this.retryTimers.set(symbol, timer);
  }

  private clearRetry(symbol: string): void {
    const timer = this.retryTimers.get(symbol);
    if (timer) clearTimeout(timer);
    this.retryTimers.delete(symbol);
  }
}

import type { FeedEvent, FeedLogger } from '@level4/feed';
import { CompressionTypes, Kafka, logLevel, type Admin, type IHeaders, type LogEntry, type Message, type Producer, type RecordMetadata } from 'kafkajs';
import { encodeEvent, type Encoding } from './encode.js';
import { Fifo } from './fifo.js';

export type EventKind = FeedEvent['kind'];

/** Topic names by event kind. */
export interface Topics {
  readonly spread: string;
  readonly trade: string;
  readonly status: string;
}

export const DEFAULT_TOPICS: Topics = Object.freeze({ spread: 'level4.spread', trade: 'level4.timesales', status: 'level4.status' });

export type Compression = 'none' | 'gzip';

export interface KafkaSinkOptions {
  /** `host:port` of one or more brokers. */
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly topics?: Partial<Topics>;
  /** Record values: JSON (default) or Protobuf (proto/level4/v1/events.proto). */
  readonly encoding?: Encoding;
  /** kafkajs has gzip built in; other codecs would need native or third-party code. Default none. */
  readonly compression?: Compression;
  /** How long the first event of an idle sink waits for company before a send (default 2 ms). */
  readonly lingerMs?: number;
  /** Records per produce request at most (default 2,000: measured best with kafkajs here, `npm run bench -- sink`). */
  readonly maxBatchRecords?: number;
  /**
   * Bytes of one partition's records per produce request at most (default 512 KiB). The broker
   * refuses a record batch above its `message.max.bytes` (1 MiB by default) as a whole, so one busy
   * market's backlog must never make one.
   */
  readonly maxPartitionBytes?: number;
  /** Trades and statuses held while Kafka is away; beyond it the oldest are dropped, counted and logged (default 200,000). */
  readonly bufferLimit?: number;
  /** Spreads held before the backlog is conflated to the latest spread per market (default 50,000). */
  readonly spreadBufferLimit?: number;
  /** Partitions of a topic the sink creates (at least the market id + 1). Default 16. */
  readonly minPartitions?: number;
  /** Replication factor of created topics (default: the broker's default). */
  readonly replicationFactor?: number;
  readonly logger?: FeedLogger;
  /** This node's name, sent as the `level4-node` header of every Status record (none when absent). */
  readonly node?: string;
  /**
   * Sending waits (events kept, as while Kafka is away) whenever this says no: a cluster node whose
   * hold on its feeds is unconfirmed must not publish until it knows which of them are still its own.
   */
  readonly canSend?: () => boolean;
  /** After every produce request: records, ms from send to ack, whether it succeeded, and (on success) the events. */
  readonly onBatch?: (batch: SinkBatch) => void;
}

export interface SinkBatch {
  readonly ok: boolean;
  readonly records: number;
  readonly latencyMs: number;
  readonly events: readonly FeedEvent[];
}

export interface SinkStats {
  readonly connected: boolean;
  readonly queued: Record<EventKind, number>;
  readonly sent: Record<EventKind, number>;
  /** Dropped because a buffer was full (trades, statuses) or conflated away (spreads). */
  readonly dropped: Record<EventKind, number>;
  /** Events refused because their market id has no partition (ensureMarket was not called or failed). */
  readonly refused: number;
  /** Events dropped unsent because their market moved to another node (`fence`). */
  readonly fenced: number;
  readonly sendErrors: number;
  readonly batches: number;
  /** Partition count known per topic. */
  readonly partitions: Readonly<Record<string, number>>;
}

/** A market id that cannot be given its own partition. */
export class PlacementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlacementError';
  }
}

const MAX_MARKET_ID = 100_000;
const silent: FeedLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

interface Pending {
  readonly event: FeedEvent;
  readonly topic: string;
  readonly message: Message;
  /** Bytes it adds to a record batch, about: key, value, headers, record overhead. */
  readonly size: number;
}

/**
 * Publishes feed events to Kafka: partition = market id, key = market id (decimal), value JSON or
 * Protobuf with `content-type` and `schema` headers, record timestamp = receive time. One
 * idempotent kafkajs producer, one request in flight (kafkajs keeps order per partition that way),
 * batches as large as the backlog allows. While Kafka is away nothing is lost within the buffers:
 * trades and statuses wait in order; spreads wait too, and past their limit are conflated to the
 * latest per market. Every drop is counted and logged.
 */
export class KafkaSink {
  private readonly kafka: Kafka;
  private readonly topics: Topics;
  private readonly encoding: Encoding;
  private readonly compression: CompressionTypes;
  private readonly lingerMs: number;
  private readonly maxBatch: number;
  private readonly maxPartitionBytes: number;
  private readonly bufferLimit: number;
  private readonly spreadLimit: number;
  private readonly minPartitions: number;
  private readonly replicationFactor: number;
  private readonly logger: FeedLogger;
  private readonly onBatch: ((batch: SinkBatch) => void) | undefined;

  private readonly urgent = new Fifo<Pending>();
  private readonly spreads = new Fifo<Pending>();
  private readonly partitions = new Map<string, number>();
  /** Markets given up with `fence` (until placed again). */
  private readonly fencedMarkets = new Set<number>();
  /** Each market's owner epoch, from its latest Status event: the `level4-epoch` header of its records. */
  private readonly epochs = new Map<number, string>();
  /** Record headers by kind, then market id (see headersOf). */
  private readonly headers: Record<EventKind, Map<number, IHeaders>> = { spread: new Map(), trade: new Map(), status: new Map() };
  private readonly node: string | undefined;
  private producer: Producer | undefined;
  private producerStale = false;
  private admin: Admin | undefined;
  private placement: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private sending = false;
  /** The batch of the produce request in flight (still waiting, for stats). */
  private inFlight: readonly Pending[] = [];
  private closed = false;
  private idle: (() => void)[] = [];
  private lastErrorLog = 0;
  private readonly counts = {
    sent: { spread: 0, trade: 0, status: 0 },
    dropped: { spread: 0, trade: 0, status: 0 },
    refused: 0,
    fenced: 0,
    sendErrors: 0,
    batches: 0,
  };
  private readonly canSend: (() => boolean) | undefined;

  constructor(options: KafkaSinkOptions) {
    if (options.brokers.length === 0) throw new Error('kafka-sink: no brokers given');
    this.topics = { ...DEFAULT_TOPICS, ...options.topics };
    this.encoding = options.encoding ?? 'json';
    this.compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    this.lingerMs = options.lingerMs ?? 2;
    this.maxBatch = options.maxBatchRecords ?? 2_000;
    this.maxPartitionBytes = options.maxPartitionBytes ?? 512 * 1024;
    this.bufferLimit = options.bufferLimit ?? 200_000;
    this.spreadLimit = options.spreadBufferLimit ?? 50_000;
    this.minPartitions = options.minPartitions ?? 16;
    this.replicationFactor = options.replicationFactor ?? -1;
    this.logger = options.logger ?? silent;
    this.onBatch = options.onBatch;
    this.node = options.node;
    this.canSend = options.canSend;
    const logger = this.logger;
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'level4',
      brokers: [...options.brokers],
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      // The sink retries forever itself (with the events kept); kafkajs only rides out short blips.
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2_000 },
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log }: LogEntry) => {
          const { message, ...fields } = log;
          // Said at every producer kafkajs makes: the sink keeps and re-sends what kafkajs gives up on.
          if (message.startsWith('Limiting retries for the idempotent producer')) return;
          (level <= logLevel.ERROR ? logger.error : logger.warn).call(logger, { kafkajs: fields }, `kafkajs: ${message}`);
        },
    });
  }

  /** The topic an event kind goes to. */
  topicOf(kind: EventKind): string {
    return this.topics[kind];
  }

  /**
   * Makes sure every topic has a partition for `marketId` (creating the topics or adding partitions
   * with the admin API, in steps of `minPartitions`) and that the producer's metadata knows them. Call it before a market's first
   * event; a market that cannot be placed is refused with PlacementError.
   */
  async ensureMarket(marketId: number): Promise<void> {
    if (!Number.isInteger(marketId) || marketId < 0 || marketId > MAX_MARKET_ID) {
      throw new PlacementError(`market id ${marketId} cannot be a partition: ids are integers from 0 to ${MAX_MARKET_ID}`);
    }
    this.fencedMarkets.delete(marketId);
    if (this.placed(marketId)) return;
    const run = this.placement.then(() => this.grow(marketId));
    this.placement = run.catch(() => undefined);
    await run;
  }

  private placed(marketId: number): boolean {
    for (const topic of Object.values(this.topics)) if ((this.partitions.get(topic) ?? 0) <= marketId) return false;
    return true;
  }

  private async grow(marketId: number): Promise<void> {
    if (this.placed(marketId)) return;
    // Whole steps of minPartitions: markets started one id after another grow the topics (and renew
    // the producer) once per step, not once per market.
    const wanted = Math.ceil((marketId + 1) / this.minPartitions) * this.minPartitions;
    const names = Object.values(this.topics);
    let lastError: unknown;
    // Another node may create or grow the same topics at the same moment: re-read and try again.
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        const admin = await this.adminClient();
        const existing = new Set(await admin.listTopics());
        const missing = names.filter((t) => !existing.has(t));
        if (missing.length > 0) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((topic) => ({ topic, numPartitions: Math.max(this.minPartitions, wanted), replicationFactor: this.replicationFactor })),
          });
        }
        const present = names.filter((t) => existing.has(t));
        if (present.length > 0) {
          const meta = await admin.fetchTopicMetadata({ topics: present });
          const short = meta.topics.filter((t) => t.partitions.length < wanted);
          if (short.length > 0) await admin.createPartitions({ topicPartitions: short.map((t) => ({ topic: t.name, count: wanted })) });
        }
        await this.awaitPartitions(admin, names, wanted);
        // kafkajs sends nothing to a partition missing from its producer's metadata (silently): a
        // new producer reads fresh metadata before its first send.
        this.producerStale = true;
        this.logger.info({ marketId, partitions: Object.fromEntries(this.partitions) }, 'kafka-sink: partitions ready for market');
        return;
      } catch (error) {
        lastError = error;
        await sleep(200 * (attempt + 1));
      }
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    this.logger.error({ marketId, error: reason }, 'kafka-sink: market cannot be placed');
    throw new PlacementError(`market ${marketId} cannot be placed on Kafka topics ${names.join(', ')}: ${reason}`);
  }

  private async awaitPartitions(admin: Admin, names: readonly string[], wanted: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const meta = await admin.fetchTopicMetadata({ topics: [...names] });
      let ready = true;
      for (const t of meta.topics) {
        const led = t.partitions.filter((p) => p.leader >= 0).length;
        if (led < wanted || led < t.partitions.length) ready = false;
        this.partitions.set(t.name, t.partitions.length);
      }
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`partitions of ${names.join(', ')} have no leader after 10 s`);
      await sleep(100);
    }
  }

  private async adminClient(): Promise<Admin> {
    if (this.admin) return this.admin;
    const admin = this.kafka.admin({ retry: { retries: 2 } });
    await admin.connect();
    this.admin = admin;
    return admin;
  }

  /**
   * Queues one event (never blocks, never throws). An event whose market has no partition is
   * refused: counted and logged, never sent elsewhere.
   */
  publish(event: FeedEvent): void {
    if (this.closed) {
      this.counts.dropped[event.kind]++;
      return;
    }
    if (this.fencedMarkets.has(event.marketId)) {
      this.counts.fenced++;
      return;
    }
    const topic = this.topics[event.kind];
    if ((this.partitions.get(topic) ?? 0) <= event.marketId) {
      this.counts.refused++;
      this.logger.error({ marketId: event.marketId, topic }, 'kafka-sink: event refused: its market has no partition (ensureMarket first)');
      return;
    }
    const encoded = encodeEvent(event, this.encoding);
    if (event.kind === 'status' && this.epochs.get(event.marketId) !== String(event.epoch)) {
      this.epochs.set(event.marketId, String(event.epoch));
      for (const byMarket of Object.values(this.headers)) byMarket.delete(event.marketId);
    }
    // When this node saw it, not the venue's clock: Kafka's retention (and its optional limits on
    // timestamps far from the broker's clock) go by the record timestamp, and a replay of an old
    // recording must not be deleted at the broker's next retention check (the exchange time is in
    // the value).
    const time = event.kind === 'status' ? event.time : event.receiveTime;
    const message: Message = {
      partition: event.marketId,
      key: String(event.marketId),
      value: encoded.value,
      timestamp: String(Math.floor(time / 1000)),
      headers: this.headersOf(event, encoded.contentType, encoded.schema),
    };
    const pending = { event, topic, message, size: encoded.value.length + 128 };
    if (event.kind === 'spread') {
      this.spreads.push(pending);
      if (this.spreads.length > this.spreadLimit) this.conflateSpreads();
    } else {
      this.urgent.push(pending);
      if (this.urgent.length > this.bufferLimit) {
        const dropped = this.urgent.dropOldest(this.urgent.length - this.bufferLimit);
        for (const d of dropped) this.counts.dropped[d.event.kind]++;
        this.logger.error({ dropped: dropped.length, bufferLimit: this.bufferLimit }, 'kafka-sink: buffer full, oldest trades/statuses dropped');
      }
    }
    this.schedule();
  }

  /**
   * A market's record headers, built once per kind and epoch and shared by its records: kafkajs
   * encodes every header of every record, and building them per record cost about a tenth of the
   * node's throughput (`npm run bench -- node`).
   */
  private headersOf(event: FeedEvent, contentType: string, schema: string): IHeaders {
    const byMarket = this.headers[event.kind];
    let headers = byMarket.get(event.marketId);
    if (!headers) {
      headers = {
        'content-type': Buffer.from(contentType),
        schema: Buffer.from(schema),
        'level4-epoch': Buffer.from(this.epochs.get(event.marketId) ?? '0'),
        // The node on statuses only (rare records): every header costs on every record, and the
        // epoch alone tells the owner (its Status says which node that is).
        ...(this.node === undefined || event.kind !== 'status' ? {} : { 'level4-node': Buffer.from(this.node) }),
      };
      byMarket.set(event.marketId, headers);
    }
    return headers;
  }

  /** Keeps the latest waiting spread of each market (a consumer of spreads wants the current top). */
  private conflateSpreads(): void {
    const latest = new Map<number, Pending>();
    for (const p of this.spreads.toArray()) latest.set(p.event.marketId, p);
    const keep = new Set(latest.values());
    const before = this.spreads.length;
    this.spreads.retain((p) => keep.has(p));
    const dropped = before - this.spreads.length;
    this.counts.dropped.spread += dropped;
    this.logger.warn({ dropped, markets: latest.size }, 'kafka-sink: spread backlog conflated to the latest per market');
  }

  private get pendingCount(): number {
    return this.urgent.length + this.spreads.length;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.sending) return;
    this.timer = setTimeout(() => void this.drain(), this.pendingCount >= this.maxBatch ? 0 : this.lingerMs);
  }

  private async producerClient(): Promise<Producer> {
    if (this.producer && !this.producerStale) return this.producer;
    if (this.producer) {
      const old = this.producer;
      this.producer = undefined;
      await old.disconnect().catch(() => undefined);
    }
    this.producerStale = false;
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  /**
   * Drops the events of a market still waiting to be sent, and refuses its later ones until
   * `ensureMarket` places it again: the market moved to another node, and what this node saw of it
   * must not reach Kafka after the new owner's records. Returns how many were dropped.
   */
  fence(marketId: number): number {
    const before = this.pendingCount;
    const other = (p: Pending) => p.event.marketId !== marketId;
    this.urgent.retain(other);
    this.spreads.retain(other);
    this.fencedMarkets.add(marketId);
    const dropped = before - this.pendingCount;
    this.counts.fenced += dropped;
    if (dropped > 0) this.logger.warn({ marketId, dropped }, 'kafka-sink: events of a market that moved to another node dropped unsent');
    return dropped;
  }

  private async drain(): Promise<void> {
    this.timer = undefined;
    this.sending = true;
    let failures = 0;
    while (this.pendingCount > 0) {
      if (this.canSend && !this.canSend() && !this.closed) {
        // Held, not failed: look again shortly.
        this.sending = false;
        this.timer = setTimeout(() => void this.drain(), 50);
        return;
      }
      // Trades and statuses first: they are the ones that must not be lost.
      const batch = this.nextBatch();
      const byTopic = new Map<string, Message[]>();
      for (const p of batch) {
        let list = byTopic.get(p.topic);
        if (!list) byTopic.set(p.topic, (list = []));
        list.push(p.message);
      }
      const started = performance.now();
      this.inFlight = batch;
      try {
        const producer = await this.producerClient();
        const acks = await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), acks: -1, compression: this.compression });
        this.inFlight = [];
        const unacked = this.unacknowledged(batch, acks);
        const latencyMs = performance.now() - started;
        this.counts.batches++;
        if (unacked.length > 0) {
          // The client skipped partitions it did not know: keep those events, refresh the producer.
          this.producerStale = true;
          this.requeue(unacked);
          throw new Error(`${unacked.length} records had no acknowledgement for their partition`);
        }
        for (const p of batch) this.counts.sent[p.event.kind]++;
        failures = 0;
        this.onBatch?.({ ok: true, records: batch.length, latencyMs, events: batch.map((p) => p.event) });
      } catch (error) {
        this.inFlight = [];
        const only = batch.length === 1 ? (batch[0] as Pending) : undefined;
        if (only && (error as { type?: string }).type === 'MESSAGE_TOO_LARGE') {
          // One record the broker will never take: waiting would stop everything behind it.
          this.counts.dropped[only.event.kind]++;
          this.logger.error({ marketId: only.event.marketId, bytes: only.size }, 'kafka-sink: record larger than the broker accepts, dropped');
          continue;
        }
        if (!(error instanceof Error && error.message.endsWith('for their partition'))) this.requeue(batch);
        this.counts.sendErrors++;
        failures++;
        this.onBatch?.({ ok: false, records: batch.length, latencyMs: performance.now() - started, events: [] });
        const now = Date.now();
        if (now - this.lastErrorLog > 10_000 || failures === 1) {
          this.lastErrorLog = now;
          this.logger.error(
            { error: error instanceof Error ? error.message : String(error), waiting: this.pendingCount, failures },
            'kafka-sink: send failed; events kept and retried',
          );
        }
        if (this.closed && failures >= 3) break;
        this.producerStale = true;
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)));
      }
    }
    this.sending = false;
    if (this.pendingCount === 0) for (const resolve of this.idle.splice(0)) resolve();
    else if (!this.closed) this.schedule();
  }

  /**
   * The next produce request: trades and statuses first (they are the ones that must not be lost),
   * then spreads, in queue order, until the record limit or until a partition's share would pass
   * `maxPartitionBytes` (the rest waits for the next request).
   */
  private nextBatch(): Pending[] {
    const bytes = new Map<string, number>();
    let full = false;
    const fits = (p: Pending): boolean => {
      if (full) return false;
      const key = `${p.topic}\u0000${p.message.partition}`;
      const size = (bytes.get(key) ?? 0) + p.size;
      // One record alone always goes (the broker says whether it is too large).
      if (size > this.maxPartitionBytes && bytes.has(key)) {
        full = true;
        return false;
      }
      bytes.set(key, size);
      return true;
    };
    const batch = this.urgent.takeWhile(this.maxBatch, fits);
    if (!full && batch.length < this.maxBatch) batch.push(...this.spreads.takeWhile(this.maxBatch - batch.length, fits));
    return batch;
  }

  private requeue(batch: readonly Pending[]): void {
    this.urgent.unshiftAll(batch.filter((p) => p.event.kind !== 'spread'));
    this.spreads.unshiftAll(batch.filter((p) => p.event.kind === 'spread'));
  }

  /** The events whose topic-partition got no acknowledgement. */
  private unacknowledged(batch: readonly Pending[], acks: readonly RecordMetadata[]): Pending[] {
    const acked = new Set(acks.filter((a) => a.errorCode === 0).map((a) => `${a.topicName}\u0000${a.partition}`));
    return batch.filter((p) => !acked.has(`${p.topic}\u0000${p.message.partition}`));
  }

  /** Resolves when everything queued so far has been acknowledged (or `timeoutMs` passed: false). */
  async flush(timeoutMs = 10_000): Promise<boolean> {
    if (this.pendingCount === 0 && !this.sending) return true;
    this.schedule();
    const done = new Promise<true>((resolve) => this.idle.push(() => resolve(true)));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const result = await Promise.race([done, late]);
    clearTimeout(timer);
    return result;
  }

  /** Events waiting for Kafka, by kind. */
  private backlog(): Record<EventKind, number> {
    const queued = { spread: this.spreads.length, trade: 0, status: 0 };
    for (const p of this.urgent.toArray()) queued[p.event.kind]++;
    for (const p of this.inFlight) queued[p.event.kind]++;
    return queued;
  }

  stats(): SinkStats {
    return {
      connected: this.producer !== undefined && !this.producerStale,
      queued: this.backlog(),
      sent: { ...this.counts.sent },
      dropped: { ...this.counts.dropped },
      refused: this.counts.refused,
      fenced: this.counts.fenced,
      sendErrors: this.counts.sendErrors,
      batches: this.counts.batches,
      partitions: Object.fromEntries(this.partitions),
    };
  }

  /** Flushes (up to `timeoutMs`), then disconnects. Events still waiting are counted as dropped and logged. */
  async close(timeoutMs = 10_000): Promise<void> {
    const flushed = await this.flush(timeoutMs);
    this.closed = true;
    if (!flushed) {
      const left = [...this.urgent.take(Infinity), ...this.spreads.take(Infinity)];
      for (const p of left) this.counts.dropped[p.event.kind]++;
      this.logger.error({ dropped: left.length }, 'kafka-sink: closed with events Kafka never acknowledged');
    }
    if (this.timer) clearTimeout(this.timer);
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}

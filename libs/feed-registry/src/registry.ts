import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { silentLogger, type FeedLogger } from '@level4/feed';
import { Kafka, logLevel, type Admin, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import { decodeAssignment, encodeAssignment, isMarketKey, keyOf, type Assignment, type RegistryChange } from './records.js';

export const DEFAULT_REGISTRY_TOPIC = 'level4.feeds';
const BARRIER = 'barrier:';
const BATCH_MS = 10;

export interface FeedRegistryOptions {
  /** `host:port` of one or more brokers. */
  readonly brokers: readonly string[];
  /** The compacted topic of desired feeds (default `level4.feeds`); created with one partition when missing. */
  readonly topic?: string;
  readonly clientId?: string;
  /** Replication factor when the topic is created (default: the broker's default). */
  readonly replicationFactor?: number;
  readonly logger?: FeedLogger;
  /** How long a change keeps trying (lock contention, Kafka away) before it fails (default 20 s). */
  readonly changeTimeoutMs?: number;
  /**
   * Names this reader's barrier records (default: random). A node gives its name, so that compaction
   * keeps one barrier per node however often it calls `sync`.
   */
  readonly reader?: string;
}

/** The registry as a change sees it: committed assignments plus the ones queued before it in the same round. */
export interface RegistryView {
  get(marketId: number): Assignment | undefined;
  list(): readonly Assignment[];
}

/** What `change` decides from the view: the records to write (none is fine). Throw to refuse. */
export type Decide = (view: RegistryView) => readonly RegistryChange[];

export interface RegistryStats {
  /** Market records applied from the topic. */
  readonly records: number;
  /** Records that could not be read (counted, logged, ignored). */
  readonly malformed: number;
  /** Transactions committed by this registry. */
  readonly commits: number;
  /** Rounds that lost the writer lock to another node and ran again. */
  readonly conflicts: number;
}

/** What this registry saw of another reader's barriers (each `sync` writes one). */
export interface ReaderSeen {
  /** Date.now() here when its last barrier arrived. */
  readonly lastSeenMs: number;
  /** Its last barrier said it was leaving (`leave()`). */
  readonly leaving: boolean;
}

export interface RegistryEvents {
  /** A market's assignment changed (`after` undefined: removed). */
  change: [marketId: number, after: Assignment | undefined, before: Assignment | undefined];
}

interface Pending {
  readonly decide: Decide;
  readonly resolve: (assignments: readonly Assignment[]) => void;
  readonly reject: (error: unknown) => void;
  /** Refused by its decide: a round that runs again must not decide it again. */
  refused?: boolean;
}

/**
 * The cluster's desired feeds, read from a compacted Kafka topic (key = market id, value = market and
 * node, tombstone = stopped), and changed compare-and-set style.
 *
 * Every change is a Kafka transaction under one transactional id shared by the whole cluster.
 * Starting one fences whoever held the id before (Kafka aborts or completes their transaction and
 * refuses their later writes), so changes are serialized cluster-wide: a round takes the lock, writes a
 * barrier record and reads the topic up to it (everything committed before is then known), decides on
 * that state, and commits. A round that lost the lock to another node meanwhile fails to commit and
 * runs again on the newer state. So of two nodes starting the same market at the same moment exactly
 * one writes it; the other's decide sees it and refuses.
 */
export class FeedRegistry extends EventEmitter<RegistryEvents> {
  readonly topic: string;
  private readonly kafka: Kafka;
  private readonly logger: FeedLogger;
  private readonly replicationFactor: number | undefined;
  private readonly transactionalId: string;
  private readonly changeTimeoutMs: number;
  private readonly barrierKey: string;
  private readonly state = new Map<number, Assignment>();
  private readonly queue: Pending[] = [];
  private readonly waiters: { offset: number; resolve: () => void }[] = [];
  private consumer: Consumer | undefined;
  private barrierProducer: Producer | undefined;
  private applied = -1;
  /** Barriers at or after this offset were written while this registry was reading (not history). */
  private liveFrom = Number.POSITIVE_INFINITY;
  private readonly seen = new Map<string, ReaderSeen>();
  private running = false;
  private closed = false;
  private readonly counts = { records: 0, malformed: 0, commits: 0, conflicts: 0 };

  constructor(options: FeedRegistryOptions) {
    super();
    this.topic = options.topic ?? DEFAULT_REGISTRY_TOPIC;
    this.logger = options.logger ?? silentLogger;
    this.replicationFactor = options.replicationFactor;
    this.transactionalId = `${this.topic}.writer`;
    this.changeTimeoutMs = options.changeTimeoutMs ?? 20_000;
    this.barrierKey = `${BARRIER}${options.reader ?? randomUUID()}`;
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'level4-feed-registry',
      brokers: [...options.brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
  }

  /** Creates the topic if needed, reads it to its end, and follows it from then on. */
  async start(): Promise<void> {
    await this.ensureTopic();
    this.barrierProducer = this.kafka.producer({ allowAutoTopicCreation: false });
    await this.barrierProducer.connect();
    // A group of its own (never committed): every node reads the whole topic.
    this.consumer = this.kafka.consumer({ groupId: `${this.topic}.reader.${randomUUID()}`, readUncommitted: false, maxWaitTimeInMs: 1_000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachMessage: async ({ message }) => this.apply(message) });
    this.liveFrom = await this.sync();
  }

  /**
   * Resolves once every change committed before the call is applied here, with an offset that every
   * assignment written after the call exceeds (a node tells its own earlier assignments by it).
   */
  async sync(): Promise<number> {
    const producer = this.barrierProducer;
    if (!producer) throw new Error('feed registry is not started');
    const [meta] = await producer.send({ topic: this.topic, messages: [{ key: this.barrierKey, value: null, partition: 0 }] });
    const offset = Number(meta?.baseOffset ?? -1);
    await this.appliedThrough(offset);
    return offset;
  }

  get(marketId: number): Assignment | undefined {
    return this.state.get(marketId);
  }

  list(): Assignment[] {
    return [...this.state.values()];
  }

  /**
   * The readers whose barriers this registry has read since it started (by `reader` name): a node
   * that keeps calling `sync` shows that it reads the registry, so it still holds its feeds.
   */
  readers(): ReadonlyMap<string, ReaderSeen> {
    return this.seen;
  }

  /** Writes a last barrier that says this reader is leaving: the others need not wait for its silence. */
  async leave(): Promise<void> {
    await this.barrierProducer?.send({ topic: this.topic, messages: [{ key: this.barrierKey, value: 'leaving', partition: 0 }] });
  }

  /**
   * Runs `decide` on the registry as it stands cluster-wide while holding the writer lock, writes
   * what it returns, and resolves with those markets' assignments once applied here. Changes queued
   * on this node within 10 ms, or while a transaction is under way, share one transaction; each
   * sees the ones before it.
   */
  change(decide: Decide): Promise<readonly Assignment[]> {
    if (this.closed) return Promise.reject(new Error('feed registry is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ decide, resolve, reject });
      if (this.running) return;
      // A few ms of company: starts that arrive together (an operator's batch, a failover) share one
      // transaction, and their feeds then subscribe together.
      this.running = true;
      setTimeout(() => void this.drain(), BATCH_MS);
    });
  }

  stats(): RegistryStats {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('feed registry is closed'));
    await this.consumer?.disconnect().catch(() => undefined);
    await this.barrierProducer?.disconnect().catch(() => undefined);
  }

  private async ensureTopic(): Promise<void> {
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(this.topic)) {
        await admin
          .createTopics({
            waitForLeaders: true,
            topics: [
              {
                topic: this.topic,
                numPartitions: 1,
                ...(this.replicationFactor === undefined ? {} : { replicationFactor: this.replicationFactor }),
                // Hourly segments: compaction (which skips the active segment) keeps the topic at about
                // one record per market and one barrier per node.
                configEntries: [
                  { name: 'cleanup.policy', value: 'compact' },
                  { name: 'segment.ms', value: '3600000' },
                ],
              },
            ],
          })
          .catch((error: unknown) => {
            // Another node created it at the same moment.
            if (!String((error as Error).message).includes('already exists')) throw error;
          });
      }
    } finally {
      await admin.disconnect();
    }
  }

  private apply(message: KafkaMessage): void {
    const offset = Number(message.offset);
    const key = message.key?.toString() ?? '';
    if (isMarketKey(key)) {
      const marketId = Number(key);
      const before = this.state.get(marketId);
      let after: Assignment | undefined;
      if (message.value !== null) {
        const decoded = decodeAssignment(marketId, message.value.toString(), offset);
        if (decoded instanceof Error) {
          this.counts.malformed++;
          this.logger.error({ topic: this.topic, offset, key, error: decoded.message }, 'feed registry: record ignored');
        } else after = decoded;
      }
      if (after !== undefined || message.value === null) {
        this.counts.records++;
        if (after) this.state.set(marketId, after);
        else this.state.delete(marketId);
        this.emit('change', marketId, after, before);
      }
    } else if (key.startsWith(BARRIER) && offset >= this.liveFrom) {
      this.seen.set(key.slice(BARRIER.length), { lastSeenMs: Date.now(), leaving: message.value?.toString() === 'leaving' });
    }
    this.applied = offset;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i];
      if (w && w.offset <= offset) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  private appliedThrough(offset: number): Promise<void> {
    if (offset <= this.applied) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ offset, resolve }));
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const round = this.queue.splice(0);
        await this.round(round);
      }
    } finally {
      this.running = false;
    }
  }

  /** One locked round for the queued changes; runs again after losing the lock. */
  private async round(queued: Pending[]): Promise<void> {
    const deadline = Date.now() + this.changeTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      const round = queued.filter((p) => !p.refused);
      if (round.length === 0) return;
      // A fresh producer each round: its InitProducerId is what takes the lock from the last holder.
      const producer = this.kafka.producer({ transactionalId: this.transactionalId, maxInFlightRequests: 1, idempotent: true, transactionTimeout: 10_000 });
      let committed = false;
      try {
        await producer.connect();
        const transaction = await producer.transaction();
        try {
          await this.sync();
          const outcome = this.decideAll(round);
          const messages = outcome.flatMap((o) => o.records);
          if (messages.length === 0) {
            await transaction.abort();
            committed = true;
            for (const o of outcome) o.settle([]);
            return;
          }
          const [meta] = await transaction.send({ topic: this.topic, messages: messages.map((m) => ({ ...m, partition: 0 })) });
          await transaction.commit();
          committed = true;
          this.counts.commits++;
          const last = Number(meta?.baseOffset ?? -1) + messages.length - 1;
          await this.appliedThrough(last);
          for (const o of outcome) o.settle(o.changes.map((c) => this.state.get(c.marketId)).filter((a): a is Assignment => a !== undefined));
          return;
        } catch (error) {
          if (!committed) await transaction.abort().catch(() => undefined);
          throw error;
        }
      } catch (error) {
        if (committed || this.closed || Date.now() > deadline) {
          const reason = committed || this.closed ? error : new Error(`the feed registry (Kafka topic ${this.topic}) cannot be changed: ${(error as Error).message}`);
          for (const p of round) p.reject(reason); // a no-op for those already settled
          return;
        }
        this.counts.conflicts++;
        this.logger.info({ topic: this.topic, attempt, error: (error as Error).message }, 'feed registry: change not committed (lock taken by another node or Kafka away); running it again');
        await new Promise((r) => setTimeout(r, Math.min(2_000, 25 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random())));
      } finally {
        await producer.disconnect().catch(() => undefined);
      }
    }
  }

  /** Runs each queued decide on the state plus the changes before it; refusals settle at once. */
  private decideAll(round: Pending[]) {
    const working = new Map(this.state);
    const view: RegistryView = { get: (id) => working.get(id), list: () => [...working.values()] };
    const outcome: { changes: readonly RegistryChange[]; records: { key: string; value: string | null }[]; settle: (a: readonly Assignment[]) => void }[] = [];
    const at = Date.now() * 1_000;
    for (const p of round) {
      let changes: readonly RegistryChange[];
      try {
        changes = p.decide(view);
      } catch (error) {
        p.refused = true;
        p.reject(error);
        continue;
      }
      const records = changes.map((c) => {
        if (c.kind === 'remove') {
          working.delete(c.marketId);
          return { key: keyOf(c.marketId), value: null };
        }
        working.set(c.marketId, { marketId: c.marketId, market: c.market, node: c.node, epoch: -1, at });
        return { key: keyOf(c.marketId), value: encodeAssignment(c, at) };
      });
      outcome.push({ changes, records, settle: p.resolve });
    }
    return outcome;
  }
}

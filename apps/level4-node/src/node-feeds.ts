import { FeedError, type FeedEngine, type FeedInfo, type FeedLogger, type Instrument, type MarketSpec } from '@level4/feed';
import type { Assignment, FeedRegistry } from '@level4/feed-registry';
import { PlacementError, toPbFeedState, toPbMarketType, type KafkaSink } from '@level4/kafka-sink';
import { FeedState as PbFeedState, GrpcStatus, RpcError, type Feed } from '@level4/rpc';

/** A StartFeed market after validation. */
export interface MarketRequest extends MarketSpec {
  readonly id: number;
}

/** The FeedError codes of the engine, as gRPC status codes. */
const CODES: Readonly<Record<string, GrpcStatus>> = {
  'invalid-market': GrpcStatus.INVALID_ARGUMENT,
  'already-running': GrpcStatus.ALREADY_EXISTS,
  'not-found': GrpcStatus.NOT_FOUND,
  unavailable: GrpcStatus.UNAVAILABLE,
};

export function fromFeedError(error: unknown): never {
  if (error instanceof FeedError) throw new RpcError(CODES[error.code] ?? GrpcStatus.INTERNAL, error.message);
  throw error;
}

const pbMarket = (id: number, market: MarketSpec) => ({
  id,
  venue: market.venue,
  marketType: toPbMarketType(market.type),
  base: market.base,
  quote: market.quote,
  symbol: market.symbol ?? '',
});

export function toFeed(info: FeedInfo, node: string): Feed {
  return {
    market: pbMarket(info.id, info.market),
    symbol: info.instrument.symbol,
    node,
    state: toPbFeedState(info.state),
    reason: info.reason,
    startedAtUs: info.since,
    counters: { ...info.counters },
    epoch: info.epoch,
  };
}

/** A feed the registry wants but no node reports running (moving off a dead node, or starting). */
export function pendingFeed(a: Assignment, reason: string, state = PbFeedState.FEED_STATE_PENDING): Feed {
  return { market: pbMarket(a.marketId, a.market), symbol: a.market.symbol ?? '', node: a.node, state, reason, startedAtUs: a.at, counters: undefined, epoch: a.epoch };
}

const sameInstrument = (m: MarketSpec, i: Instrument) => m.venue === i.venue && m.type === i.type && m.symbol === i.symbol;

export interface NodeFeedsOptions {
  readonly name: string;
  readonly maxFeeds: number;
  readonly engine: FeedEngine;
  readonly sink: KafkaSink;
  readonly registry: FeedRegistry;
  readonly logger: FeedLogger;
  /** Told when this node's running feeds changed (to push its load to the cluster). */
  readonly onLoad: () => void;
}

/**
 * The feeds of this node: what StartFeed and StopFeed do once a node is chosen, and what the
 * cluster's reconciliation does with the registry's assignments (run, fence, adopt). Every start
 * writes the assignment first (compare-and-set in the registry) and runs the feed with the epoch the
 * registry gave it, so a feed never runs without the cluster knowing who owns it.
 */
export class NodeFeeds {
  readonly name: string;
  readonly maxFeeds: number;
  private readonly engine: FeedEngine;
  private readonly sink: KafkaSink;
  private readonly registry: FeedRegistry;
  private readonly log: FeedLogger;
  private readonly onLoad: () => void;
  /** Starts in progress: they count against capacity and reconciliation leaves them alone. */
  private readonly starting = new Set<number>();

  constructor(options: NodeFeedsOptions) {
    this.name = options.name;
    this.maxFeeds = options.maxFeeds;
    this.engine = options.engine;
    this.sink = options.sink;
    this.registry = options.registry;
    this.log = options.logger;
    this.onLoad = options.onLoad;
  }

  isStarting(id: number): boolean {
    return this.starting.has(id);
  }

  /** Feeds this node runs, is starting, or is assigned by the registry (moved here, not yet running). */
  load(): number {
    const ids = new Set([...this.ids(), ...this.starting]);
    for (const a of this.registry.list()) if (a.node === this.name) ids.add(a.marketId);
    return ids.size;
  }

  /** StartFeed on this node: check, resolve, make partitions, assign in the registry, run. */
  async start(spec: MarketRequest): Promise<Feed> {
    const taken = this.registry.get(spec.id);
    if (taken || this.starting.has(spec.id) || this.engine.feed(spec.id)) {
      throw new RpcError(GrpcStatus.ALREADY_EXISTS, `market id ${spec.id} is already running on node ${taken?.node ?? this.name}`);
    }
    const hosted = this.load();
    if (hosted >= this.maxFeeds) {
      throw new RpcError(GrpcStatus.RESOURCE_EXHAUSTED, `node ${this.name} hosts ${hosted} of ${this.maxFeeds} feeds (MAX_DATA_FEEDS); stop a feed or add a node`);
    }
    this.starting.add(spec.id);
    try {
      // The market first (no topic grows for a market that does not exist), then its partitions
      // (the feed's first Status event must already have its own), then the cluster's word, then the feed.
      const instrument = await this.engine.resolve(spec).catch(fromFeedError);
      await this.place(spec.id);
      const market: MarketSpec = { venue: spec.venue, type: spec.type, base: spec.base, quote: spec.quote, symbol: instrument.symbol };
      const [assignment] = await this.change((view) => {
        const other = view.get(spec.id);
        if (other) throw new RpcError(GrpcStatus.ALREADY_EXISTS, `market id ${spec.id} is already running on node ${other.node}`);
        const same = view.list().find((a) => sameInstrument(a.market, instrument));
        if (same) throw new RpcError(GrpcStatus.ALREADY_EXISTS, `${instrument.venue} ${instrument.type} ${instrument.symbol} is already running as market id ${same.marketId} on node ${same.node}`);
        // Feeds moved here from a dead node count too.
        const mine = view.list().filter((a) => a.node === this.name).length;
        if (mine >= this.maxFeeds) throw new RpcError(GrpcStatus.RESOURCE_EXHAUSTED, `node ${this.name} hosts ${mine} of ${this.maxFeeds} feeds (MAX_DATA_FEEDS); stop a feed or add a node`);
        return [{ kind: 'assign', marketId: spec.id, market, node: this.name }];
      });
      if (!assignment) throw new RpcError(GrpcStatus.ABORTED, `market id ${spec.id} was stopped while it started`);
      const info = await this.engine.start({ ...spec, instrument, epoch: assignment.epoch }).catch(fromFeedError);
      this.log.info({ marketId: spec.id, symbol: instrument.symbol, epoch: assignment.epoch }, 'feed started');
      return toFeed(info, this.name);
    } finally {
      this.starting.delete(spec.id);
      this.onLoad();
    }
  }

  /**
   * Runs a feed the registry assigned to this node (moved here from a dead node, or adopted after a
   * restart). False when it could not start (the caller retries later).
   */
  async run(a: Assignment): Promise<boolean> {
    if (this.starting.has(a.marketId)) return true;
    this.starting.add(a.marketId);
    try {
      const instrument = await this.engine.resolve({ ...a.market });
      await this.place(a.marketId);
      // The registry may have moved on while we waited for the venue.
      const now = this.registry.get(a.marketId);
      if (now?.node !== this.name || now.epoch !== a.epoch) return true;
      const running = this.engine.feed(a.marketId);
      if (running) this.engine.stop(a.marketId, `restarting at epoch ${a.epoch}`);
      await this.engine.start({ id: a.marketId, ...a.market, instrument, epoch: a.epoch });
      this.log.info({ marketId: a.marketId, symbol: instrument.symbol, epoch: a.epoch }, 'feed taken over');
      return true;
    } catch (error) {
      this.log.warn({ marketId: a.marketId, error: (error as Error).message }, 'feed assigned to this node could not start; retrying');
      return false;
    } finally {
      this.starting.delete(a.marketId);
      this.onLoad();
    }
  }

  /**
   * Stops a feed the registry gave another node (fencing): nothing more of it leaves this node, not
   * even the events still waiting for Kafka, since the new owner publishes the market now.
   */
  fence(id: number, reason: string): void {
    if (this.engine.feed(id)) this.engine.stop(id, reason);
    const dropped = this.sink.fence(id);
    this.log.warn({ marketId: id, reason, dropped }, 'feed superseded: stopped here');
    this.onLoad();
  }

  /** Stops a feed the registry no longer wants (stopped through another node); its `stopped` goes out. */
  release(id: number, reason: string): void {
    if (!this.engine.feed(id)) return;
    this.engine.stop(id, reason);
    this.log.info({ marketId: id, reason }, 'feed stopped here');
    this.onLoad();
  }

  /** StopFeed on the node that runs the feed: the registry forgets it, then the feed stops. */
  async stop(id: number): Promise<Feed> {
    const [gone] = await this.removeAssignment(id);
    const info = this.engine.feed(id) ? this.engine.stop(id) : undefined;
    this.onLoad();
    if (info) return toFeed(info, this.name);
    return pendingFeed(gone, 'stopped', PbFeedState.FEED_STATE_STOPPED);
  }

  /** Removes a market from the registry wherever it runs; resolves with the assignment it had. */
  async removeAssignment(id: number): Promise<[Assignment]> {
    let removed: Assignment | undefined;
    await this.change((view) => {
      removed = view.get(id);
      if (!removed) throw new RpcError(GrpcStatus.NOT_FOUND, `market id ${id} is not running in the cluster`);
      return [{ kind: 'remove', marketId: id }];
    });
    return [removed as Assignment];
  }

  /** Market ids running on this node. */
  ids(): number[] {
    return this.engine.list().map((info) => info.id);
  }

  feed(id: number): FeedInfo | undefined {
    return this.engine.feed(id);
  }

  list(): Feed[] {
    return this.engine.list().map((info) => toFeed(info, this.name));
  }

  /** A registry change; a failure that is not the caller's answer means Kafka is away. */
  change(decide: Parameters<FeedRegistry['change']>[0]): Promise<readonly Assignment[]> {
    return this.registry.change(decide).catch((error: unknown) => {
      if (error instanceof RpcError) throw error;
      throw new RpcError(GrpcStatus.UNAVAILABLE, `the cluster's feed registry (Kafka topic ${this.registry.topic}) cannot be changed: ${(error as Error).message}`);
    });
  }

  private async place(id: number): Promise<void> {
    try {
      await this.sink.ensureMarket(id);
    } catch (error) {
      if (error instanceof PlacementError) throw new RpcError(GrpcStatus.UNAVAILABLE, error.message);
      throw error;
    }
  }
}

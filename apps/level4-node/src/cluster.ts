import type { FeedLogger } from '@level4/feed';
import type { Assignment, FeedRegistry, RegistryChange } from '@level4/feed-registry';
import type { Gossip, Member } from '@level4/gossip';
import { connectControl, GrpcStatus, NodeState, RpcError, type ControlApi, type ControlClientOptions, type Node } from '@level4/rpc';
import type { NodeFeeds } from './node-feeds.js';
import { placementOrder, type Candidate, type PlacementStrategy } from './placement.js';

/** The metadata key of a call one node forwards to another: the receiver answers for itself only. */
export const HOP_HEADER = 'level4-hop';

/** A node of the cluster as this node sees it (itself included). */
export interface ClusterNode {
  readonly name: string;
  /** gRPC host:port. */
  readonly address: string;
  readonly maxFeeds: number;
  readonly self: boolean;
  readonly node: Node;
}

export interface ClusterOptions {
  readonly feeds: NodeFeeds;
  readonly registry: FeedRegistry;
  readonly gossip: Gossip;
  readonly placement: PlacementStrategy;
  /** This node as ListNodes shows it. */
  readonly self: () => Node;
  /** Registry offset at start: assignments to this node's name below it are from its previous life. */
  readonly bootEpoch: number;
  /** A node whose registry reads (barriers) this node has not seen for this long no longer holds its feeds. */
  readonly deadAfterMs: number;
  /** A feed whose node this node has not heard of since it started (a restart of the whole cluster) moves after this long. */
  readonly orphanGraceMs: number;
  /** How forwarded calls reach other nodes (token, TLS). */
  readonly client: ControlClientOptions;
  readonly logger: FeedLogger;
}

const RECONCILE_EVERY_MS = 1_000;
/** A feed assigned here that failed to start is tried again after 2 s, doubling up to a minute. */
const RETRY_START_MS = 2_000;
const RETRY_START_MAX_MS = 60_000;

/**
 * The cluster from one node: its members (gossip), the desired feeds and their owners (registry),
 * placement, forwarding, and the reconciliation that makes this node run exactly what the registry
 * gives it — starting feeds assigned to it, stopping the ones assigned elsewhere (fencing: a node
 * that finds itself superseded stops at once), adopting its own after a restart, and, on the lowest
 * named live node, moving the feeds of dead nodes to live ones.
 */
export class Cluster {
  private readonly o: ClusterOptions;
  private readonly name: string;
  private readonly clients = new Map<string, ControlApi>();
  private readonly orphanSince = new Map<number, number>();
  private readonly retry = new Map<number, { at: number; waitMs: number }>();
  private unplacedLogged = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The reconciliation queued behind the running one (one at a time; requests meanwhile share it). */
  private queued: Promise<void> | undefined;
  private last: Promise<void> = Promise.resolve();
  private readonly schedule = (): Promise<void> => {
    if (this.closed) return Promise.resolve();
    if (this.queued) return this.queued;
    const run = this.last.then(async () => {
      this.queued = undefined;
      if (this.closed) return;
      await this.reconcile().catch((error: unknown) => this.o.logger.error({ error: (error as Error).message }, 'cluster: reconciliation failed'));
    });
    this.queued = run;
    this.last = run;
    return run;
  };

  constructor(options: ClusterOptions) {
    this.o = options;
    this.name = options.feeds.name;
  }

  start(): void {
    this.o.registry.on('change', this.schedule);
    this.o.gossip.on('joined', this.schedule);
    this.o.gossip.on('left', this.schedule);
    this.timer = setInterval(this.schedule, RECONCILE_EVERY_MS);
    this.schedule();
  }

  /**
   * Stops at once what the registry no longer gives this node: feeds assigned elsewhere (fenced:
   * their unsent records dropped) and feeds stopped through another node. Synchronous, so the lease
   * never waits for a reconciliation's own registry changes.
   */
  enforce(): void {
    const { registry, feeds } = this.o;
    for (const id of feeds.ids()) {
      if (feeds.isStarting(id)) continue;
      const a = registry.get(id);
      if (!a) feeds.release(id, 'stopped through another node');
      else if (a.node !== this.name) feeds.fence(id, `moved to node ${a.node} (epoch ${a.epoch})`);
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.o.registry.off('change', this.schedule);
    this.o.gossip.off('joined', this.schedule);
    this.o.gossip.off('left', this.schedule);
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  /** Live nodes, this one first; one entry per name (the most recently heard). */
  nodes(): ClusterNode[] {
    const self = this.o.self();
    const out: ClusterNode[] = [{ name: this.name, address: self.address, maxFeeds: self.maxFeeds, self: true, node: self }];
    const seen = new Set([this.name]);
    const alive = this.o.gossip.alive().sort((a, b) => b.lastSeenMs - a.lastSeenMs);
    for (const m of alive) {
      if (seen.has(m.meta.name)) continue;
      seen.add(m.meta.name);
      out.push({ name: m.meta.name, address: m.meta.address, maxFeeds: m.meta.maxFeeds, self: false, node: toNode(m) });
    }
    return out;
  }

  /** Live nodes with the feeds the registry gives each: what placement chooses from. */
  candidates(): (Candidate & { readonly node: ClusterNode })[] {
    const counts = countByNode(this.o.registry.list());
    return this.nodes().map((n) => ({ name: n.name, feeds: counts.get(n.name) ?? 0, maxFeeds: n.maxFeeds, node: n }));
  }

  /** The live node of that name (undefined when it is not a live member). */
  node(name: string): ClusterNode | undefined {
    return this.nodes().find((n) => n.name === name);
  }

  /**
   * A client for another node's control API; its calls are marked as forwarded. Starts and stops
   * may wait for a venue and for Kafka (15 s); reads that fan out to every node must not wait on a
   * node that hangs (3 s).
   */
  client(address: string, use: 'change' | 'read' = 'change'): ControlApi {
    const key = `${use} ${address}`;
    let c = this.clients.get(key);
    if (!c) {
      c = connectControl(address, { ...this.o.client, deadlineMs: use === 'change' ? 15_000 : 3_000, metadata: { [HOP_HEADER]: this.name } });
      this.clients.set(key, c);
    }
    return c;
  }

  private async reconcile(): Promise<void> {
    const { registry, feeds, logger } = this.o;
    const alive = new Set(this.nodes().map((n) => n.name));
    const now = Date.now();
    const adopt: Assignment[] = [];
    const orphans: Assignment[] = [];
    this.enforce();
    const assigned = registry.list();
    const wanted = new Set(assigned.map((a) => a.marketId));
    for (const a of assigned) {
      if (a.node === this.name) {
        this.orphanSince.delete(a.marketId);
        if (feeds.isStarting(a.marketId) || feeds.feed(a.marketId)?.epoch === a.epoch) continue;
        if (a.epoch < this.o.bootEpoch) {
          adopt.push(a);
        } else if ((this.retry.get(a.marketId)?.at ?? 0) <= now) {
          void feeds.run(a).then((ok) => {
            if (ok) return this.retry.delete(a.marketId);
            const waitMs = Math.min(RETRY_START_MAX_MS, (this.retry.get(a.marketId)?.waitMs ?? RETRY_START_MS / 2) * 2);
            return this.retry.set(a.marketId, { at: Date.now() + waitMs, waitMs });
          });
        }
        continue;
      }
      if (this.holdsLease(a.node, now)) this.orphanSince.delete(a.marketId);
      else {
        if (!this.orphanSince.has(a.marketId)) this.orphanSince.set(a.marketId, now);
        orphans.push(a);
      }
    }
    for (const id of [...this.orphanSince.keys()]) if (!wanted.has(id)) this.orphanSince.delete(id);
    for (const id of [...this.retry.keys()]) if (registry.get(id)?.node !== this.name) this.retry.delete(id);

    if (adopt.length > 0) {
      // This node's feeds from before its restart: take them back under a new epoch, unless another
      // node took them meanwhile (compare-and-set on the epoch they had).
      await registry.change((view) => adopt.filter((a) => view.get(a.marketId)?.epoch === a.epoch).map((a) => ({ kind: 'assign', marketId: a.marketId, market: a.market, node: this.name })));
      logger.info({ feeds: adopt.length }, 'cluster: feeds of this node before its restart taken back');
    }
    if (orphans.length > 0) await this.moveOrphans(orphans, alive, now);
  }

  /**
   * Whether a node still holds its feeds: its registry reads (barriers, several per lease) arrived
   * within deadAfterMs. A node stops publishing when its own reads are older than half of that (its
   * lease), so by the time the others move its feeds it has stopped — whatever gossip says. A node
   * cut off from the others' gossip but not from Kafka keeps its feeds (no churn in a partition); a
   * node cut off from Kafka loses them to nodes that can publish.
   */
  holdsLease(node: string, now = Date.now()): boolean {
    if (node === this.name) return true;
    const seen = this.o.registry.readers().get(node);
    return seen !== undefined && !seen.leaving && now - seen.lastSeenMs < this.o.deadAfterMs;
  }

  /** On the lowest named live node: feeds of nodes that lost their lease go to live ones with room. */
  private async moveOrphans(orphans: readonly Assignment[], alive: ReadonlySet<string>, now: number): Promise<void> {
    const { registry, gossip, logger } = this.o;
    const janitor = [...alive].sort()[0] === this.name;
    // Members the gossip saw die: silent for the death time while this node listened, so no barrier
    // of theirs can have been missed (this node read the registry before it joined the gossip).
    const died = new Set(gossip.members().flatMap((m) => ((m.state === 'dead' || m.state === 'left') && !alive.has(m.meta.name) ? [m.meta.name] : [])));
    const due = orphans.filter((a) => {
      const waited = now - (this.orphanSince.get(a.marketId) ?? now);
      // Its node read the registry since this node started and then stopped (or left), or the gossip
      // saw it die: move now. Not heard of since this node started (a restart of the whole cluster):
      // give it time to come back for its feeds. The lowest named live node moves them; any node
      // does if that one has not after three grace periods.
      const lapsed = registry.readers().has(a.node) || died.has(a.node) || waited >= this.o.orphanGraceMs;
      return (janitor && lapsed) || waited >= 3 * this.o.orphanGraceMs;
    });
    if (due.length === 0) return;
    // Only to nodes that hold their lease: a node that cannot read the registry would never start them.
    const nodes = this.nodes().filter((n) => this.holdsLease(n.name, now));
    let unplaced = 0;
    const moved = await registry.change((view) => {
      const counts = countByNode(view.list());
      const changes: RegistryChange[] = [];
      unplaced = 0;
      for (const a of [...due].sort((x, y) => x.marketId - y.marketId)) {
        const current = view.get(a.marketId);
        if (current?.node !== a.node || current.epoch !== a.epoch) continue;
        const [target] = placementOrder(
          nodes.map((n) => ({ name: n.name, feeds: counts.get(n.name) ?? 0, maxFeeds: n.maxFeeds })),
          this.o.placement,
        );
        if (!target) {
          unplaced++;
          continue;
        }
        counts.set(target.name, (counts.get(target.name) ?? 0) + 1);
        changes.push({ kind: 'assign', marketId: a.marketId, market: a.market, node: target.name });
      }
      return changes;
    });
    if (moved.length > 0) logger.warn({ feeds: moved.length, to: [...new Set(moved.map((m) => m.node))], from: [...new Set(due.map((a) => a.node))] }, 'cluster: feeds of a dead node moved');
    // Said once per change of the count, not every second while the cluster stays full.
    if (unplaced > 0 && unplaced !== this.unplacedLogged) logger.error({ feeds: unplaced }, 'cluster: feeds of a dead node wait for a free place (every live node is full)');
    this.unplacedLogged = unplaced;
  }
}

function countByNode(assignments: readonly Assignment[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of assignments) counts.set(a.node, (counts.get(a.node) ?? 0) + 1);
  return counts;
}

function toNode(m: Member): Node {
  return {
    name: m.meta.name,
    address: m.meta.address,
    feeds: m.meta.feeds,
    maxFeeds: m.meta.maxFeeds,
    version: m.meta.version ?? '',
    startedAtUs: m.meta.startedAtUs ?? 0,
    state: m.state === 'suspect' ? NodeState.NODE_STATE_SUSPECT : NodeState.NODE_STATE_ALIVE,
    gossipAddress: m.gossipAddress,
  };
}

/** A forwarded call's failure, as the same status for our caller. */
export function forwardedError(error: unknown, node: string): RpcError {
  const e = error as { code?: number; details?: string; message?: string };
  if (typeof e.code === 'number' && e.code in GrpcStatus) return new RpcError(e.code, e.details || `node ${node} failed`);
  return new RpcError(GrpcStatus.UNAVAILABLE, `node ${node} did not answer: ${e.message ?? String(error)}`);
}

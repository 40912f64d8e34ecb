import type { FeedLogger } from '@level4/feed';
import type { FeedRegistry } from '@level4/feed-registry';

/**
 * A node's hold on its feeds. The node publishes only while it has read the feed registry to its
 * end, and acted on it (moved feeds fenced), within `ms`; each read writes a barrier the other nodes
 * see, and they move a node's feeds only once its barriers have stopped for twice `ms` (the death
 * time). So a node that was frozen or cut off from Kafka has stopped publishing before anyone takes
 * its feeds, and when it comes back it publishes again only after it knows which are still its own.
 */
export class Lease {
  private from = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;
  private closing = false;

  constructor(
    private readonly registry: FeedRegistry,
    /** Stops at once what the registry no longer gives the node (the cluster's fencing). */
    private readonly enforce: () => void,
    readonly ms: number,
    private readonly log: FeedLogger,
  ) {}

  /** Renews it four times per lease from now on. */
  start(): void {
    this.from = Date.now();
    this.timer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.ms / 4)));
  }

  /** Whether the node may publish now. */
  valid(): boolean {
    return this.closing || Date.now() - this.from < this.ms;
  }

  ageMs(): number {
    return Math.max(0, Date.now() - this.from);
  }

  /**
   * Stops renewing. The node shuts down: the feeds it stops and the records it flushes are still its
   * own, since the others take them over only once it says it leaves (`FeedRegistry.leave`).
   */
  shutdown(): void {
    clearInterval(this.timer);
    this.closing = true;
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    // Everything committed before `started` is read and acted on: the lease holds from then.
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    // A read that hangs (Kafka half away) must not stop the next ones.
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${4 * this.ms} ms`)), 4 * this.ms)));
    try {
      await Promise.race([this.registry.sync().then(() => this.enforce()), late]);
      this.from = started;
    } catch (error) {
      this.log.warn({ error: (error as Error).message }, 'cluster: feed registry not read; records held until it is');
    } finally {
      clearTimeout(timer);
      this.renewing = false;
    }
  }
}

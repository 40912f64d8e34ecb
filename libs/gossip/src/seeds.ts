import type { ENR } from '@chainsafe/enr';
import type { RecordCache } from './record.js';
import type { GossipLogger } from './types.js';

/** A resolveSeed that hangs must not stop the seed from being tried again. */
const RESOLVE_TIMEOUT_MS = 10_000;

interface Seed {
  readonly text: string;
  enr: ENR | undefined;
  nextTryAtMs: number;
  resolving: boolean;
}

/**
 * The configured seeds: how a node finds its first member, and finds the cluster again after a
 * partition or a restart of the seed (a 'host:port' seed is resolved again on every try, since a
 * restarted node has a new record).
 */
export class SeedList {
  private readonly seeds: Seed[];

  /** Throws a clear Error for an 'enr:' seed that is not a valid record. */
  constructor(
    texts: readonly string[],
    private readonly resolveSeed: ((seed: string) => Promise<string>) | undefined,
    private readonly cache: RecordCache,
    private readonly logger: GossipLogger,
  ) {
    this.seeds = texts.map((text) => {
      let enr: ENR | undefined;
      if (text.startsWith('enr:')) {
        enr = cache.decodeText(text);
        if (!enr) throw new Error(`gossip: seed '${text.slice(0, 24)}...' is not a valid ENR text`);
      }
      return { text, enr, nextTryAtMs: 0, resolving: false };
    });
  }

  /**
   * Tries every seed that is due and not an alive member: `probe` gets its record (after resolving
   * a 'host:port' seed; resolve failures are logged and retried after `retryMs`).
   */
  tick(nowMs: number, retryMs: number, isAliveMember: (id: string) => boolean, probe: (enr: ENR) => void): void {
    for (const seed of this.seeds) {
      if (seed.resolving || nowMs < seed.nextTryAtMs) continue;
      if (seed.enr && isAliveMember(seed.enr.nodeId)) continue;
      seed.nextTryAtMs = nowMs + retryMs;
      const resolveSeed = this.resolveSeed;
      if (seed.text.startsWith('enr:') || !resolveSeed) {
        if (seed.enr) probe(seed.enr);
        continue;
      }
      seed.resolving = true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`resolveSeed gave no answer in ${RESOLVE_TIMEOUT_MS} ms`)), RESOLVE_TIMEOUT_MS);
      });
      Promise.race([Promise.resolve().then(() => resolveSeed(seed.text)), timeout])
        .then((text) => {
          const enr = typeof text === 'string' ? this.cache.decodeText(text) : undefined;
          if (!enr) throw new Error('resolveSeed did not return a valid ENR text');
          seed.enr = enr;
          probe(enr);
        })
        .catch((error: unknown) => this.logger.debug({ seed: seed.text, err: (error as Error)?.message ?? String(error) }, 'gossip: seed not resolved'))
        .finally(() => {
          clearTimeout(timer);
          seed.resolving = false;
        });
    }
  }
}

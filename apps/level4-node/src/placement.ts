/** A node as placement sees it: its name and how many feeds it may still take. */
export interface Candidate {
  readonly name: string;
  /** Feeds assigned to it (from the feed registry: the cluster-wide truth, not the gossip load). */
  readonly feeds: number;
  readonly maxFeeds: number;
}

export type PlacementStrategy = 'random' | 'least-loaded';

/**
 * The nodes with a free place, in the order StartFeed tries them: shuffled (random, the seed's
 * behaviour) or by load (feeds / maxFeeds, then most free places; ties shuffled so that equal nodes
 * share the work).
 */
export function placementOrder<C extends Candidate>(candidates: readonly C[], strategy: PlacementStrategy, random: () => number = Math.random): C[] {
  const free = candidates.filter((c) => c.feeds < c.maxFeeds);
  for (let i = free.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [free[i], free[j]] = [free[j] as C, free[i] as C];
  }
  if (strategy === 'least-loaded') free.sort((a, b) => a.feeds / a.maxFeeds - b.feeds / b.maxFeeds || b.maxFeeds - b.feeds - (a.maxFeeds - a.feeds));
  return free;
}

/** The sentence a full cluster answers StartFeed with. */
export function capacityMessage(candidates: readonly Candidate[]): string {
  const total = candidates.reduce((n, c) => n + c.maxFeeds, 0);
  const used = candidates.reduce((n, c) => n + Math.min(c.feeds, c.maxFeeds), 0);
  const nodes = candidates.length === 1 ? '1 node' : `${candidates.length} nodes`;
  return `the cluster is full: ${used} of ${total} feeds in use on ${nodes} (${candidates.map((c) => `${c.name} ${c.feeds}/${c.maxFeeds}`).join(', ')}); stop a feed, raise MAX_DATA_FEEDS or add a node`;
}

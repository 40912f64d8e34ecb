import { afterEach, describe, expect, it, vi } from 'vitest';
import { startGossip, type Gossip } from './index.js';

let nodes: Gossip[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

describe('gossip at 20 nodes', () => {
  it('every node sees all 19 others although each was seeded with node 0 only (past the 16-peer bucket)', async () => {
    const t0 = Date.now();
    const start = (i: number, seeds: string[]): Promise<Gossip> =>
      startGossip({
        host: '127.0.0.1',
        port: 0,
        secret: 'cluster-secret',
        meta: { name: `node-${i}`, address: `127.0.0.1:${51000 + i}`, feeds: i, maxFeeds: 20 },
        seeds,
        // All 20 share this process and its 2 cores: probe every second, tolerate slow answers.
        probeIntervalMs: 1000,
        probeTimeoutMs: 1000,
        suspectAfterMs: 5000,
        deadAfterMs: 10_000,
      });
    const first = await start(0, []);
    nodes.push(first);
    nodes.push(...(await Promise.all(Array.from({ length: 19 }, (_, i) => start(i + 1, [first.record])))));

    await vi.waitFor(
      () => {
        for (const node of nodes) expect(node.alive()).toHaveLength(19);
      },
      { timeout: 45_000, interval: 200 },
    );
    console.log(`20 nodes: full view after ${Date.now() - t0} ms`);

    const last = nodes[19]!;
    const seen = new Map(last.alive().map((m) => [m.meta.name, m.meta.feeds]));
    expect(seen.get('node-0')).toBe(0);
    expect(seen.get('node-7')).toBe(7);
    for (const node of nodes) expect(node.members().filter((m) => m.state === 'dead' || m.state === 'left')).toEqual([]);
  });
});

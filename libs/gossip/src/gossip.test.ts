import { afterEach, describe, expect, it, vi } from 'vitest';
import { startGossip, type Gossip, type GossipOptions, type Member } from './index.js';

const secret = 'cluster-secret';
const fast = { probeIntervalMs: 200, probeTimeoutMs: 300, suspectAfterMs: 1000, deadAfterMs: 2500, deadProbeIntervalMs: 500 };
const waitLong = { timeout: 15_000, interval: 50 };

let nodes: Gossip[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

async function start(name: string, options: Partial<GossipOptions> = {}): Promise<Gossip> {
  const node = await startGossip({
    host: '127.0.0.1',
    port: 0,
    secret,
    meta: { name, address: `127.0.0.1:${50050 + nodes.length}`, feeds: 0, maxFeeds: 10 },
    ...fast,
    ...options,
  });
  nodes.push(node);
  return node;
}

const names = (members: Member[]): string[] => members.map((m) => m.meta.name).sort();

describe('gossip', () => {
  it('three nodes join from one seed (its ENR text) and see each other alive with their meta', async () => {
    const t0 = Date.now();
    const a = await start('a');
    const b = await start('b', { seeds: [a.record] });
    const c = await start('c', { seeds: [a.record] });

    await vi.waitFor(() => {
      expect(names(a.alive())).toEqual(['b', 'c']);
      expect(names(b.alive())).toEqual(['a', 'c']);
      expect(names(c.alive())).toEqual(['a', 'b']);
    }, { ...waitLong, interval: 10 });
    console.log(`3 nodes: full view after ${Date.now() - t0} ms`);

    const aSeenByC = c.alive().find((m) => m.meta.name === 'a');
    expect(aSeenByC).toMatchObject({ id: a.id, state: 'alive', record: a.record, gossipAddress: `127.0.0.1:${a.port}` });
    expect(aSeenByC?.meta).toEqual(a.self().meta);
    expect(a.stats()).toMatchObject({ membersAlive: 2, messagesRejected: 0 });
  });

  it("joins through a 'host:port' seed that resolveSeed maps to the seed's ENR", async () => {
    const a = await start('a');
    const directory = new Map([[`127.0.0.1:${a.port}`, a.record]]);
    const resolveSeed = async (seed: string): Promise<string> => {
      const record = directory.get(seed);
      if (!record) throw new Error(`unknown seed ${seed}`);
      return record;
    };
    const seeds = [`127.0.0.1:${a.port}`, '127.0.0.1:1']; // the second never resolves: logged, retried
    const b = await start('b', { seeds, resolveSeed });
    const c = await start('c', { seeds, resolveSeed });

    await vi.waitFor(() => {
      for (const node of [a, b, c]) expect(node.alive()).toHaveLength(2);
    }, waitLong);
    expect(names(b.alive())).toEqual(['a', 'c']);
  });

  it("a seed restarted under a new key is found again: 'host:port' seeds are resolved again while not a member", async () => {
    const a = await start('a');
    const seed = `127.0.0.1:${a.port}`;
    const directory = new Map([[seed, a.record]]);
    const resolveSeed = async (s: string): Promise<string> => directory.get(s) ?? Promise.reject(new Error('unknown'));
    const b = await start('b', { seeds: [seed], resolveSeed });
    await vi.waitFor(() => expect(names(b.alive())).toEqual(['a']), waitLong);

    await a.close();
    const a2 = await start('a', { port: a.port }); // knows nobody: only b's seed retries can find it
    directory.set(seed, a2.record);

    await vi.waitFor(() => {
      expect(b.alive().map((m) => m.id)).toEqual([a2.id]);
      expect(a2.alive().map((m) => m.id)).toEqual([b.id]);
    }, waitLong);
    expect(b.members()).toHaveLength(1); // the old 'a' was replaced
  });

  it('update() reaches the others at once as an `updated` member with the new meta', async () => {
    const a = await start('a');
    const b = await start('b', { seeds: [a.record] });
    await vi.waitFor(() => expect(a.alive()).toHaveLength(1), waitLong);

    const updates: { member: Member; atMs: number }[] = [];
    a.on('updated', (member) => updates.push({ member, atMs: Date.now() }));
    const t0 = Date.now();
    b.update({ feeds: 7 });

    await vi.waitFor(() => expect(updates.find((u) => u.member.meta.feeds === 7)).toBeDefined(), waitLong);
    console.log(`update: seen by the other node after ${updates[0]!.atMs - t0} ms`);
    expect(a.alive()[0]?.meta).toMatchObject({ name: 'b', feeds: 7, maxFeeds: 10 });
    expect(b.self().meta.feeds).toBe(7);
    expect(b.record).toBe(b.self().record);
  });

  it('close() sends leave: the others get `left` promptly and keep the entry as left', async () => {
    const a = await start('a');
    const b = await start('b', { seeds: [a.record] });
    const c = await start('c', { seeds: [a.record] });
    await vi.waitFor(() => expect(c.alive()).toHaveLength(2), waitLong);

    const left: Member[] = [];
    let lastAtMs = 0;
    for (const node of [a, c]) node.on('left', (m) => (left.push(m), (lastAtMs = Date.now())));
    const t0 = Date.now();
    await b.close();

    await vi.waitFor(() => expect(left.map((m) => m.meta.name)).toEqual(['b', 'b']), waitLong);
    console.log(`leave: both others saw 'left' after ${lastAtMs - t0} ms`);
    expect(left.every((m) => m.state === 'left')).toBe(true);
    expect(a.members().find((m) => m.id === b.id)?.state).toBe('left');
    expect(names(a.alive())).toEqual(['c']);
  });
});

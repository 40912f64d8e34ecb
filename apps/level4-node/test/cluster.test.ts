/**
 * A cluster of three level4 nodes, each its own process on 127.0.0.1 with its own ports, on a real
 * Kafka, with a replay of the real Binance spot recording as the venue: they find each other from one
 * seed, share 75 feeds and refuse the 76th, survive a node killed with SIGKILL (its feeds run again
 * elsewhere, and no market is published by two nodes at once), and come back whole from a restart of
 * the whole cluster. The times it measured are printed (discover, detect a death, restore).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceError } from '@grpc/grpc-js';
import { connectControl, FeedState, type Feed } from '@level4/rpc';
import { consume, consumeToEnd, type Consumed } from '@level4/tools-kafka';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CLUSTER_TOKEN, ClusterProcesses, clusterMarket as market, sleep, type NodeProcess } from './cluster-processes.js';
import { binanceSpotCapture, fixtures } from './support.js';

const brokers = inject('kafkaBrokers');
const answer = (p: Promise<unknown>) => p.then(() => 'OK', (e: ServiceError) => `${e.code}: ${e.details}`);

describe.skipIf(fixtures === undefined)('a cluster of three node processes', () => {
  let cluster: ClusterProcesses;
  const figures: Record<string, number> = {};
  const until: ClusterProcesses['until'] = (what, probe, timeoutMs) => cluster.until(what, probe, timeoutMs);
  const nodeNames = (n: NodeProcess) => cluster.nodeNames(n);
  const feedsOf = (n: NodeProcess) => cluster.feeds(n);
  const liveNodes = () => cluster.running();
  const spawnNode = (i: number, env?: Record<string, string>) => cluster.spawn(i, env);

  beforeAll(async () => {
    // Death after 3 s of silence (the default is 5 s) keeps the test short.
    // Three members, and a fourth place for a process that does not know the cluster secret.
    cluster = await ClusterProcesses.prepare({ brokers, size: 4, deadAfterMs: 3_000 }, await binanceSpotCapture());
  });

  afterAll(async () => {
    await cluster?.close();
    console.log(`cluster figures (ms): ${JSON.stringify(figures)}; node logs in ${cluster?.logs}`);
  });

  it('finds all three nodes from one seed', async () => {
    spawnNode(0);
    await until('node-1 up', async () => ((await nodeNames(cluster.nodes[0]!)).length === 1 ? true : undefined));
    const t0 = Date.now();
    spawnNode(1);
    spawnNode(2);
    // Each node lists all three, with its load.
    for (const n of cluster.nodes) await until(`${n.name} sees three nodes`, async () => ((await nodeNames(n)).length === 3 ? true : undefined));
    figures['discover'] = Date.now() - t0;
    const { nodes: listed } = await cluster.nodes[2]!.api.listNodes();
    expect(listed.map((x) => x.name).sort()).toEqual(['node-1', 'node-2', 'node-3']);
    for (const x of listed) expect(x).toMatchObject({ feeds: 0, maxFeeds: 25, state: 1 /* ALIVE */, address: cluster.nodes.find((n) => n.name === x.name)!.rpc });
  });

  it('spreads 60 feeds started through one node, one start per market even from two nodes at once, and refuses the 76th', async () => {
    const entry = cluster.nodes[0]!;
    // The recorded markets first (they publish), then the rest, ten at a time.
    const started: Feed[] = [];
    for (let id = 1; id <= 59; id += 10) {
      const batch = Array.from({ length: Math.min(10, 60 - id) }, (_, k) => id + k).filter((x) => x <= 59);
      started.push(...(await Promise.all(batch.map(async (x) => (await entry.api.startFeed({ market: market(x) })).feed!))));
    }
    // The 60th: two nodes asked at the same moment; exactly one start happens.
    const race = await Promise.allSettled([cluster.nodes[1]!.api.startFeed({ market: market(60) }), cluster.nodes[2]!.api.startFeed({ market: market(60) })]);
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = race.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason as ServiceError;
    expect(lost.code).toBe(6 /* ALREADY_EXISTS */);
    expect(lost.details).toMatch(/^market id 60 is already running on node node-\d$|^binance spot SYN55USDT is already running as market id 60 on node node-\d$/);

    const feeds = await feedsOf(cluster.nodes[1]!);
    expect([...feeds.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const perNode = new Map<string, number>();
    for (const f of feeds.values()) perNode.set(f.node, (perNode.get(f.node) ?? 0) + 1);
    // Random placement among nodes with a free place: every node got some, none more than 25.
    expect([...perNode.keys()].sort()).toEqual(['node-1', 'node-2', 'node-3']);
    for (const n of perNode.values()) expect(n).toBeLessThanOrEqual(25);
    for (const f of started) expect(feeds.get(f.market!.id)?.node).toBe(f.node);
    // The load each node reports reaches every node's ListNodes.
    await until('loads add up to 60', async () => ((await cluster.nodes[2]!.api.listNodes()).nodes.reduce((s, x) => s + x.feeds, 0) === 60 ? true : undefined));

    for (let id = 61; id <= 75; id++) await entry.api.startFeed({ market: market(id) });
    const refused = await cluster.nodes[2]!.api.startFeed({ market: market(76) }).then(
      () => 'started',
      (e: ServiceError) => `${e.code}: ${e.details}`,
    );
    expect(refused).toMatch(/^8: the cluster is full: 75 of 75 feeds in use on 3 nodes \(node-\d 25\/25, node-\d 25\/25, node-\d 25\/25\); stop a feed, raise MAX_DATA_FEEDS or add a node$/);
    expect(await answer(cluster.nodes[1]!.api.startFeed({ market: market(3) }))).toMatch(/^6: market id 3 is already running on node node-\d$/);
  });

  it('stops feeds from any node, whichever node runs them', async () => {
    // Down to 45 feeds, so the two nodes left after a death have room for all of them.
    await Promise.all(Array.from({ length: 30 }, (_, i) => cluster.nodes[(i % 3) as 0 | 1 | 2]!.api.stopFeed({ marketId: 46 + i })));
    const feeds = await feedsOf(cluster.nodes[0]!);
    expect([...feeds.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    expect(await answer(cluster.nodes[0]!.api.getFeed({ marketId: 50 }))).toBe('5: market id 50 is not running in the cluster');
    // GetFeed and GetBook answer from any node: market 1 (recorded) is live wherever it runs.
    await until('market 1 live', async () => ((await cluster.nodes[2]!.api.getFeed({ marketId: 1 })).feed?.state === FeedState.FEED_STATE_LIVE ? true : undefined));
    const book = await cluster.nodes[1]!.api.getBook({ marketId: 1, depth: 1 });
    expect(book.symbol).toBe('NKNUSDT');
    const owner = (await cluster.nodes[0]!.api.getFeed({ marketId: 1 })).feed!;
    const spreads = await consume(brokers, [cluster.topics.spread], (records) => records.some((r) => r.partition === 1), 20_000).catch((e: Error) => {
      throw new Error(`${e.message}; owner ${owner.node} epoch ${owner.epoch} counters ${JSON.stringify(owner.counters)}`);
    });
    expect(spreads.find((r) => r.partition === 1)?.headers).toMatchObject({ 'level4-epoch': String(owner.epoch) });
  });

  it('moves the feeds of a node killed with SIGKILL to the others within 30 s, never publishing a market from two nodes at once', async () => {
    const before = await feedsOf(cluster.nodes[0]!);
    const victimName = before.get(1)!.node; // the node that publishes the recorded market 1
    const victim = cluster.nodes.find((n) => n.name === victimName)!;
    const survivors = cluster.nodes.filter((n) => n !== victim);
    const moved = [...before.values()].filter((f) => f.node === victimName).map((f) => f.market!.id);
    const epochs = new Map([...before.values()].map((f) => [f.market!.id, f.epoch] as const));
    expect(moved.length).toBeGreaterThan(0);

    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await victim.exited;
    const detect = await until('the death is seen', async () => {
      for (const s of survivors) if ((await nodeNames(s)).includes(victimName)) return undefined;
      return true;
    });
    figures['detectDeath'] = Date.now() - killedAt;
    const restore = await until(
      'its feeds run elsewhere',
      async () => {
        const now = await feedsOf(survivors[0]!);
        for (const id of moved) {
          const f = now.get(id);
          if (!f || f.node === victimName || f.state === FeedState.FEED_STATE_PENDING || f.state === FeedState.FEED_STATE_STARTING) return undefined;
        }
        return now;
      },
      30_000,
    );
    figures['restoreFeeds'] = Date.now() - killedAt;
    expect(detect.ms).toBeLessThan(30_000);
    expect(figures['restoreFeeds']).toBeLessThan(30_000);
    for (const id of moved) {
      const f = restore.value.get(id)!;
      expect(survivors.map((s) => s.name)).toContain(f.node);
      expect(f.epoch).toBeGreaterThan(epochs.get(id)!);
    }
    expect([...restore.value.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));

    // Market 1 publishes again, from its new node under its new epoch. (It is live once its book is
    // rebuilt: the replay's sessions are finite, so the new node's connection may have played its
    // recorded session already; then the engine's resync watchdog (15 s) reconnects for a fresh one.)
    const newOwner = restore.value.get(1)!;
    await until('market 1 live on its new node', async () => ((await survivors[0]!.api.getFeed({ marketId: 1 })).feed?.state === FeedState.FEED_STATE_LIVE ? true : undefined), 60_000);
    figures['market1LiveAfterKill'] = Date.now() - killedAt;
    await consume(brokers, [cluster.topics.spread], (records) => records.some((r) => r.partition === 1 && Number(r.headers['level4-epoch']) === newOwner.epoch), 30_000);
    const spreads = await consumeToEnd(brokers, [cluster.topics.spread]);
    expectOneOwnerAtATime(spreads);
    expectOneOwnerAtATime(await consumeToEnd(brokers, [cluster.topics.status]));
    const m1 = spreads.filter((r) => r.partition === 1);
    // Published first by the killed node (its epoch), then by the new one.
    expect(new Set(m1.map((r) => Number(r.headers['level4-epoch'])))).toEqual(new Set([epochs.get(1), newOwner.epoch]));
    expect(Number(m1.at(-1)!.headers['level4-epoch'])).toBe(newOwner.epoch);
  });

  it('brings every feed back when the whole cluster restarts, also the feeds of a node that stays away', async () => {
    const before = await feedsOf(liveNodes()[0]!);
    const load = (name: string) => [...before.values()].filter((f) => f.node === name).length;
    const away = ['node-1', 'node-2', 'node-3'].sort((a, b) => load(b) - load(a))[0]!;
    expect(load(away)).toBeGreaterThan(0);
    for (const n of liveNodes()) n.child.kill('SIGTERM');
    for (const n of cluster.nodes) expect([0, null]).toContain(await n.exited);

    // Two of the three come back first: each takes back its own feeds at once, and the third's move
    // to them once it has not shown up for twice the death time.
    const startedAt = Date.now();
    const index = (name: string) => cluster.nodes.findIndex((n) => n.name === name);
    for (const name of ['node-1', 'node-2', 'node-3']) if (name !== away) spawnNode(index(name));
    const entry = cluster.nodes[index(away) === 0 ? 1 : 0]!;
    const running = (now: Map<number, Feed>, f: Feed | undefined) => f !== undefined && f.state !== FeedState.FEED_STATE_PENDING && f.state !== FeedState.FEED_STATE_STARTING && now.size > 0;
    await until('the returning nodes run their own feeds again', async () => {
      const now = await feedsOf(entry);
      return [...before.values()].every((f) => f.node === away || running(now, now.get(f.market!.id))) ? true : undefined;
    });
    figures['restoreOwnFeedsAfterClusterRestart'] = Date.now() - startedAt;
    const back = await until(
      'all 45 feeds running again',
      async () => {
        const now = await feedsOf(entry);
        if (now.size !== 45) return undefined;
        for (const f of now.values()) if (!running(now, f) || f.node === away) return undefined;
        return now;
      },
      90_000,
    );
    figures['restoreAllFeedsWithOneNodeAway'] = Date.now() - startedAt;
    spawnNode(index(away));
    for (const n of cluster.nodes) await until(`${n.name} sees three nodes`, async () => ((await nodeNames(n)).length === 3 ? true : undefined));
    expect([...back.value.keys()].sort((a, b) => a - b)).toEqual([...before.keys()].sort((a, b) => a - b));
    for (const f of back.value.values()) expect(f.epoch).toBeGreaterThan(before.get(f.market!.id)!.epoch);
    await until('market 1 live again', async () => ((await cluster.nodes[1]!.api.getFeed({ marketId: 1 })).feed?.state === FeedState.FEED_STATE_LIVE ? true : undefined));

    await consume(brokers, [cluster.topics.spread], (records) => records.some((r) => r.partition === 1 && Number(r.headers['level4-epoch']) === back.value.get(1)!.epoch), 30_000);
    expectOneOwnerAtATime(await consumeToEnd(brokers, [cluster.topics.spread]));
    expectOneOwnerAtATime(await consumeToEnd(brokers, [cluster.topics.status]));
    expect(readFileSync(join(cluster.logs, 'node-1.log'), 'utf8')).toContain('level4 node started');
  });

  it('fences a node that was frozen past its death: it stops the moved feeds and nothing of them leaves it', async () => {
    const before = await feedsOf(cluster.nodes[0]!);
    const load = (n: NodeProcess) => [...before.values()].filter((f) => f.node === n.name).length;
    const frozen = [...cluster.nodes].sort((a, b) => load(b) - load(a))[0]!;
    const others = cluster.nodes.filter((n) => n !== frozen);
    const moved = [...before.values()].filter((f) => f.node === frozen.name).map((f) => f.market!.id);
    expect(moved.length).toBeGreaterThan(0);
    frozen.child.kill('SIGSTOP');
    try {
      await until(
        'its feeds run elsewhere',
        async () => {
          const now = await feedsOf(others[0]!);
          for (const id of moved) if (!others.some((o) => o.name === now.get(id)?.node) || now.get(id)?.state === FeedState.FEED_STATE_PENDING) return undefined;
          return true;
        },
        30_000,
      );
    } finally {
      frozen.child.kill('SIGCONT');
    }
    // Back: a member again, running none of the feeds that moved while it was away.
    for (const n of cluster.nodes) await until(`${n.name} sees three nodes again`, async () => ((await nodeNames(n)).length === 3 ? true : undefined));
    // Its own feeds, not the cluster's: a call marked as forwarded is answered for the node alone.
    const local = connectControl(frozen.rpc, { token: CLUSTER_TOKEN, metadata: { 'level4-hop': 'test' } });
    try {
      await until('the frozen node runs nothing of what moved', async () => {
        const running = (await local.listFeeds()).feeds.map((f) => f.market!.id);
        return running.some((id) => moved.includes(id)) ? undefined : true;
      });
    } finally {
      local.close();
    }
    const now = await feedsOf(frozen);
    expect(now.size).toBe(45);
    for (const id of moved) expect(others.map((o) => o.name)).toContain(now.get(id)!.node);
    expect(readFileSync(join(cluster.logs, `${frozen.name}.log`), 'utf8')).toContain('feed superseded: stopped here');

    // Nothing it held while frozen went out after the new owners' records: statuses included.
    await sleep(2_000);
    const records = await consumeToEnd(brokers, [cluster.topics.spread, cluster.topics.status]);
    expect(records.filter((r) => r.topic === cluster.topics.status && moved.includes(r.partition) && r.headers['level4-node'] !== frozen.name).length).toBeGreaterThan(0);
    expectOneOwnerAtATime(records.filter((r) => r.topic === cluster.topics.spread));
    expectOneOwnerAtATime(records.filter((r) => r.topic === cluster.topics.status));
  });

  it('keeps out a process without the cluster secret, and a node cut off from the gossip keeps its feeds', async () => {
    const before = await feedsOf(cluster.nodes[0]!);
    // Same Kafka and registry, seeded with node-1, but the wrong secret: the cluster never admits it,
    // so to the others it is a node they cannot hear — one on the far side of a network split.
    const stray = spawnNode(3, { CLUSTER_SECRET: 'not-the-secret' });
    await until('the stray node serves', async () => ((await nodeNames(stray)).length === 1 ? true : undefined));
    const started = (await stray.api.startFeed({ market: market(80) })).feed!;
    expect(started.node).toBe('node-4');
    // Four death times later: nobody admitted it, and nobody moved anything — neither its feed (it
    // reads the registry, so it holds its lease) nor theirs (they hold theirs).
    await sleep(12_000);
    for (const n of cluster.nodes.slice(0, 3)) expect(await nodeNames(n)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(await nodeNames(stray)).toEqual(['node-4']);
    const after = await feedsOf(cluster.nodes[0]!);
    // The cluster cannot reach it, and says so rather than pretend the feed is lost or moving.
    expect(after.get(80)).toMatchObject({ node: 'node-4', epoch: started.epoch, state: FeedState.FEED_STATE_UNSPECIFIED, reason: "node node-4 is out of this node's reach but still holds the feed" });
    expect(await answer(cluster.nodes[0]!.api.getFeed({ marketId: 80 }))).toBe('14: market id 80 runs on node node-4, which this node cannot reach (it still reads the registry, so it keeps the feed)');
    for (const [id, f] of before) expect(after.get(id)).toMatchObject({ node: f.node, epoch: f.epoch });
    // A start through the cluster never lands on it.
    const placed = await Promise.all([81, 82, 83, 84, 85].map(async (id) => (await cluster.nodes[1]!.api.startFeed({ market: market(id) })).feed!.node));
    expect(placed).not.toContain('node-4');
  });
});

/**
 * Per market (partition), in the order Kafka stored them: the owner epoch never goes back, and an
 * epoch belongs to one node (Status records name it), so once a node with a higher epoch published,
 * the node before it published nothing more.
 */
function expectOneOwnerAtATime(records: readonly Consumed[]): void {
  const byPartition = new Map<number, Consumed[]>();
  for (const r of records) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
  for (const [partition, list] of byPartition) {
    list.sort((a, b) => a.offset - b.offset);
    let epoch = -1;
    const nodeOf = new Map<number, string>();
    for (const r of list) {
      const e = Number(r.headers['level4-epoch']);
      expect(e, `partition ${partition} offset ${r.offset}: epoch went back`).toBeGreaterThanOrEqual(epoch);
      const node = r.headers['level4-node'];
      if (node !== undefined) {
        expect(nodeOf.get(e) ?? node, `partition ${partition} offset ${r.offset}: two nodes under one epoch`).toBe(node);
        nodeOf.set(e, node);
      }
      epoch = e;
    }
  }
}

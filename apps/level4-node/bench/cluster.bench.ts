/**
 * A level4 cluster's membership and failover (issue 4): how long three nodes take to find each
 * other, to see one of them die, to run its feeds again elsewhere, and to bring everything back
 * after a restart of the whole cluster.
 *
 *   npm run bench -- cluster          (CLUSTER_BENCH_ROUNDS=3 kills)
 *
 * Three node processes on 127.0.0.1 (`level4 node` from source, each with its own gRPC and gossip
 * ports) with the node's default timings (GOSSIP_DEAD_AFTER_MS 5000), one local Kafka broker, and
 * the Binance spot recording replayed as the venue (its 4 markets, plus made-up ones its instrument
 * list names, so that 45 feeds run: the cluster test's harness, test/cluster-processes.ts).
 *
 * - discover: from starting nodes 2 and 3 (seeded with node 1's gRPC address) until ListNodes on
 *   every node lists all three.
 * - detect: from SIGKILL of the node with the most feeds until no survivor lists it.
 * - restore: from the SIGKILL until ListFeeds shows every feed of that node on a survivor, subscribed
 *   (not pending, not starting). Then the node is started again and rejoins (rejoin).
 * - handover: SIGTERM to the node with the most feeds (it stops them, flushes, says it leaves in the
 *   registry) until they run on the others.
 * - cluster restart: SIGTERM to all three, then start them again: until all 45 feeds run.
 */
import { capturesDir, readCapture } from '@level4/replay';
import { FeedState } from '@level4/rpc';
import { withBroker } from '@level4/tools-kafka';
import { benchSuite } from '@level4/tools-bench';
import { join } from 'node:path';
import { ClusterProcesses, clusterMarket, type NodeProcess } from '../test/cluster-processes.js';

const ROUNDS = Number(process.env['CLUSTER_BENCH_ROUNDS'] ?? 3);
const FEEDS = 45;
const BROKERS_ENV = 'LEVEL4_CLUSTER_BENCH_BROKERS';

const suite = benchSuite('cluster');
suite
  .note('setup', `three node processes (default timings: dead after 5 s of silence, probes every 500 ms), one Kafka broker, the Binance spot recording replayed; ${FEEDS} feeds`)
  .note('rounds', `${ROUNDS} kills (SIGKILL of the node with the most feeds), each followed by a restart of that node`);

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

suite.measure({
  group: 'three nodes',
  name: 'membership and failover',
  run: async () => {
    const brokers = process.env[BROKERS_ENV];
    const dir = capturesDir(import.meta.dirname);
    if (!brokers || dir === undefined) throw new Error('the cluster benchmark needs a broker and the recordings (LEVEL4_CAPTURES)');
    const cluster = await ClusterProcesses.prepare({ brokers, size: 3 }, await readCapture(join(dir, 'binance/spot_2021-10-12_cryptofeed.jsonl')));
    const allSee = (count: number, of: readonly NodeProcess[]) =>
      cluster.until(`every node lists ${count}`, async () => {
        for (const n of of) if ((await cluster.nodeNames(n)).length !== count) return undefined;
        return true;
      });
    try {
      const first = cluster.spawn(0);
      await allSee(1, [first]);
      const t0 = Date.now();
      cluster.spawn(1);
      cluster.spawn(2);
      await allSee(3, cluster.nodes);
      const discover = Date.now() - t0;
      for (let id = 1; id <= FEEDS; id++) await first.api.startFeed({ market: clusterMarket(id) });

      const detect: number[] = [];
      const restore: number[] = [];
      const rejoin: number[] = [];
      const movedPerKill: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const before = await cluster.feeds(cluster.nodes[0] as NodeProcess);
        const load = (n: NodeProcess) => [...before.values()].filter((f) => f.node === n.name).length;
        const victim = [...cluster.nodes].sort((a, b) => load(b) - load(a))[0] as NodeProcess;
        const survivors = cluster.nodes.filter((n) => n !== victim);
        const moved = [...before.values()].filter((f) => f.node === victim.name).map((f) => f.market?.id ?? -1);
        movedPerKill.push(moved.length);
        const killedAt = Date.now();
        victim.child.kill('SIGKILL');
        await victim.exited;
        await allSee(2, survivors);
        detect.push(Date.now() - killedAt);
        await cluster.until('its feeds run elsewhere', async () => {
          const now = await cluster.feeds(survivors[0] as NodeProcess);
          const elsewhere = moved.every((id) => {
            const f = now.get(id);
            return f !== undefined && f.node !== victim.name && f.state !== FeedState.FEED_STATE_PENDING && f.state !== FeedState.FEED_STATE_STARTING;
          });
          return elsewhere ? true : undefined;
        });
        restore.push(Date.now() - killedAt);
        const back = Date.now();
        cluster.spawn(cluster.nodes.indexOf(victim));
        await allSee(3, cluster.nodes);
        rejoin.push(Date.now() - back);
      }

      // A rolling restart's step: SIGTERM says it leaves, so the others need not wait for its silence.
      const handover = await (async () => {
        const before = await cluster.feeds(cluster.nodes[0] as NodeProcess);
        const load = (n: NodeProcess) => [...before.values()].filter((f) => f.node === n.name).length;
        const leaving = [...cluster.nodes].sort((a, b) => load(b) - load(a))[0] as NodeProcess;
        const stays = cluster.nodes.find((n) => n !== leaving) as NodeProcess;
        const moved = [...before.values()].filter((f) => f.node === leaving.name).map((f) => f.market?.id ?? -1);
        const at = Date.now();
        leaving.child.kill('SIGTERM');
        await cluster.until('its feeds run elsewhere', async () => {
          const now = await cluster.feeds(stays);
          const elsewhere = moved.every((id) => {
            const f = now.get(id);
            return f !== undefined && f.node !== leaving.name && f.state !== FeedState.FEED_STATE_PENDING && f.state !== FeedState.FEED_STATE_STARTING;
          });
          return elsewhere ? true : undefined;
        });
        const ms = Date.now() - at;
        await leaving.exited;
        cluster.spawn(cluster.nodes.indexOf(leaving));
        await allSee(3, cluster.nodes);
        return ms;
      })();

      const stopping = cluster.running();
      for (const n of stopping) n.child.kill('SIGTERM');
      await Promise.all(stopping.map((n) => n.exited));
      const restartedAt = Date.now();
      for (const i of [0, 1, 2]) cluster.spawn(i);
      await cluster.until(`all ${FEEDS} feeds running again`, async () => {
        const now = await cluster.feeds(cluster.nodes[0] as NodeProcess);
        if (now.size !== FEEDS) return undefined;
        for (const f of now.values()) if (f.state === FeedState.FEED_STATE_PENDING || f.state === FeedState.FEED_STATE_STARTING) return undefined;
        return true;
      }, 120_000);
      const clusterRestart = Date.now() - restartedAt;

      suite.note('per round (ms)', `detect ${detect.join(', ')}; restore ${restore.join(', ')}; rejoin ${rejoin.join(', ')}`);
      return [
        { metric: 'discover ms', value: discover },
        { metric: 'detect death ms (median)', value: median(detect), target: { max: 10_000 } },
        { metric: 'detect death ms (max)', value: Math.max(...detect), target: { max: 10_000 } },
        { metric: 'restore feeds ms (median)', value: median(restore), target: { max: 30_000 } },
        { metric: 'restore feeds ms (max)', value: Math.max(...restore), target: { max: 30_000 } },
        { metric: 'rejoin ms (median)', value: median(rejoin) },
        { metric: 'handover on SIGTERM ms', value: handover },
        { metric: 'whole-cluster restart ms', value: clusterRestart },
        { metric: 'feeds moved per kill (median)', value: median(movedPerKill) },
      ];
    } finally {
      await cluster.close();
    }
  },
});

// The suite's process starts the broker; each case's process inherits its address.
await withBroker(BROKERS_ENV, () => suite.run());

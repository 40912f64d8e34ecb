/**
 * A cluster of three level4 nodes, each its own process on 127.0.0.1 with its own ports, on a real
 * Kafka, with a replay of the real Binance spot recording as the venue: they find each other from one
 * seed, share 75 feeds and refuse the 76th, survive a node killed with SIGKILL (its feeds run again
 * elsewhere, and no market is published by two nodes at once), and come back whole from a restart of
 * the whole cluster. The times it measured are printed (discover, detect a death, restore).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceError } from '@grpc/grpc-js';
import { BINANCE_URLS } from '@level4/exchanges-binance';
import { localUrls, startReplay, type CaptureLine, type ReplayServer } from '@level4/replay';
import { connectControl, FeedState, MarketType, type ControlApi, type Feed, type Market } from '@level4/rpc';
import { consume, consumeToEnd, type Consumed } from '@level4/tools-kafka';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BINANCE_SPOT, binanceSpotCapture, fixtures, freePort, freshTopics } from './support.js';

const brokers = inject('kafkaBrokers');
const SECRET = 'cluster-test-secret';
const TOKEN = 'cluster-test-token';
const DEAD_AFTER_MS = 3_000;
const answer = (p: Promise<unknown>) => p.then(() => 'OK', (e: ServiceError) => `${e.code}: ${e.details}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The recorded markets, then made-up ones the venue lists (no recorded stream: they sit syncing). */
const SYMBOLS: { base: string; quote: string }[] = [...BINANCE_SPOT.markets.map((m) => ({ base: m.base, quote: m.quote })), ...Array.from({ length: 80 }, (_, i) => ({ base: `SYN${i}`, quote: 'USDT' }))];
const market = (id: number): Market => ({ id, venue: 'binance', marketType: MarketType.MARKET_TYPE_SPOT, base: SYMBOLS[id - 1]!.base, quote: SYMBOLS[id - 1]!.quote, symbol: '' });

/** The recorded instrument list with the made-up symbols added (copies of a recorded entry). */
function instrumentList(capture: readonly CaptureLine[]): string {
  const line = capture.find((l) => l.kind === 'http' && l.url.includes('/api/v3/exchangeInfo'));
  const info = JSON.parse(line?.data ?? '{}') as { symbols: Record<string, unknown>[] };
  const model = info.symbols.find((s) => s['quoteAsset'] === 'USDT')!;
  for (const { base, quote } of SYMBOLS.slice(4)) info.symbols.push({ ...model, symbol: `${base}${quote}`, baseAsset: base, quoteAsset: quote });
  return JSON.stringify(info);
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

interface NodeProcess {
  readonly name: string;
  readonly rpc: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  api: ControlApi;
}

describe.skipIf(fixtures === undefined)('a cluster of three node processes', () => {
  const logs = mkdtempSync(join(tmpdir(), 'level4-cluster-'));
  const topics = freshTopics();
  const nodes: NodeProcess[] = [];
  let replay: ReplayServer;
  let ports: { rpc: number; gossip: number }[] = [];
  const figures: Record<string, number> = {};

  const spawnNode = (i: number): NodeProcess => {
    const name = `node-${i + 1}`;
    const { rpc, gossip } = ports[i]!;
    const env = {
      PATH: process.env['PATH'] ?? '',
      NODE_NAME: name,
      RPC_HOST: '127.0.0.1',
      RPC_PORT: String(rpc),
      RPC_TOKEN: TOKEN,
      METRICS_PORT: '0',
      GOSSIP_HOST: '127.0.0.1',
      GOSSIP_PORT: String(gossip),
      // One seed for everyone: the first node's gRPC address (node-1 itself has none).
      GOSSIP_SEEDS: i === 0 ? '' : `127.0.0.1:${ports[0]!.rpc}`,
      CLUSTER_SECRET: SECRET,
      GOSSIP_DEAD_AFTER_MS: String(DEAD_AFTER_MS),
      MAX_DATA_FEEDS: '25',
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_SPREAD: topics.spread,
      KAFKA_TOPIC_TIMESALES: topics.trade,
      KAFKA_TOPIC_STATUS: topics.status,
      KAFKA_TOPIC_FEEDS: topics.feeds,
      VENUE_URLS: JSON.stringify({ binance: localUrls(BINANCE_URLS, replay) }),
      LOG_LEVEL: 'info',
    };
    const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@level4/source', cli, 'node'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(join(logs, `${name}.log`), { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const node = { name, rpc: `127.0.0.1:${rpc}`, child, exited, api: connectControl(`127.0.0.1:${rpc}`, { token: TOKEN, deadlineMs: 20_000 }) };
    nodes[i] = node;
    return node;
  };

  /** Polls `probe` until it returns a value (not undefined); the time it took, in ms. */
  const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<{ value: T; ms: number }> => {
    const start = Date.now();
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return { value, ms: Date.now() - start };
      if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms (node logs: ${logs})`);
      await sleep(100);
    }
  };

  const liveNodes = () => nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  const nodeNames = async (n: NodeProcess) => (await n.api.listNodes()).nodes.map((x) => x.name).sort();
  /** ListFeeds through a node: market id -> feed. */
  const feedsOf = async (n: NodeProcess) => new Map((await n.api.listFeeds()).feeds.map((f) => [f.market!.id, f] as const));

  beforeAll(async () => {
    const capture = await binanceSpotCapture();
    replay = await startReplay({ capture, routes: [{ url: '/api/v3/exchangeInfo', body: instrumentList(capture) }] });
    ports = await Promise.all([0, 1, 2].map(async () => ({ rpc: await freePort(), gossip: await freeUdpPort() })));
  });

  afterAll(async () => {
    for (const n of nodes) {
      n.api.close();
      n.child.kill('SIGKILL');
    }
    await Promise.all(nodes.map((n) => n.exited));
    await replay?.close();
    console.log(`cluster figures (ms): ${JSON.stringify(figures)}; node logs in ${logs}`);
  });

  it('finds all three nodes from one seed', async () => {
    spawnNode(0);
    await until('node-1 up', async () => ((await nodeNames(nodes[0]!)).length === 1 ? true : undefined));
    const t0 = Date.now();
    spawnNode(1);
    spawnNode(2);
    // Each node lists all three, with its load.
    for (const n of nodes) await until(`${n.name} sees three nodes`, async () => ((await nodeNames(n)).length === 3 ? true : undefined));
    figures['discover'] = Date.now() - t0;
    const { nodes: listed } = await nodes[2]!.api.listNodes();
    expect(listed.map((x) => x.name).sort()).toEqual(['node-1', 'node-2', 'node-3']);
    for (const x of listed) expect(x).toMatchObject({ feeds: 0, maxFeeds: 25, state: 1 /* ALIVE */, address: nodes.find((n) => n.name === x.name)!.rpc });
  });

  it('spreads 60 feeds started through one node, one start per market even from two nodes at once, and refuses the 76th', async () => {
    const entry = nodes[0]!;
    // The recorded markets first (they publish), then the rest, ten at a time.
    const started: Feed[] = [];
    for (let id = 1; id <= 59; id += 10) {
      const batch = Array.from({ length: Math.min(10, 60 - id) }, (_, k) => id + k).filter((x) => x <= 59);
      started.push(...(await Promise.all(batch.map(async (x) => (await entry.api.startFeed({ market: market(x) })).feed!))));
    }
    // The 60th: two nodes asked at the same moment; exactly one start happens.
    const race = await Promise.allSettled([nodes[1]!.api.startFeed({ market: market(60) }), nodes[2]!.api.startFeed({ market: market(60) })]);
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = race.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason as ServiceError;
    expect(lost.code).toBe(6 /* ALREADY_EXISTS */);
    expect(lost.details).toMatch(/^market id 60 is already running on node node-\d$|^binance spot SYN55USDT is already running as market id 60 on node node-\d$/);

    const feeds = await feedsOf(nodes[1]!);
    expect([...feeds.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const perNode = new Map<string, number>();
    for (const f of feeds.values()) perNode.set(f.node, (perNode.get(f.node) ?? 0) + 1);
    // Random placement among nodes with a free place: every node got some, none more than 25.
    expect([...perNode.keys()].sort()).toEqual(['node-1', 'node-2', 'node-3']);
    for (const n of perNode.values()) expect(n).toBeLessThanOrEqual(25);
    for (const f of started) expect(feeds.get(f.market!.id)?.node).toBe(f.node);
    // The load each node reports reaches every node's ListNodes.
    await until('loads add up to 60', async () => ((await nodes[2]!.api.listNodes()).nodes.reduce((s, x) => s + x.feeds, 0) === 60 ? true : undefined));

    for (let id = 61; id <= 75; id++) await entry.api.startFeed({ market: market(id) });
    const refused = await nodes[2]!.api.startFeed({ market: market(76) }).then(
      () => 'started',
      (e: ServiceError) => `${e.code}: ${e.details}`,
    );
    expect(refused).toMatch(/^8: the cluster is full: 75 of 75 feeds in use on 3 nodes \(node-\d 25\/25, node-\d 25\/25, node-\d 25\/25\); stop a feed, raise MAX_DATA_FEEDS or add a node$/);
    expect(await answer(nodes[1]!.api.startFeed({ market: market(3) }))).toMatch(/^6: market id 3 is already running on node node-\d$/);
  });

  it('stops feeds from any node, whichever node runs them', async () => {
    // Down to 45 feeds, so the two nodes left after a death have room for all of them.
    await Promise.all(Array.from({ length: 30 }, (_, i) => nodes[(i % 3) as 0 | 1 | 2]!.api.stopFeed({ marketId: 46 + i })));
    const feeds = await feedsOf(nodes[0]!);
    expect([...feeds.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    expect(await answer(nodes[0]!.api.getFeed({ marketId: 50 }))).toBe('5: market id 50 is not running in the cluster');
    // GetFeed and GetBook answer from any node: market 1 (recorded) is live wherever it runs.
    await until('market 1 live', async () => ((await nodes[2]!.api.getFeed({ marketId: 1 })).feed?.state === FeedState.FEED_STATE_LIVE ? true : undefined));
    const book = await nodes[1]!.api.getBook({ marketId: 1, depth: 1 });
    expect(book.symbol).toBe('NKNUSDT');
    const owner = (await nodes[0]!.api.getFeed({ marketId: 1 })).feed!;
    const spreads = await consume(brokers, [topics.spread], (records) => records.some((r) => r.partition === 1), 20_000).catch((e: Error) => {
      throw new Error(`${e.message}; owner ${owner.node} epoch ${owner.epoch} counters ${JSON.stringify(owner.counters)}`);
    });
    expect(spreads.find((r) => r.partition === 1)?.headers).toMatchObject({ 'level4-node': owner.node, 'level4-epoch': String(owner.epoch) });
  });

  it('moves the feeds of a node killed with SIGKILL to the others within 30 s, never publishing a market from two nodes at once', async () => {
    const before = await feedsOf(nodes[0]!);
    const victimName = before.get(1)!.node; // the node that publishes the recorded market 1
    const victim = nodes.find((n) => n.name === victimName)!;
    const survivors = nodes.filter((n) => n !== victim);
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
    await consume(brokers, [topics.spread], (records) => records.some((r) => r.partition === 1 && r.headers['level4-node'] === newOwner.node), 30_000);
    const spreads = await consumeToEnd(brokers, [topics.spread]);
    expectOneOwnerAtATime(spreads);
    expectOneOwnerAtATime(await consumeToEnd(brokers, [topics.status]));
    const m1 = spreads.filter((r) => r.partition === 1);
    expect(m1.map((r) => `${r.headers['level4-node']}@${r.headers['level4-epoch']}#${r.offset}`).join(' ')).toContain(`${victimName}@${epochs.get(1)}`);
    expect(Number(m1.at(-1)!.headers['level4-epoch'])).toBe(newOwner.epoch);
  });

  it('brings every feed back when the whole cluster restarts', async () => {
    const before = await feedsOf(liveNodes()[0]!);
    for (const n of liveNodes()) n.child.kill('SIGTERM');
    for (const n of nodes) expect([0, null]).toContain(await n.exited);
    for (const n of nodes) n.api.close();

    const startedAt = Date.now();
    for (const i of [0, 1, 2]) spawnNode(i);
    const back = await until(
      'all 45 feeds running again',
      async () => {
        const now = await feedsOf(nodes[0]!);
        if (now.size !== 45) return undefined;
        for (const f of now.values()) if (f.state === FeedState.FEED_STATE_PENDING || f.state === FeedState.FEED_STATE_STARTING) return undefined;
        return now;
      },
      90_000,
    );
    figures['restoreAfterClusterRestart'] = Date.now() - startedAt;
    expect([...back.value.keys()].sort((a, b) => a - b)).toEqual([...before.keys()].sort((a, b) => a - b));
    for (const f of back.value.values()) expect(f.epoch).toBeGreaterThan(before.get(f.market!.id)!.epoch);
    await until('market 1 live again', async () => ((await nodes[1]!.api.getFeed({ marketId: 1 })).feed?.state === FeedState.FEED_STATE_LIVE ? true : undefined));

    await consume(brokers, [topics.spread], (records) => records.some((r) => r.partition === 1 && Number(r.headers['level4-epoch']) === back.value.get(1)!.epoch), 30_000);
    expectOneOwnerAtATime(await consumeToEnd(brokers, [topics.spread]));
    expectOneOwnerAtATime(await consumeToEnd(brokers, [topics.status]));
    expect(readFileSync(join(logs, 'node-1.log'), 'utf8')).toContain('level4 node started');
  });

  it('fences a node that was frozen past its death: it stops the moved feeds and nothing of them leaves it', async () => {
    const before = await feedsOf(nodes[0]!);
    const load = (n: NodeProcess) => [...before.values()].filter((f) => f.node === n.name).length;
    const frozen = [...nodes].sort((a, b) => load(b) - load(a))[0]!;
    const others = nodes.filter((n) => n !== frozen);
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
    for (const n of nodes) await until(`${n.name} sees three nodes again`, async () => ((await nodeNames(n)).length === 3 ? true : undefined));
    // Its own feeds, not the cluster's: a call marked as forwarded is answered for the node alone.
    const local = connectControl(frozen.rpc, { token: TOKEN, metadata: { 'level4-hop': 'test' } });
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
    expect(readFileSync(join(logs, `${frozen.name}.log`), 'utf8')).toContain('feed superseded: stopped here');

    // Nothing it held while frozen went out after the new owners' records: statuses included.
    await sleep(2_000);
    const records = await consumeToEnd(brokers, [topics.spread, topics.status]);
    expect(records.filter((r) => r.topic === topics.status && moved.includes(r.partition) && r.headers['level4-node'] !== frozen.name).length).toBeGreaterThan(0);
    expectOneOwnerAtATime(records.filter((r) => r.topic === topics.spread));
    expectOneOwnerAtATime(records.filter((r) => r.topic === topics.status));
  });
});

/**
 * Per market (partition), in the order Kafka stored them: the owner epoch never goes back, and once a
 * node with a higher epoch published, the node before it published nothing more.
 */
function expectOneOwnerAtATime(records: readonly Consumed[]): void {
  const byPartition = new Map<number, Consumed[]>();
  for (const r of records) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
  for (const [partition, list] of byPartition) {
    list.sort((a, b) => a.offset - b.offset);
    let epoch = -1;
    let node = '';
    for (const r of list) {
      const e = Number(r.headers['level4-epoch']);
      expect(e, `partition ${partition} offset ${r.offset}: epoch went back`).toBeGreaterThanOrEqual(epoch);
      if (e === epoch) expect(r.headers['level4-node'], `partition ${partition} offset ${r.offset}: two nodes under one epoch`).toBe(node);
      epoch = e;
      node = String(r.headers['level4-node']);
    }
  }
}

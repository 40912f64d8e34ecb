/**
 * A cluster of level4 nodes as separate processes on 127.0.0.1 (each with its own gRPC and gossip
 * ports, its log in a file), the Binance spot recording replayed as their venue: what the cluster test
 * and the cluster benchmark run on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BINANCE_URLS } from '@level4/exchanges-binance';
import { localUrls, startReplay, type CaptureLine, type ReplayServer } from '@level4/replay';
import { connectControl, MarketType, type ControlApi, type Feed, type Market } from '@level4/rpc';
import { BINANCE_SPOT, freePort, freshTopics } from './support.js';

export const CLUSTER_TOKEN = 'cluster-test-token';
const SECRET = 'cluster-test-secret';

/** The recorded markets (ids 1-4, they publish), then made-up ones the venue lists (no stream: they sit syncing). */
const SYMBOLS: readonly { base: string; quote: string }[] = [
  ...BINANCE_SPOT.markets.map((m) => ({ base: m.base, quote: m.quote })),
  ...Array.from({ length: 96 }, (_, i) => ({ base: `SYN${i}`, quote: 'USDT' })),
];

/** Market `id` (1-100) of the replayed venue. */
export function clusterMarket(id: number): Market {
  const symbol = SYMBOLS[id - 1];
  if (!symbol) throw new Error(`no market ${id}: ids 1-${SYMBOLS.length}`);
  return { id, venue: 'binance', marketType: MarketType.MARKET_TYPE_SPOT, base: symbol.base, quote: symbol.quote, symbol: '' };
}

/** The recorded instrument list with the made-up symbols added (copies of a recorded entry). */
function instrumentList(capture: readonly CaptureLine[]): string {
  const line = capture.find((l) => l.kind === 'http' && l.url.includes('/api/v3/exchangeInfo'));
  const info = JSON.parse(line?.data ?? '{}') as { symbols: Record<string, unknown>[] };
  const model = info.symbols.find((s) => s['quoteAsset'] === 'USDT');
  if (!model) throw new Error('the recorded instrument list has no USDT market to copy');
  for (const { base, quote } of SYMBOLS.slice(4)) info.symbols.push({ ...model, symbol: `${base}${quote}`, baseAsset: base, quoteAsset: quote });
  return JSON.stringify(info);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface NodeProcess {
  readonly name: string;
  /** host:port of its gRPC API. */
  readonly rpc: string;
  readonly child: ChildProcess;
  /** Its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** A client of its control API (with the cluster's token). */
  readonly api: ControlApi;
}

export interface ClusterOptions {
  readonly brokers: string;
  readonly size: number;
  /** GOSSIP_DEAD_AFTER_MS; absent: the node's default. */
  readonly deadAfterMs?: number;
  readonly maxFeeds?: number;
}

export class ClusterProcesses {
  readonly logs = mkdtempSync(join(tmpdir(), 'level4-cluster-'));
  readonly topics = freshTopics();
  readonly nodes: NodeProcess[] = [];
  private readonly ports: number[];

  private constructor(
    private readonly options: ClusterOptions,
    private readonly replay: ReplayServer,
    ports: number[],
  ) {
    this.ports = ports;
  }

  /** The replayed venue and free ports; no node runs yet. */
  static async prepare(options: ClusterOptions, capture: readonly CaptureLine[]): Promise<ClusterProcesses> {
    const replay = await startReplay({ capture, routes: [{ url: '/api/v3/exchangeInfo', body: instrumentList(capture) }] });
    const ports = [];
    for (let i = 0; i < options.size; i++) ports.push(await freePort());
    return new ClusterProcesses(options, replay, ports);
  }

  /** Starts node `i` (again, under the same name and gRPC port); the first node is every other's seed. */
  spawn(i: number, extra: Readonly<Record<string, string>> = {}): NodeProcess {
    const name = `node-${i + 1}`;
    const rpc = this.ports[i];
    const seed = this.ports[0];
    if (rpc === undefined || seed === undefined) throw new Error(`no node ${i}: the cluster has ${this.ports.length}`);
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      NODE_NAME: name,
      RPC_HOST: '127.0.0.1',
      RPC_PORT: String(rpc),
      RPC_TOKEN: CLUSTER_TOKEN,
      METRICS_PORT: '0',
      GOSSIP_HOST: '127.0.0.1',
      // A new gossip port at every start: seeds are gRPC addresses, the gossip record is read there.
      GOSSIP_PORT: '0',
      GOSSIP_SEEDS: i === 0 ? '' : `127.0.0.1:${seed}`,
      CLUSTER_SECRET: SECRET,
      MAX_DATA_FEEDS: String(this.options.maxFeeds ?? 25),
      KAFKA_BROKERS: this.options.brokers,
      KAFKA_TOPIC_SPREAD: this.topics.spread,
      KAFKA_TOPIC_TIMESALES: this.topics.trade,
      KAFKA_TOPIC_STATUS: this.topics.status,
      KAFKA_TOPIC_FEEDS: this.topics.feeds,
      VENUE_URLS: JSON.stringify({ binance: localUrls(BINANCE_URLS, this.replay) }),
      LOG_LEVEL: 'info',
      ...(this.options.deadAfterMs === undefined ? {} : { GOSSIP_DEAD_AFTER_MS: String(this.options.deadAfterMs) }),
      ...extra,
    };
    const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@level4/source', cli, 'node'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(join(this.logs, `${name}.log`), { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    this.nodes[i]?.api.close();
    const node = { name, rpc: `127.0.0.1:${rpc}`, child, exited, api: connectControl(`127.0.0.1:${rpc}`, { token: CLUSTER_TOKEN, deadlineMs: 20_000 }) };
    this.nodes[i] = node;
    return node;
  }

  /** Nodes whose process runs. */
  running(): NodeProcess[] {
    return this.nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  }

  /** Polls `probe` until it returns a value (not undefined); the value and the time it took. */
  async until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<{ value: T; ms: number }> {
    const start = Date.now();
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return { value, ms: Date.now() - start };
      if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms (node logs: ${this.logs})`);
      await sleep(100);
    }
  }

  /** The names ListNodes gives through `n`, sorted. */
  async nodeNames(n: NodeProcess): Promise<string[]> {
    return (await n.api.listNodes()).nodes.map((x) => x.name).sort();
  }

  /** ListFeeds through `n`: market id -> feed. */
  async feeds(n: NodeProcess): Promise<Map<number, Feed>> {
    return new Map((await n.api.listFeeds()).feeds.map((f) => [f.market?.id ?? -1, f] as const));
  }

  /** Kills every node (SIGKILL) and closes the venue. */
  async close(): Promise<void> {
    for (const n of this.nodes) {
      n.api.close();
      n.child.kill('SIGKILL');
    }
    await Promise.all(this.nodes.map((n) => n.exited));
    await this.replay.close();
  }
}

/**
 * A level4 node end to end (issue 7): venue frames in, Kafka acknowledgements out.
 *
 *   npm run bench -- node.bench    (NODE_BENCH_FRAMES=400000, NODE_BENCH_RATE_FRAMES=100000 to size it)
 *
 * One local Kafka 4.1.1 broker for the suite (tools/kafka). Each case runs a node (startNode: feed
 * engine, all venue adapters, KafkaSink, gRPC) with VENUE_URLS pointing Binance at a replay server
 * that runs in a child process of its own, and starts the recording's four markets NKN/USDT,
 * BLZ/ETH, LRC/BTC, RUNE/EUR (ids 1-4, with StartFeed over gRPC),
 * on fresh topics. The recording (binance/spot_2021-10-12_cryptofeed.jsonl) has 265 frames, too
 * short to measure: the replay serves it and then its frames after the REST snapshots in a loop
 * (looped-capture.ts: ids renumbered, books reset before each lap), so the node meets a long,
 * consistent session with the recording's real frames.
 *
 * - frames/s: frames the replay server sent / (last Kafka ack - start of the first market), pace fast.
 * - latency: pace { framesPerSecond: 10,000 }; for every acknowledged spread and trade, ack time
 *   minus its receiveTime (µs clocks), read from the sink's onBatch; the first second is left out
 *   (startup: producer creation, snapshot requests).
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
// The benchmark is outside the project graph (.nxignore); it uses the packages the way users do.
import { nowMicros, type FeedEvent, type FeedSpec } from '@level4/feed';
import type { SinkBatch } from '@level4/kafka-sink';
import { BINANCE_URLS } from '@level4/exchanges-binance';
import { capturesDir } from '@level4/replay';
import { connectControl, MarketType } from '@level4/rpc';
import { withBroker } from '@level4/tools-kafka';
import { benchSuite, type Figure } from '@level4/tools-bench';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { startNode } from '../src/node.js';
import { VENUE_URL_NAMES } from '../src/venues.js';

const FAST_FRAMES = Number(process.env['NODE_BENCH_FRAMES'] ?? 400_000);
const RATE = 10_000;
const RATE_FRAMES = Number(process.env['NODE_BENCH_RATE_FRAMES'] ?? 100_000);
const BROKERS_ENV = 'LEVEL4_NODE_BENCH_BROKERS';
const RECORDING = 'binance/spot_2021-10-12_cryptofeed.jsonl';

const MARKETS: FeedSpec[] = [
  { id: 1, venue: 'binance', type: 'spot', base: 'NKN', quote: 'USDT' },
  { id: 2, venue: 'binance', type: 'spot', base: 'BLZ', quote: 'ETH' },
  { id: 3, venue: 'binance', type: 'spot', base: 'LRC', quote: 'BTC' },
  { id: 4, venue: 'binance', type: 'spot', base: 'RUNE', quote: 'EUR' },
];

const suite = benchSuite('node');
suite
  .note('recording', `${RECORDING} (4 markets, one WebSocket), served in a loop: the recorded session, then its frames after the REST snapshots again and again, ids renumbered and books reset before each lap (looped-capture.ts)`)
  .note('setup', 'one process for the node (startNode, JSON values, no compression, linger 5 ms), one for the replay server, one JVM for the Kafka broker, all on this machine')
  .note('frames/s', 'frames the replay server sent / (last Kafka ack - start of the first market); pace fast (each frame once the previous one is written)')
  .note('latency', `pace ${RATE} frames/s; per acknowledged spread/trade: ack time (onBatch) - receiveTime; events received in the first second left out`);

interface Child { port: number; frames: number; laps: number; ask(what: 'sent' | 'done' | 'close'): Promise<number> }

async function replayChild(minFrames: number, pace: unknown): Promise<Child> {
  const dir = capturesDir(import.meta.dirname);
  if (dir === undefined) throw new Error('the node benchmark needs the recordings (LEVEL4_CAPTURES)');
  const child = fork(join(import.meta.dirname, 'replay-child.ts'), [], { execArgv: process.execArgv.filter((a) => a !== '--expose-gc'), stdio: 'inherit' });
  // A message to a child that has already exited (the last 'close') is not an error worth a crash.
  child.on('error', () => undefined);
  const next = () => new Promise<Record<string, number>>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Record<string, number>));
    child.once('exit', (code) => reject(new Error(`the replay process ended (${code})`)));
  });
  child.send({ file: join(dir, RECORDING), minFrames, pace });
  const hello = await next();
  return {
    port: hello['port'],
    frames: hello['frames'],
    laps: hello['laps'],
    async ask(what) {
      child.send({ ask: what });
      return (await next())['sent'];
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface Run {
  readonly replay: Child;
  readonly events: number;
  readonly acked: number;
  readonly startedAt: number;
  readonly lastAckAt: number;
  readonly latenciesMs: number[];
  readonly counters: Record<string, number>;
}

async function runNode(minFrames: number, pace: unknown): Promise<Run> {
  const brokers = process.env[BROKERS_ENV];
  if (!brokers) throw new Error(`${BROKERS_ENV} is not set: run this file through \`npm run bench -- node.bench\``);
  const replay = await replayChild(minFrames, pace);
  const stamp = `${process.pid}.${Date.now().toString(36)}`;
  const local = Object.fromEntries(
    Object.entries(BINANCE_URLS).map(([name, url]) => [name, url.replace(/^wss?:\/\/[^/]+/, `ws://127.0.0.1:${replay.port}`).replace(/^https?:\/\/[^/]+/, `http://127.0.0.1:${replay.port}`)]),
  );
  const config = loadConfig(
    {
      NODE_NAME: 'bench', RPC_HOST: '127.0.0.1', RPC_PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent', KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_SPREAD: `bench.spread.${stamp}`, KAFKA_TOPIC_TIMESALES: `bench.timesales.${stamp}`, KAFKA_TOPIC_STATUS: `bench.status.${stamp}`,
      // A cluster of one of its own: its own feed registry, gossip on a free loopback port.
      KAFKA_TOPIC_FEEDS: `bench.feeds.${stamp}`, GOSSIP_HOST: '127.0.0.1', GOSSIP_PORT: '0',
      VENUE_URLS: JSON.stringify({ binance: local }),
    },
    {},
    VENUE_URL_NAMES,
  );
  let events = 0;
  let acked = 0;
  let lastAckAt = 0;
  let firstReceive = Infinity;
  const latenciesMs: number[] = [];
  const onBatch = (batch: SinkBatch) => {
    if (!batch.ok) return;
    const now = nowMicros();
    lastAckAt = performance.now();
    acked += batch.records;
    for (const event of batch.events as readonly FeedEvent[]) {
      if (event.kind === 'status') continue;
      firstReceive = Math.min(firstReceive, event.receiveTime);
      if (event.receiveTime - firstReceive >= 1_000_000) latenciesMs.push((now - event.receiveTime) / 1000);
    }
  };
  const node = await startNode(config, { logger: pino({ level: process.env['NODE_BENCH_DEBUG'] ?? 'silent' }, pino.destination(2)), version: 'bench', onEvent: () => void events++, onBatch });
  const api = connectControl(`127.0.0.1:${node.rpcPort}`);
  const startedAt = performance.now();
  try {
    // Through the control API, as an operator starts them (a feed runs only once the cluster's
    // registry gives it to the node), and at once, as the recording subscribed them: the replay
    // serves the four markets' frames on one connection whatever was subscribed when.
    await Promise.all(MARKETS.map((m) => api.startFeed({ market: { id: m.id, venue: m.venue, marketType: MarketType.MARKET_TYPE_SPOT, base: m.base, quote: m.quote, symbol: '' } })));
    if (process.env['NODE_BENCH_DEBUG']) console.error('markets started');
    await replay.ask('done');
    if (process.env['NODE_BENCH_DEBUG']) console.error('replay done');
    // The session is written; wait until the node has read it and Kafka has everything.
    for (let quiet = 0, seen = -1; quiet < 3; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      quiet = events === seen && acked >= events - node.sink.stats().queued.status ? quiet + 1 : 0;
      seen = events;
      if (process.env['NODE_BENCH_DEBUG']) console.error('waiting', events, acked, JSON.stringify(node.sink.stats()));
    }
    if (!(await node.sink.flush(60_000))) throw new Error('the sink did not flush');
    const counters: Record<string, number> = {};
    for (const feed of node.engine.list()) {
      if (feed.state !== 'live') throw new Error(`market ${feed.id} ended ${feed.state}`);
      for (const [k, v] of Object.entries(feed.counters)) counters[k] = (counters[k] ?? 0) + v;
    }
    return { replay, events, acked, startedAt, lastAckAt, latenciesMs, counters };
  } finally {
    api.close();
    await node.close();
    await replay.ask('close').catch(() => 0);
  }
}

function soundness(run: Run): Figure[] {
  const c = run.counters;
  return [
    { metric: 'events acked', value: run.acked },
    { metric: 'gaps+resyncs+crossed+top mismatches', value: (c['gaps'] ?? 0) + (c['resyncs'] ?? 0) + (c['crossedBooks'] ?? 0) + (c['topMismatches'] ?? 0), target: { max: 0 } },
  ];
}

suite.measure({
  group: 'binance spot x4 markets',
  name: 'frames/s, pace fast',
  run: async () => {
    const run = await runNode(FAST_FRAMES, 'fast');
    const sent = await run.replay.ask('sent').catch(() => run.replay.frames);
    const seconds = (run.lastAckAt - run.startedAt) / 1000;
    suite.note('fast run', `${run.replay.frames} frames (${run.replay.laps} laps of the recording), ${run.events} events`);
    return [
      { metric: 'frames/s', value: run.replay.frames / seconds, target: { min: 100_000 } },
      { metric: 'events/s', value: run.acked / seconds },
      { metric: 'seconds', value: seconds },
      { metric: 'frames', value: Number.isFinite(sent) && sent > 0 ? sent : run.replay.frames },
      ...soundness(run),
    ];
  },
});

suite.measure({
  group: 'binance spot x4 markets',
  name: `receive -> Kafka ack, ${RATE / 1000}k frames/s`,
  run: async () => {
    const run = await runNode(RATE_FRAMES, { framesPerSecond: RATE });
    const seconds = (run.lastAckAt - run.startedAt) / 1000;
    const sorted = [...run.latenciesMs].sort((a, b) => a - b);
    return [
      { metric: 'p50 ms', value: percentile(sorted, 50) },
      { metric: 'p99 ms', value: percentile(sorted, 99), target: { max: 10 } },
      { metric: 'max ms', value: sorted.at(-1) ?? Number.NaN },
      { metric: 'frames/s offered', value: run.replay.frames / seconds },
      { metric: 'events measured', value: sorted.length },
      ...soundness(run),
    ];
  },
});

// The suite's process starts the broker; each case's process inherits its address.
await withBroker(BROKERS_ENV, () => suite.run());

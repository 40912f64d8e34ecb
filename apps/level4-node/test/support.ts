import { createServer } from 'node:net';
import { join } from 'node:path';
import { BINANCE_URLS } from '@level4/exchanges-binance';
import type { FeedEvent } from '@level4/feed';
import { capturesDir, localUrls, readCapture, startReplay, type CaptureLine, type ReplayServer } from '@level4/replay';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { startNode, type RunningNode } from '../src/node.js';
import { VENUE_URL_NAMES } from '../src/venues.js';

export const fixtures = capturesDir(import.meta.dirname);

/** The Binance spot recording of the fixtures and what its README says the books end at. */
export const BINANCE_SPOT = {
  file: 'binance/spot_2021-10-12_cryptofeed.jsonl',
  markets: [
    { base: 'NKN', quote: 'USDT', symbol: 'NKNUSDT', bid: '0.3527', ask: '0.3531' },
    { base: 'BLZ', quote: 'ETH', symbol: 'BLZETH', bid: '0.00006547', ask: '0.00006560' },
    { base: 'LRC', quote: 'BTC', symbol: 'LRCBTC', bid: '0.00000637', ask: '0.00000638' },
    { base: 'RUNE', quote: 'EUR', symbol: 'RUNEEUR', bid: '6.251', ask: '6.269' },
  ],
} as const;

export async function binanceSpotCapture(): Promise<CaptureLine[]> {
  if (fixtures === undefined) throw new Error('no fixtures');
  return readCapture(join(fixtures, BINANCE_SPOT.file));
}

/** The aggTrade frames of one symbol in a capture, as Binance sent them. */
export function recordedTrades(capture: readonly CaptureLine[], symbol: string): { a: number; p: string; q: string; m: boolean }[] {
  return capture
    .filter((line) => line.dir === 'recv')
    .map((line) => JSON.parse(line.data ?? '{}') as { data?: { e?: string; s?: string; a: number; p: string; q: string; m: boolean } })
    .flatMap((frame) => (frame.data?.e === 'aggTrade' && frame.data.s === symbol ? [frame.data] : []));
}

let run = 0;
export function freshTopics(): { spread: string; trade: string; status: string; feeds: string } {
  const p = `node-${process.pid}-${Date.now()}-${run++}`;
  return { spread: `${p}.spread`, trade: `${p}.timesales`, status: `${p}.status`, feeds: `${p}.feeds` };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export interface TestNode {
  readonly node: RunningNode;
  readonly replay: ReplayServer;
  readonly topics: ReturnType<typeof freshTopics>;
  readonly events: FeedEvent[];
  /** Resolves when the replay has sent everything and no event came for `quietMs`. */
  settled(quietMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A node on 127.0.0.1 (free gRPC port), its Binance URLs pointed at a replay of `capture`, on a real Kafka. */
export async function startTestNode(capture: readonly CaptureLine[], brokers: string, env: Record<string, string> = {}): Promise<TestNode> {
  const replay = await startReplay({ capture, waitForRequests: true });
  const topics = freshTopics();
  const config = loadConfig(
    {
      NODE_NAME: 'test-node',
      RPC_HOST: '127.0.0.1',
      RPC_PORT: '0',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(await freePort()),
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_SPREAD: topics.spread,
      KAFKA_TOPIC_TIMESALES: topics.trade,
      KAFKA_TOPIC_STATUS: topics.status,
      // A cluster of its own: its own feed registry, gossip on a free loopback port.
      KAFKA_TOPIC_FEEDS: topics.feeds,
      GOSSIP_HOST: '127.0.0.1',
      GOSSIP_PORT: '0',
      VENUE_URLS: JSON.stringify({ binance: localUrls(BINANCE_URLS, replay) }),
      ...env,
    },
    {},
    VENUE_URL_NAMES,
  );
  const events: FeedEvent[] = [];
  let lastEventAt = Date.now();
  const node = await startNode(config, {
    logger: pino({ level: 'silent' }),
    version: 'test',
    onEvent: (event) => {
      events.push(event);
      lastEventAt = Date.now();
    },
  });
  return {
    node,
    replay,
    topics,
    events,
    async settled(quietMs = 500) {
      await replay.sessionsDone();
      while (Date.now() - lastEventAt < quietMs) await new Promise((r) => setTimeout(r, 50));
    },
    async close() {
      await node.close();
      await replay.close();
    },
  };
}


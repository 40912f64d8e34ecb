import type { Server } from 'node:http';
import { FeedEngine, nowMicros, type EngineTiming, type FeedEvent } from '@level4/feed';
import { KafkaSink, type SinkBatch } from '@level4/kafka-sink';
import { startControlServer, type ControlServer, type Node } from '@level4/rpc';
import type { Logger } from 'pino';
import type { NodeConfig } from './config.js';
import { controlHandlers } from './control.js';
import { NodeMetrics, startMetricsServer } from './metrics.js';
import { createAdapters } from './venues.js';

export interface NodeOptions {
  readonly logger: Logger;
  readonly version: string;
  /** Engine timing overrides (tests). */
  readonly timing?: Partial<EngineTiming>;
  /** Told about every event after it went to the sink (tests, the replay command). */
  readonly onEvent?: (event: FeedEvent) => void;
  /** Told about every Kafka produce request after its answer (benchmarks: receive -> ack latency). */
  readonly onBatch?: (batch: SinkBatch) => void;
}

export interface RunningNode {
  readonly config: NodeConfig;
  readonly rpcPort: number;
  readonly metricsPort: number | undefined;
  readonly engine: FeedEngine;
  readonly sink: KafkaSink;
  /** Stops every feed (each publishes `stopped`), flushes Kafka, closes the servers. */
  close(): Promise<void>;
}

/** A level4 node: adapters, feed engine, Kafka sink, gRPC control API, metrics. */
export async function startNode(config: NodeConfig, options: NodeOptions): Promise<RunningNode> {
  const log = options.logger;
  const startedAt = nowMicros();
  const sink = new KafkaSink({
    brokers: config.kafkaBrokers,
    clientId: `level4-${config.nodeName}`,
    topics: config.topics,
    encoding: config.kafkaEncoding,
    compression: config.kafkaCompression,
    logger: log.child({ component: 'kafka-sink' }),
    // Called only after the first send, by which time `metrics` exists.
    onBatch: (batch) => {
      metrics.batch(batch);
      options.onBatch?.(batch);
    },
  });
  const engine = new FeedEngine({
    adapters: createAdapters(config.venueUrls),
    node: config.nodeName,
    logger: log.child({ component: 'feed' }),
    ...(options.timing ? { timing: options.timing } : {}),
    onEvent: (event) => {
      sink.publish(event);
      metrics.event(event);
      options.onEvent?.(event);
    },
  });
  const metrics = new NodeMetrics(engine, sink, config.maxDataFeeds);

  const node = (): Node => ({
    name: config.nodeName,
    address: config.rpcAdvertise,
    feeds: engine.list().length,
    maxFeeds: config.maxDataFeeds,
    version: options.version,
    startedAtUs: startedAt,
  });

  if (config.rpcToken === undefined) log.warn({ variable: 'RPC_TOKEN' }, 'the gRPC control API is open to anyone who can reach it: set RPC_TOKEN to require a bearer token');
  let rpc: ControlServer | undefined;
  let http: Server | undefined;
  let closing = false;
  try {
    rpc = await startControlServer({
      address: `${config.rpcHost.includes(':') ? `[${config.rpcHost}]` : config.rpcHost}:${config.rpcPort}`,
      handlers: controlHandlers({ engine, sink, node, maxFeeds: config.maxDataFeeds }),
      ...(config.rpcToken !== undefined ? { token: config.rpcToken } : {}),
      ...(config.rpcTls ? { tls: config.rpcTls } : {}),
      onInternalError: (method, error) => log.error({ method, err: error }, 'control call failed'),
    });
    // Port 0 turns the metrics and health endpoint off.
    if (config.metricsPort !== 0) http = await startMetricsServer(config.metricsHost, config.metricsPort, metrics, () => (closing ? 'shutting down' : undefined));
  } catch (error) {
    await rpc?.close(0);
    await engine.close();
    await sink.close(0);
    throw error;
  }
  const rpcPort = rpc.port;
  const address = http?.address();
  const metricsPort = typeof address === 'object' && address ? address.port : undefined;
  log.info({ rpc: `${config.rpcHost}:${rpcPort}`, advertise: config.rpcAdvertise, kafka: config.kafkaBrokers.join(','), maxFeeds: config.maxDataFeeds, metrics: metricsPort }, 'level4 node started');

  return {
    config,
    rpcPort,
    metricsPort,
    engine,
    sink,
    async close() {
      if (closing) return;
      closing = true;
      log.info({ feeds: engine.list().length }, 'shutting down: stopping feeds, flushing Kafka');
      rpc?.health.setStatus('', 'NOT_SERVING');
      await rpc?.close(2_000);
      for (const feed of engine.list()) engine.stop(feed.id);
      await engine.close();
      await sink.close(10_000);
      await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
      log.info(sink.stats(), 'level4 node stopped');
    },
  };
}

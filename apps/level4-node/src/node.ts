import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { FeedEngine, nowMicros, type EngineTiming, type FeedEvent } from '@level4/feed';
import { FeedRegistry } from '@level4/feed-registry';
import { startGossip, type Gossip } from '@level4/gossip';
import { KafkaSink, type SinkBatch } from '@level4/kafka-sink';
import { connectControl, GrpcStatus, NodeState, RpcError, startControlServer, type ControlClientOptions, type ControlHandlers, type ControlServer, type Node } from '@level4/rpc';
import type { Logger } from 'pino';
import { Cluster } from './cluster.js';
import type { NodeConfig } from './config.js';
import { controlHandlers } from './control.js';
import { Lease } from './lease.js';
import { NodeFeeds } from './node-feeds.js';
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
  readonly registry: FeedRegistry;
  readonly gossip: Gossip;
  readonly cluster: Cluster;
  /** host:port others reach this node's gRPC API at (the bound port when RPC_PORT is 0). */
  readonly address: string;
  /** Stops every feed (each publishes `stopped`), flushes Kafka, closes the servers. */
  close(): Promise<void>;
}

/** A level4 node: adapters, feed engine, Kafka sink, gRPC control API, metrics, and its place in the cluster (gossip, feed registry). */
export async function startNode(config: NodeConfig, options: NodeOptions): Promise<RunningNode> {
  const log = options.logger;
  const startedAt = nowMicros();
  const registry = new FeedRegistry({
    brokers: config.kafkaBrokers,
    topic: config.feedsTopic,
    clientId: `level4-${config.nodeName}`,
    reader: config.nodeName,
    logger: log.child({ component: 'feed-registry' }),
  });
  let cluster: Cluster | undefined;
  // Half the death time: see Lease.
  const lease = new Lease(registry, () => cluster?.enforce(), Math.floor(config.gossip.deadAfterMs / 2), log.child({ component: 'cluster' }));
  const sink = new KafkaSink({
    brokers: config.kafkaBrokers,
    clientId: `level4-${config.nodeName}`,
    node: config.nodeName,
    canSend: () => lease.valid(),
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

  let rpc: ControlServer | undefined;
  let http: Server | undefined;
  let gossip: Gossip | undefined;
  let closing = false;
  // Calls that come before the node has joined its cluster are turned away (a peer retries).
  let handlers: ControlHandlers | undefined;
  const notYet = (): never => {
    throw new RpcError(GrpcStatus.UNAVAILABLE, `node ${config.nodeName} is starting`);
  };
  const lazy = new Proxy({} as ControlHandlers, { get: (_t, method: keyof ControlHandlers) => (request: never, call: never) => (handlers ? handlers[method](request, call) : notYet()) });

  if (config.rpcToken === undefined) log.warn({ variable: 'RPC_TOKEN' }, 'the gRPC control API is open to anyone who can reach it: set RPC_TOKEN to require a bearer token');
  try {
    // Kafka first: a node that cannot read the cluster's feeds must not take any.
    await registry.start();
    const bootEpoch = await registry.sync();
    rpc = await startControlServer({
      address: `${config.rpcHost.includes(':') ? `[${config.rpcHost}]` : config.rpcHost}:${config.rpcPort}`,
      handlers: lazy,
      ...(config.rpcToken !== undefined ? { token: config.rpcToken } : {}),
      ...(config.rpcTls ? { tls: config.rpcTls } : {}),
      onInternalError: (method, error) => log.error({ method, err: error }, 'control call failed'),
    });
    const address = config.rpcPort === 0 ? config.rpcAdvertise.replace(/:0$/, `:${rpc.port}`) : config.rpcAdvertise;
    const client: ControlClientOptions = {
      ...(config.rpcToken !== undefined ? { token: config.rpcToken } : {}),
      // Peers serve the same certificate chain: trust it.
      ...(config.rpcTls ? { tls: { ca: readFileSync(config.rpcTls.certFile) } } : {}),
    };
    const secret = config.gossip.secret ?? randomBytes(32).toString('hex');
    if (config.gossip.secret === undefined) log.warn({ variable: 'CLUSTER_SECRET' }, 'no CLUSTER_SECRET: this node runs alone and admits no peer');
    const advertiseHost = config.gossip.advertise ?? (config.gossip.host !== '0.0.0.0' ? config.gossip.host : await ipv4Of(address, config.gossip.seeds.length === 0 ? log : undefined));
    gossip = await startGossip({
      host: config.gossip.host,
      port: config.gossip.port,
      advertiseHost,
      secret,
      meta: { name: config.nodeName, address, feeds: 0, maxFeeds: config.maxDataFeeds, version: options.version, startedAtUs: startedAt },
      seeds: config.gossip.seeds,
      resolveSeed: async (seed) => {
        const api = connectControl(seed, { ...client, deadlineMs: 3_000 });
        try {
          return (await api.getNode()).gossipRecord;
        } finally {
          api.close();
        }
      },
      // Probes twice a second; suspect after a third of the dead time.
      probeIntervalMs: 500,
      probeTimeoutMs: 500,
      suspectAfterMs: Math.max(1_000, Math.round(config.gossip.deadAfterMs / 3)),
      deadAfterMs: config.gossip.deadAfterMs,
      logger: log.child({ component: 'gossip' }),
    });
    const g = gossip;
    let pushed = -1;
    let loadTimer: NodeJS.Timeout | undefined;
    const feeds = new NodeFeeds({
      name: config.nodeName,
      maxFeeds: config.maxDataFeeds,
      engine,
      sink,
      registry,
      logger: log.child({ component: 'feeds' }),
      // The cluster sees this node's load within a probe; a burst of starts is one record update
      // (each makes every peer verify a new record).
      onLoad: () => {
        loadTimer ??= setTimeout(() => {
          loadTimer = undefined;
          const n = engine.list().length;
          if (n !== pushed && !closing) g.update({ feeds: (pushed = n) });
        }, 200);
      },
    });
    const self = (): Node => ({
      name: config.nodeName,
      address,
      feeds: engine.list().length,
      maxFeeds: config.maxDataFeeds,
      version: options.version,
      startedAtUs: startedAt,
      state: NodeState.NODE_STATE_ALIVE,
      gossipAddress: `${advertiseHost}:${g.port}`,
    });
    cluster = new Cluster({
      feeds,
      registry,
      gossip,
      placement: config.placement,
      self,
      bootEpoch,
      deadAfterMs: config.gossip.deadAfterMs,
      orphanGraceMs: 2 * config.gossip.deadAfterMs,
      client,
      logger: log.child({ component: 'cluster' }),
    });
    const c0 = cluster;
    metrics.watchCluster({ nodes: () => c0.nodes(), registry, gossip, leaseAgeMs: () => lease.ageMs() });
    handlers = controlHandlers({ engine, feeds, registry, cluster, placement: config.placement, gossipRecord: () => g.record });
    cluster.start();
    lease.start();
    // Port 0 turns the metrics and health endpoint off.
    if (config.metricsPort !== 0) http = await startMetricsServer(config.metricsHost, config.metricsPort, metrics, () => (closing ? 'shutting down' : undefined));
    log.info(
      { rpc: `${config.rpcHost}:${rpc.port}`, advertise: address, gossip: `${advertiseHost}:${g.port}`, seeds: config.gossip.seeds, kafka: config.kafkaBrokers.join(','), feedsTopic: config.feedsTopic, maxFeeds: config.maxDataFeeds },
      'level4 node started',
    );
  } catch (error) {
    lease.shutdown();
    cluster?.close();
    await rpc?.close(0);
    await gossip?.close();
    await engine.close();
    await sink.close(0);
    await registry.close();
    throw error;
  }
  const rpcPort = rpc.port;
  const bound = http?.address();
  const metricsPort = typeof bound === 'object' && bound ? bound.port : undefined;
  const running = { cluster, gossip };

  return {
    config,
    rpcPort,
    metricsPort,
    engine,
    sink,
    registry,
    gossip: running.gossip,
    cluster: running.cluster,
    address: running.cluster.nodes()[0]?.address ?? config.rpcAdvertise,
    async close() {
      if (closing) return;
      closing = true;
      log.info({ feeds: engine.list().length }, 'shutting down: stopping feeds, flushing Kafka');
      // The feeds stay in the registry: after this node says goodbye, the others take them over
      // (or this node takes them back when it returns first).
      lease.shutdown();
      running.cluster.close();
      rpc?.health.setStatus('', 'NOT_SERVING');
      await rpc?.close(2_000);
      for (const feed of engine.list()) engine.stop(feed.id, 'node shutting down');
      await engine.close();
      await sink.close(10_000);
      // Its feeds are free: the others take them over now rather than after its silence.
      await registry.leave().catch((error: unknown) => log.warn({ error: (error as Error).message }, 'could not tell the feed registry this node leaves'));
      await running.gossip.close();
      await registry.close();
      await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
      log.info(sink.stats(), 'level4 node stopped');
    },
  };
}

/**
 * The IPv4 address of an advertised host:port (the address other nodes reach this one at). A first
 * node (no seeds) whose name does not resolve starts anyway on 127.0.0.1 (told via `alone`): others
 * join it only once GOSSIP_ADVERTISE says where it is.
 */
async function ipv4Of(hostPort: string, alone?: Logger): Promise<string> {
  const host = hostPort.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch (error) {
    const why = `GOSSIP_ADVERTISE (--gossip-advertise): not set, and ${JSON.stringify(host)} (from RPC_ADVERTISE) has no IPv4 address: ${(error as Error).message}`;
    if (!alone) throw new Error(why);
    alone.warn({ variable: 'GOSSIP_ADVERTISE' }, `${why}; gossip advertises 127.0.0.1, so no other machine can join this node`);
    return '127.0.0.1';
  }
}

import { createServer, type Server } from 'node:http';
import { emptyCounters, type FeedCounters, type FeedEngine, type FeedEvent } from '@level4/feed';
import type { FeedRegistry } from '@level4/feed-registry';
import type { Gossip } from '@level4/gossip';
import type { KafkaSink, SinkBatch } from '@level4/kafka-sink';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const FEED_LABELS = ['market_id', 'venue', 'market_type', 'symbol'] as const;

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Prometheus metrics of one node: feeds (from the engine's counters), events, Kafka. */
export class NodeMetrics {
  readonly registry = new Registry();
  private readonly events: Counter<'kind'>;
  private readonly kafkaLatency: Histogram;
  private readonly kafkaErrors: Counter;

  constructor(engine: FeedEngine, sink: KafkaSink, maxFeeds: number) {
    const registry = this.registry;
    collectDefaultMetrics({ register: registry });
    new Gauge({ name: 'level4_feeds', help: 'Feeds hosted by this node', registers: [registry], collect() { this.set(engine.list().length); } });
    new Gauge({ name: 'level4_feeds_max', help: 'Feeds this node hosts at most (MAX_DATA_FEEDS)', registers: [registry], collect() { this.set(maxFeeds); } });
    new Gauge({
      name: 'level4_feed_state',
      help: 'A feed\'s current state (1 for the state it is in)',
      labelNames: [...FEED_LABELS, 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const f of engine.list()) this.set({ ...labels(f.id, f.instrument.venue, f.instrument.type, f.instrument.symbol), state: f.state }, 1);
      },
    });
    const fields = Object.keys(emptyCounters()) as (keyof FeedCounters)[];
    for (const field of fields) {
      new Counter({
        name: `level4_feed_${snake(field)}_total`,
        help: `Per feed: ${snake(field).replace(/_/g, ' ')} (engine counter)`,
        labelNames: FEED_LABELS,
        registers: [registry],
        collect() {
          this.reset();
          for (const f of engine.list()) this.inc(labels(f.id, f.instrument.venue, f.instrument.type, f.instrument.symbol), f.counters[field]);
        },
      });
    }
    this.events = new Counter({ name: 'level4_events_total', help: 'Events the feeds produced, by kind', labelNames: ['kind'], registers: [registry] });
    this.kafkaLatency = new Histogram({
      name: 'level4_kafka_send_seconds',
      help: 'Produce request latency, send to acknowledgement',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.kafkaErrors = new Counter({ name: 'level4_kafka_send_errors_total', help: 'Produce requests that failed (events kept and retried)', registers: [registry] });
    const kinds = ['spread', 'trade', 'status'] as const;
    const sinkGauge = (name: string, help: string, pick: (s: ReturnType<KafkaSink['stats']>) => Record<string, number>) =>
      new Gauge({
        name,
        help,
        labelNames: ['kind'],
        registers: [registry],
        collect() {
          const values = pick(sink.stats());
          for (const kind of kinds) this.set({ kind }, values[kind] ?? 0);
        },
      });
    sinkGauge('level4_kafka_queued', 'Events waiting for Kafka, by kind', (s) => s.queued);
    sinkGauge('level4_kafka_sent', 'Events Kafka acknowledged, by kind (monotonic)', (s) => s.sent);
    sinkGauge('level4_kafka_dropped', 'Events dropped: buffer full (trades, statuses) or conflated (spreads) (monotonic)', (s) => s.dropped);
    new Gauge({ name: 'level4_kafka_refused', help: 'Events refused: their market had no partition (monotonic)', registers: [registry], collect() { this.set(sink.stats().refused); } });
    new Gauge({ name: 'level4_kafka_fenced', help: 'Events dropped unsent: their market moved to another node (monotonic)', registers: [registry], collect() { this.set(sink.stats().fenced); } });
  }

  /** The node's view of its cluster: members, the registry's feeds, fencing, the gossip and the lease. */
  watchCluster(view: { nodes: () => readonly { readonly name: string }[]; registry: FeedRegistry; gossip: Gossip; leaseAgeMs: () => number }): void {
    const registry = this.registry;
    const gauge = (name: string, help: string, value: () => number) =>
      new Gauge({ name, help, registers: [registry], collect() { this.set(value()); } });
    gauge('level4_cluster_nodes', 'Live nodes of the cluster, this one included', () => view.nodes().length);
    gauge('level4_cluster_feeds', 'Feeds the cluster wants running (the feed registry)', () => view.registry.list().length);
    gauge('level4_cluster_feeds_unowned', 'Feeds assigned to a node that is not live (being moved)', () => {
      const live = new Set(view.nodes().map((n) => n.name));
      return view.registry.list().filter((a) => !live.has(a.node)).length;
    });
    gauge('level4_registry_commits', 'Feed registry changes this node committed (monotonic)', () => view.registry.stats().commits);
    gauge('level4_registry_conflicts', 'Feed registry rounds that lost the lock and ran again (monotonic)', () => view.registry.stats().conflicts);
    gauge('level4_registry_malformed', 'Feed registry records that could not be read (monotonic)', () => view.registry.stats().malformed);
    gauge('level4_gossip_probes_failed', 'Gossip probes without an answer (monotonic)', () => view.gossip.stats().probesFailed);
    gauge('level4_gossip_messages_rejected', 'Gossip messages dropped: bad cluster secret, stale or malformed (monotonic)', () => view.gossip.stats().messagesRejected);
    gauge('level4_lease_age_seconds', 'Since the feed registry was last read to its end (records are held past half the death time)', () => view.leaseAgeMs() / 1000);
  }

  event(event: FeedEvent): void {
    this.events.inc({ kind: event.kind });
  }

  batch(batch: SinkBatch): void {
    if (batch.ok) this.kafkaLatency.observe(batch.latencyMs / 1000);
    else this.kafkaErrors.inc();
  }
}

function labels(id: number, venue: string, type: string, symbol: string) {
  return { market_id: String(id), venue, market_type: type, symbol };
}

/** `/metrics` (Prometheus), `/healthz` (the process serves), `/readyz` (200 only when `ready()` says so). */
export async function startMetricsServer(host: string, port: number, metrics: NodeMetrics, ready: () => string | undefined): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (error: Error) => res.writeHead(500).end(error.message),
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const notReady = ready();
      res.writeHead(notReady === undefined ? 200 : 503, { 'content-type': 'text/plain' }).end(`${notReady ?? 'ready'}\n`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz, /readyz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`metrics cannot listen on ${host}:${port}: ${e.message}`)));
    server.listen(port, host, resolve);
  });
  return server;
}

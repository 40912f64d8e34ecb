/**
 * Kafka publish throughput and produce latency on a dedicated local broker (tools/kafka, Kafka
 * 4.1.1, started once for the suite; every case writes to fresh topics with 16 partitions):
 * 200,000 spread and 200,000 trade events of 16 markets (partition = market id, JSON values as
 * KafkaSink encodes them, key = market id, content-type/schema headers, timestamp = exchange time),
 * records/s until every record is acknowledged (acks = all), and the latency of one produce request.
 *
 *   npm run bench -- sink          (SINK_BENCH_EVENTS=50000 for a shorter run)
 *
 * - kafkajs via KafkaSink: its own batching (linger 5 ms, up to 5,000 records a request, one
 *   request in flight, idempotent); the events are published in chunks of 5,000 with a turn of the
 *   event loop between, as a node's feed would hand them over.
 * - @platformatic/kafka 1.35.0: the same records, encoded the same way (encodeEvent) inside the
 *   timing, sent in batches of 5,000 with an explicit partition, idempotent, acks all, one send()
 *   in flight at a time (the 1.x rule of ../shared/notes/kafka.md §2.1).
 */
import { Admin, Producer, ProduceAcks } from '@platformatic/kafka';
// The benchmark is outside the project graph (.nxignore); it uses the packages the way users do.
/* eslint-disable @nx/enforce-module-boundaries */
import type { FeedEvent, SpreadEvent, TradeEvent } from '@level4/feed';
import { encodeEvent, KafkaSink, type Topics } from '@level4/kafka-sink';
import { withBroker } from '@level4/tools-kafka';
/* eslint-enable @nx/enforce-module-boundaries */
import { benchSuite, type Figure, type Rng } from '@level4/tools-bench';

const PER_KIND = Number(process.env['SINK_BENCH_EVENTS'] ?? 200_000);
const MARKETS = 16;
const BATCH = Number(process.env['SINK_BENCH_BATCH'] ?? 5_000);
const BROKERS_ENV = 'LEVEL4_SINK_BENCH_BROKERS';

const suite = benchSuite('sink');
suite
  .note('workload', `${PER_KIND} spread + ${PER_KIND} trade events, ${MARKETS} Binance-like spot markets (ids 0..${MARKETS - 1} = partitions), interleaved at random; JSON values (encodeEvent), key = market id, headers content-type + schema, acks = all, no compression`)
  .note('broker', 'one local Kafka 4.1.1 broker (tools/kafka) for the suite, on the same machine as the client; fresh topics with 16 partitions per case')
  .note('records/s', 'records from the first publish/send until the last acknowledgement; encoding is inside the timing for both clients')
  .note('latency', 'ms from sending one produce request (up to 5,000 records over both topics) to its acknowledgement');

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT', 'ADAUSDT', 'DOGEUSDT', 'TRXUSDT', 'LINKUSDT', 'DOTUSDT', 'LTCUSDT', 'NKNUSDT', 'BLZETH', 'LRCBTC', 'RUNEEUR', 'AVAXUSDT'];

/** Realistic events: random-walk tops per market, trades at the touch; the same for every case (seeded). */
function makeEvents(rng: Rng): FeedEvent[] {
  const mids = SYMBOLS.map((_, i) => 10 ** (1 + (i % 5)) * (1 + rng.next()));
  const spreadSeq = new Array<number>(MARKETS).fill(0);
  const tradeSeq = new Array<number>(MARKETS).fill(0);
  let spreads = PER_KIND;
  let trades = PER_KIND;
  let time = 1_700_000_000_000_000;
  const events: FeedEvent[] = [];
  while (spreads + trades > 0) {
    const m = Math.floor(rng.next() * MARKETS);
    time += Math.floor(rng.next() * 200);
    const tick = mids[m] / 10_000;
    mids[m] += (rng.next() - 0.5) * tick * 4;
    const bid = (mids[m] - tick).toFixed(4);
    const ask = (mids[m] + tick).toFixed(4);
    const ref = { marketId: m, venue: 'binance', marketType: 'spot' as const, symbol: SYMBOLS[m] };
    if (trades === 0 || (spreads > 0 && rng.next() < 0.5)) {
      spreads--;
      const e: SpreadEvent = {
        kind: 'spread', ...ref, bidPrice: bid, bidSize: (rng.next() * 50).toFixed(3), askPrice: ask, askSize: (rng.next() * 50).toFixed(3),
        midPrice: ((Number(bid) + Number(ask)) / 2).toFixed(5), exchangeTime: time, receiveTime: time + 800, sequence: ++spreadSeq[m],
      };
      events.push(e);
    } else {
      trades--;
      const e: TradeEvent = {
        kind: 'trade', ...ref, tradeId: String(100_000_000 + tradeSeq[m]), side: rng.next() < 0.5 ? 'buy' : 'sell',
        price: rng.next() < 0.5 ? bid : ask, size: (rng.next() * 5).toFixed(4), exchangeTime: time, receiveTime: time + 800, sequence: ++tradeSeq[m],
      };
      events.push(e);
    }
  }
  return events;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function figures(records: number, seconds: number, latencies: number[], requests: number): Figure[] {
  latencies.sort((a, b) => a - b);
  return [
    { metric: 'records/s', value: records / seconds },
    { metric: 'seconds', value: seconds },
    { metric: 'produce requests', value: requests },
    { metric: 'request p50 ms', value: percentile(latencies, 50) },
    { metric: 'request p99 ms', value: percentile(latencies, 99) },
  ];
}

function brokers(): string[] {
  const list = process.env[BROKERS_ENV];
  if (!list) throw new Error(`${BROKERS_ENV} is not set: run this file through \`npm run bench -- sink\``);
  return list.split(',');
}

let topicRun = 0;
const freshTopics = (client: string): Topics => {
  const stamp = `${client}.${process.pid}.${Date.now().toString(36)}.${topicRun++}`;
  return { spread: `bench.spread.${stamp}`, trade: `bench.timesales.${stamp}`, status: `bench.status.${stamp}` };
};

const CONTENT_TYPE = Buffer.from('content-type');
const SCHEMA_HEADER = Buffer.from('schema');

/** One event per market, sent and acknowledged before the timing (connections, producer id, metadata). */
function warmupEvents(): TradeEvent[] {
  return SYMBOLS.map((symbol, m): TradeEvent => ({
    kind: 'trade', marketId: m, venue: 'binance', marketType: 'spot', symbol, tradeId: '1', side: 'buy', price: '1', size: '1',
    exchangeTime: 1_700_000_000_000_000, receiveTime: 1_700_000_000_000_000, sequence: 0,
  }));
}

const GROUP = `${PER_KIND / 1000}k spread + ${PER_KIND / 1000}k trade, ${MARKETS} markets`;

suite.measure({
  group: GROUP,
  name: 'kafkajs 2.2.4 (KafkaSink)',
  run: async () => {
    const events = makeEvents(suite.rng('events'));
    const warmup = warmupEvents();
    const latencies: number[] = [];
    let acked = 0;
    let failed = 0;
    const sink = new KafkaSink({
      brokers: brokers(),
      clientId: 'bench-kafkajs',
      topics: freshTopics('kafkajs'),
      minPartitions: MARKETS,
      maxBatchRecords: BATCH,
      // Everything is published ahead of the sends: no buffer limit may drop or conflate.
      bufferLimit: 10 * PER_KIND,
      spreadBufferLimit: 10 * PER_KIND,
      onBatch: (b) => {
        // A failed request is retried by the sink itself (its events kept); it is counted.
        if (!b.ok) return void failed++;
        latencies.push(b.latencyMs);
        acked += b.records;
      },
    });
    for (let m = 0; m < MARKETS; m++) await sink.ensureMarket(m);
    for (const event of warmup) sink.publish(event);
    if (!(await sink.flush(30_000))) throw new Error('KafkaSink did not flush the warm-up');
    latencies.length = 0;
    acked = 0;
    failed = 0;
    const warmBatches = sink.stats().batches;
    const started = performance.now();
    for (let i = 0; i < events.length; i += BATCH) {
      for (let j = i; j < Math.min(events.length, i + BATCH); j++) sink.publish(events[j]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!(await sink.flush(300_000))) throw new Error('KafkaSink did not flush');
    const seconds = (performance.now() - started) / 1000;
    const stats = sink.stats();
    await sink.close();
    if (acked !== events.length || stats.dropped.spread + stats.dropped.trade + stats.refused > 0) {
      throw new Error(`acknowledged ${acked} of ${events.length} records (${JSON.stringify(stats)})`);
    }
    return [...figures(acked, seconds, latencies, stats.batches - warmBatches), { metric: 'failed requests (retried)', value: failed }];
  },
});

suite.measure({
  group: GROUP,
  name: '@platformatic/kafka 1.35.0',
  run: async () => {
    const events = makeEvents(suite.rng('events'));
    const topics = freshTopics('platformatic');
    const bootstrapBrokers = brokers();
    const admin = new Admin({ clientId: 'bench-platformatic-admin', bootstrapBrokers });
    await admin.createTopics({ topics: [topics.spread, topics.trade, topics.status], partitions: MARKETS, replicas: 1 });
    // Wait until every partition has a leader before the first send.
    for (let tries = 0; ; tries++) {
      const meta = await admin.metadata({ topics: [topics.spread, topics.trade], forceUpdate: true });
      const ready = [topics.spread, topics.trade].every((t) => {
        const info = meta.topics.get(t);
        return info !== undefined && info.partitionsCount === MARKETS && info.partitions.every((p) => p.leader >= 0);
      });
      if (ready) break;
      if (tries > 100) throw new Error('the bench topics have no leaders');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await admin.close();
    const producer = new Producer({ clientId: 'bench-platformatic', bootstrapBrokers, idempotent: true, acks: ProduceAcks.ALL, autocreateTopics: false });
    await producer.metadata({ topics: [topics.spread, topics.trade], forceUpdate: true });
    await producer.send({ messages: warmupEvents().map((e) => ({ topic: topics.trade, partition: e.marketId, key: Buffer.from(String(e.marketId)), value: encodeEvent(e, 'json').value })) });
    const latencies: number[] = [];
    let acked = 0;
    let requests = 0;
    const started = performance.now();
    for (let i = 0; i < events.length; i += BATCH) {
      const messages = [];
      for (let j = i; j < Math.min(events.length, i + BATCH); j++) {
        const event = events[j];
        if (event.kind === 'status') continue;
        const encoded = encodeEvent(event, 'json');
        messages.push({
          topic: event.kind === 'spread' ? topics.spread : topics.trade,
          partition: event.marketId,
          key: Buffer.from(String(event.marketId)),
          value: encoded.value,
          timestamp: BigInt(Math.floor(event.exchangeTime / 1000)),
          // Buffer header keys: with a plain object (string keys) 1.35.0's send() never settles.
          headers: new Map([[CONTENT_TYPE, Buffer.from(encoded.contentType)], [SCHEMA_HEADER, Buffer.from(encoded.schema)]]),
        });
      }
      const sent = performance.now();
      // One send in flight: @platformatic/kafka 1.x advances idempotent sequences only on the response.
      await producer.send({ messages });
      latencies.push(performance.now() - sent);
      acked += messages.length;
      requests++;
    }
    const seconds = (performance.now() - started) / 1000;
    await producer.close();
    return figures(acked, seconds, latencies, requests);
  },
});

// The suite's process starts the broker; each case's process inherits its address.
await withBroker(BROKERS_ENV, () => suite.run());

import type { SpreadEvent, StatusEvent, TradeEvent } from '@level4/feed';
import { FeedState, MarketType, Side, Spread, Status, Trade } from '@level4/rpc';
import { consume, startBroker, type Consumed } from '@level4/tools-kafka';
import { describe, expect, inject, it } from 'vitest';
import { KafkaSink, PlacementError, type Topics } from './index.js';

const brokers = inject('kafkaBrokers');
let topicRun = 0;
/** Fresh topic names per test, so tests never see each other's records. */
const freshTopics = (): Topics => {
  const p = `sink-${process.pid}-${Date.now()}-${topicRun++}`;
  return { spread: `${p}.spread`, trade: `${p}.timesales`, status: `${p}.status` };
};

const market = { venue: 'binance', marketType: 'spot', symbol: 'BTCUSDT' } as const;
const spread = (marketId: number, sequence: number, bid = '43000.10', ask = '43000.20'): SpreadEvent => ({
  kind: 'spread',
  marketId,
  ...market,
  bidPrice: bid,
  bidSize: '0.5',
  askPrice: ask,
  askSize: '1.25',
  midPrice: '43000.15',
  exchangeTime: 1_700_000_000_123_456 + sequence,
  receiveTime: 1_700_000_000_200_000 + sequence,
  sequence,
});
const trade = (marketId: number, sequence: number): TradeEvent => ({
  kind: 'trade',
  marketId,
  ...market,
  tradeId: `t${sequence}`,
  side: sequence % 2 === 0 ? 'buy' : 'sell',
  price: '0.30000000000000004',
  size: '0.00000001',
  exchangeTime: 1_700_000_000_000_000 + sequence,
  receiveTime: 1_700_000_000_000_100 + sequence,
  sequence,
});
const status = (marketId: number, sequence: number): StatusEvent => ({ kind: 'status', marketId, ...market, state: 'live', reason: 'synced', node: 'n1', epoch: 42, time: 1_700_000_000_000_000, sequence });

const byTopic = (records: readonly Consumed[], topic: string) => records.filter((r) => r.topic === topic);

describe('KafkaSink on a real broker', () => {
  it('writes JSON records to partition = market id with key, headers and receive-time timestamps', async () => {
    const topics = freshTopics();
    const sink = new KafkaSink({ brokers: brokers.split(','), topics, node: 'n1' });
    await sink.ensureMarket(3);
    // The feed's first Status carries its owner epoch: every record of the market repeats it as a header.
    sink.publish(status(3, 1));
    sink.publish(spread(3, 1));
    sink.publish(trade(3, 1));
    expect(await sink.flush()).toBe(true);
    await sink.close();

    const records = await consume(brokers, Object.values(topics), (r) => r.length >= 3);
    const [s] = byTopic(records, topics.spread);
    expect(s).toMatchObject({
      partition: 3,
      key: '3',
      timestamp: '1700000000200',
      headers: { 'content-type': 'application/json', schema: 'level4.v1.Spread', 'level4-epoch': '42' },
    });
    expect(JSON.parse(s!.value.toString())).toEqual({
      marketId: 3,
      venue: 'binance',
      marketType: 'spot',
      symbol: 'BTCUSDT',
      bidPrice: '43000.10',
      bidSize: '0.5',
      askPrice: '43000.20',
      askSize: '1.25',
      midPrice: '43000.15',
      exchangeTime: 1_700_000_000_123_457,
      receiveTime: 1_700_000_000_200_001,
      sequence: 1,
    });
    const [t] = byTopic(records, topics.trade);
    expect(t).toMatchObject({ partition: 3, key: '3', headers: { schema: 'level4.v1.Trade', 'level4-epoch': '42' } });
    // Exact decimal text survives: no float ever touches a price.
    expect(t!.value.toString()).toContain('"price":"0.30000000000000004","size":"0.00000001"');
    const st = byTopic(records, topics.status)[0]!;
    expect(st).toMatchObject({ partition: 3, headers: { schema: 'level4.v1.Status', 'level4-epoch': '42', 'level4-node': 'n1' } });
    expect(JSON.parse(st.value.toString())).toMatchObject({ node: 'n1', epoch: 42, state: 'live' });
  });

  it('writes Protobuf records (events.proto) when configured', async () => {
    const topics = freshTopics();
    const sink = new KafkaSink({ brokers: brokers.split(','), topics, encoding: 'protobuf' });
    await sink.ensureMarket(5);
    sink.publish(spread(5, 1));
    sink.publish(trade(5, 2));
    sink.publish(status(5, 1));
    await sink.close();

    const records = await consume(brokers, Object.values(topics), (r) => r.length >= 3);
    const s = byTopic(records, topics.spread)[0]!;
    // No Status yet for the market: epoch 0 (an engine outside a cluster); no node name configured.
    expect(s.headers).toEqual({ 'content-type': 'application/x-protobuf', schema: 'level4.v1.Spread', 'level4-epoch': '0' });
    expect(Spread.decode(s.value)).toEqual({
      marketId: 5,
      venue: 'binance',
      marketType: MarketType.MARKET_TYPE_SPOT,
      symbol: 'BTCUSDT',
      bidPrice: '43000.10',
      bidSize: '0.5',
      askPrice: '43000.20',
      askSize: '1.25',
      midPrice: '43000.15',
      exchangeTimeUs: 1_700_000_000_123_457,
      receiveTimeUs: 1_700_000_000_200_001,
      sequence: 1,
    });
    expect(Trade.decode(byTopic(records, topics.trade)[0]!.value)).toMatchObject({ tradeId: 't2', side: Side.SIDE_BUY, price: '0.30000000000000004', sequence: 2 });
    expect(Status.decode(byTopic(records, topics.status)[0]!.value)).toMatchObject({ state: FeedState.FEED_STATE_LIVE, node: 'n1', reason: 'synced', epoch: 42 });
  });

  it('grows existing topics for a larger market id, so no record is dropped by a client that did not know the partition', async () => {
    const topics = freshTopics();
    const sink = new KafkaSink({ brokers: brokers.split(','), topics, minPartitions: 4 });
    await sink.ensureMarket(1);
    sink.publish(trade(1, 1));
    expect(await sink.flush()).toBe(true);
    expect(sink.stats().partitions[topics.trade]).toBe(4);
    // Partition 40 does not exist yet: the sink adds partitions and refreshes the producer first.
    await sink.ensureMarket(40);
    expect(sink.stats().partitions[topics.trade]).toBe(44); // a whole step of minPartitions
    for (let i = 2; i <= 11; i++) sink.publish(trade(40, i));
    expect(await sink.flush()).toBe(true);
    await sink.close();
    const records = await consume(brokers, [topics.trade], (r) => r.length >= 11);
    expect(records.filter((r) => r.partition === 40).map((r) => JSON.parse(r.value.toString()).sequence)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(sink.stats().sent.trade).toBe(11);
  });

  it('splits a busy market\'s backlog into record batches the broker accepts (1 MiB each at most)', async () => {
    const topics = freshTopics();
    const sink = new KafkaSink({ brokers: brokers.split(','), topics });
    await sink.ensureMarket(6);
    // 6,000 spreads of one market (~1.9 MB) waiting at once: one request would be one oversized batch.
    for (let i = 1; i <= 6_000; i++) sink.publish(spread(6, i, `43000.${i}`));
    expect(await sink.flush(30_000)).toBe(true);
    const stats = sink.stats();
    await sink.close();
    expect(stats).toMatchObject({ sendErrors: 0, sent: { spread: 6_000 }, dropped: { spread: 0 } });
    expect(stats.batches).toBeGreaterThan(2);
  });

  it('holds sending while told to (a node unsure it still owns its feeds), and drops the unsent events of a market fenced meanwhile', async () => {
    const topics = freshTopics();
    let owner = false;
    const sink = new KafkaSink({ brokers: brokers.split(','), topics, canSend: () => owner });
    await sink.ensureMarket(1);
    await sink.ensureMarket(2);
    for (let i = 1; i <= 5; i++) {
      sink.publish(trade(1, i));
      sink.publish(trade(2, i));
    }
    // Held: nothing goes out, nothing is lost.
    expect(await sink.flush(300)).toBe(false);
    expect(sink.stats().queued.trade).toBe(10);
    // Market 1 moved to another node: its waiting events must never reach Kafka, nor its later ones.
    expect(sink.fence(1)).toBe(5);
    sink.publish(trade(1, 6));
    owner = true;
    expect(await sink.flush()).toBe(true);
    expect(sink.stats()).toMatchObject({ fenced: 6, sent: { trade: 5 } });
    // Placed again (the market came back to this node): it publishes again.
    await sink.ensureMarket(1);
    sink.publish(trade(1, 7));
    await sink.close();

    const records = await consume(brokers, [topics.trade], (r) => r.length >= 6);
    expect(records.map((r) => `${r.partition}:${JSON.parse(r.value.toString()).tradeId}`).sort()).toEqual(['1:t7', '2:t1', '2:t2', '2:t3', '2:t4', '2:t5']);
  });

  it('refuses, loudly, what cannot have its own partition', async () => {
    const errors: string[] = [];
    const logger = { info: () => undefined, warn: () => undefined, error: (_f: object, m: string) => errors.push(m) };
    const sink = new KafkaSink({ brokers: brokers.split(','), topics: freshTopics(), logger });
    await expect(sink.ensureMarket(-1)).rejects.toThrow(PlacementError);
    await expect(sink.ensureMarket(1.5)).rejects.toThrow('market id 1.5 cannot be a partition');
    // A market nobody placed: its events are refused, never sent to another partition.
    sink.publish(trade(9, 1));
    expect(sink.stats()).toMatchObject({ refused: 1, sent: { trade: 0 } });
    expect(errors).toEqual(['kafka-sink: event refused: its market has no partition (ensureMarket first)']);
    await sink.close();
  });

  it('reports a broker nobody answers on as a placement failure', async () => {
    const sink = new KafkaSink({ brokers: ['127.0.0.1:1'], topics: freshTopics() });
    await expect(sink.ensureMarket(0)).rejects.toThrow(/market 0 cannot be placed on Kafka topics/);
    await sink.close(100);
  });
});

describe('KafkaSink while Kafka is away', () => {
  it('keeps every trade in order while the broker hangs, conflates spreads, and delivers when it is back', async () => {
    // Its own broker: this test freezes it (SIGSTOP), which the shared broker's other users must not see.
    const broker = await startBroker({ handleSignals: false });
    try {
      const topics = freshTopics();
      const sink = new KafkaSink({ brokers: [broker.brokers], topics, spreadBufferLimit: 100 });
      await sink.ensureMarket(2);
      await sink.ensureMarket(3);
      let seq = 0;
      for (; seq < 50; seq++) sink.publish(trade(2, seq + 1));
      expect(await sink.flush()).toBe(true);

      process.kill(broker.pid, 'SIGSTOP');
      for (; seq < 550; seq++) sink.publish(trade(2, seq + 1));
      for (let i = 1; i <= 1_000; i++) sink.publish(spread(i % 2 === 0 ? 2 : 3, i, `43000.${i}`));
      expect(await sink.flush(1_500)).toBe(false);
      const waiting = sink.stats();
      expect(waiting.queued.trade).toBeGreaterThan(0);
      // Past 100 waiting spreads the backlog keeps the latest per market.
      expect(waiting.dropped.spread).toBeGreaterThan(0);
      expect(waiting.dropped.trade).toBe(0);

      process.kill(broker.pid, 'SIGCONT');
      expect(await sink.flush(60_000)).toBe(true);
      const stats = sink.stats();
      await sink.close();
      expect(stats.sent.trade).toBe(550);
      expect(stats.dropped.trade).toBe(0);

      const records = await consume(broker.brokers, [topics.trade, topics.spread], (r) => byTopic(r, topics.trade).length >= 550 && byTopic(r, topics.spread).length >= stats.sent.spread);
      const trades = byTopic(records, topics.trade).map((r) => JSON.parse(r.value.toString()).sequence as number);
      expect(trades).toEqual(Array.from({ length: 550 }, (_, i) => i + 1));
      // The last spread of each market survived conflation.
      const spreads = byTopic(records, topics.spread).map((r) => JSON.parse(r.value.toString()) as SpreadEvent);
      expect(spreads.filter((s) => s.marketId === 2).at(-1)?.sequence).toBe(1_000);
      expect(spreads.filter((s) => s.marketId === 3).at(-1)?.sequence).toBe(999);
      expect(stats.sent.spread + stats.dropped.spread).toBe(1_000);
    } finally {
      process.kill(broker.pid, 'SIGCONT');
      await broker.stop();
    }
  });
});

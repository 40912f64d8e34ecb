/**
 * End to end: a node on 127.0.0.1, Binance pointed at a replay of a real recording, a real Kafka.
 * Feeds are started over gRPC as an operator would; a Kafka consumer reads what the node wrote and
 * checks it against the recording: partition = market id, keys, headers, decoded payloads (JSON
 * and Protobuf), exact decimal text, and the last spread equal to the recording's final best bid/ask.
 */
import type { SpreadEvent, TradeEvent } from '@level4/feed';
import { canonicalDecimal } from '@level4/orderbook';
import { connectControl, FeedState, MarketType, Side, Spread, Status, Trade } from '@level4/rpc';
import { consume, type Consumed } from '@level4/tools-kafka';
import { describe, expect, inject, it } from 'vitest';
import { BINANCE_SPOT, binanceSpotCapture, fixtures, recordedTrades, startTestNode } from './support.js';

const brokers = inject('kafkaBrokers');

/** What a consumer gets from a record, whichever the encoding. */
interface Decoded {
  readonly spread?: Omit<SpreadEvent, 'kind'>;
  readonly trade?: Omit<TradeEvent, 'kind'>;
  readonly status?: { marketId: number; state: string; node: string };
}

const DECODE = {
  json: (topic: 'spread' | 'trade' | 'status', r: Consumed): Decoded => ({ [topic]: JSON.parse(r.value.toString()) }),
  protobuf: (topic: 'spread' | 'trade' | 'status', r: Consumed): Decoded => {
    if (topic === 'spread') {
      const s = Spread.decode(r.value);
      return {
        spread: {
          marketId: s.marketId,
          venue: s.venue,
          marketType: s.marketType === MarketType.MARKET_TYPE_SPOT ? 'spot' : 'futures',
          symbol: s.symbol,
          bidPrice: s.bidPrice || null,
          bidSize: s.bidSize || null,
          askPrice: s.askPrice || null,
          askSize: s.askSize || null,
          midPrice: s.midPrice || null,
          exchangeTime: s.exchangeTimeUs,
          receiveTime: s.receiveTimeUs,
          sequence: s.sequence,
        },
      };
    }
    if (topic === 'trade') {
      const t = Trade.decode(r.value);
      return {
        trade: {
          marketId: t.marketId,
          venue: t.venue,
          marketType: 'spot',
          symbol: t.symbol,
          tradeId: t.tradeId,
          side: t.side === Side.SIDE_BUY ? 'buy' : 'sell',
          price: t.price,
          size: t.size,
          exchangeTime: t.exchangeTimeUs,
          receiveTime: t.receiveTimeUs,
          sequence: t.sequence,
        },
      };
    }
    const s = Status.decode(r.value);
    const state = Object.entries({ live: FeedState.FEED_STATE_LIVE, stopped: FeedState.FEED_STATE_STOPPED, starting: FeedState.FEED_STATE_STARTING, syncing: FeedState.FEED_STATE_SYNCING }).find(([, v]) => v === s.state)?.[0] ?? String(s.state);
    return { status: { marketId: s.marketId, state, node: s.node } };
  },
} as const;

const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;

describe.skipIf(fixtures === undefined)('a node publishing a recorded Binance session to Kafka', () => {
  for (const encoding of ['json', 'protobuf'] as const) {
    it(`${encoding}: every spread and trade on partition = market id, exact, ending at the recorded best prices`, async () => {
      const capture = await binanceSpotCapture();
      const t = await startTestNode(capture, brokers, { KAFKA_ENCODING: encoding });
      const api = connectControl(`127.0.0.1:${t.node.rpcPort}`);
      const ids = BINANCE_SPOT.markets.map((_, i) => 20 + i);
      let sent: ReturnType<typeof t.node.sink.stats>['sent'];
      try {
        // All at once, as the recording was made: one socket, one subscription for the four markets
        // (the replay holds the stream where the recording fetched each snapshot; a market
        // subscribed late would miss the deltas that make it ask). The topics exist beforehand so
        // that no start waits for the first one's topic creation.
        await t.node.sink.ensureMarket(Math.max(...ids));
        const started = await Promise.all(
          BINANCE_SPOT.markets.map((m, i) => api.startFeed({ market: { id: ids[i]!, venue: 'binance', marketType: MarketType.MARKET_TYPE_SPOT, base: m.base, quote: m.quote, symbol: '' } })),
        );
        expect(started.map((r) => [r.feed?.symbol, r.feed?.node])).toEqual(BINANCE_SPOT.markets.map((m) => [m.symbol, 'test-node']));
        await t.settled();
        // The operator's view: every feed live, books at the recorded best prices.
        const { feeds } = await api.listFeeds();
        expect(feeds.map((f) => [f.market?.id, f.state])).toEqual(ids.map((id) => [id, FeedState.FEED_STATE_LIVE]));
        for (const [i, m] of BINANCE_SPOT.markets.entries()) {
          const book = await api.getBook({ marketId: ids[i]!, depth: 3 });
          expect(book.bids).toHaveLength(3);
          expect(canonicalDecimal(book.bids[0]!.price)).toBe(canonicalDecimal(m.bid));
          expect(canonicalDecimal(book.asks[0]!.price)).toBe(canonicalDecimal(m.ask));
        }
        expect(await t.node.sink.flush()).toBe(true);
        sent = t.node.sink.stats().sent;
        // What Prometheus scrapes: the engine's counters per feed, events, Kafka.
        const metricsUrl = `http://127.0.0.1:${t.node.metricsPort}`;
        const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
        expect(metrics).toContain('level4_feeds 4');
        expect(metrics).toMatch(/level4_feed_state\{market_id="20",venue="binance",market_type="spot",symbol="NKNUSDT",state="live"\} 1/);
        expect(metrics).toMatch(/level4_feed_deltas_total\{market_id="20",venue="binance",market_type="spot",symbol="NKNUSDT"\} [1-9]/);
        expect(metrics).toContain(`level4_events_total{kind="spread"} ${sent.spread}`);
        expect(metrics).toMatch(/level4_kafka_send_seconds_count [1-9]/);
        expect(metrics).toContain('level4_kafka_dropped{kind="trade"} 0');
        // A cluster of one: its four feeds in the registry, all owned by a live node, nothing fenced.
        for (const line of ['level4_cluster_nodes 1', 'level4_cluster_feeds 4', 'level4_cluster_feeds_unowned 0', 'level4_kafka_fenced 0', 'level4_registry_malformed 0']) {
          expect(metrics).toContain(line);
        }
        expect(metrics).toMatch(/level4_registry_commits [1-9]/); // starts at once share a transaction
        expect(metrics).toMatch(/level4_lease_age_seconds 0\.\d+|level4_lease_age_seconds [0-2]\n/);
        expect((await fetch(`${metricsUrl}/healthz`)).status).toBe(200);
        expect((await fetch(`${metricsUrl}/readyz`)).status).toBe(200);
        // Kafka acknowledged every event the feeds produced.
        const produced = (kind: string) => t.events.filter((e) => e.kind === kind).length;
        expect(sent).toEqual({ spread: produced('spread'), trade: produced('trade'), status: produced('status') });
        expect(sent.spread).toBeGreaterThan(ids.length);
        expect(sent.trade).toBeGreaterThan(0);
      } finally {
        api.close();
        await t.close();
      }

      // Everything the node published, read back from Kafka (a stop adds one `stopped` status per market).
      const records = await consume(brokers, [t.topics.spread, t.topics.trade, t.topics.status], (r) => r.length >= sent.spread + sent.trade + sent.status + ids.length);
      const topicOf = (r: Consumed) => (r.topic === t.topics.spread ? 'spread' : r.topic === t.topics.trade ? 'trade' : 'status');
      const decoded = records.map((r) => ({ record: r, ...DECODE[encoding](topicOf(r), r) }));
      const contentType = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
      for (const { record, spread, trade, status } of decoded) {
        const marketId = spread?.marketId ?? trade?.marketId ?? status?.marketId;
        expect(record.partition).toBe(marketId);
        expect(record.key).toBe(String(marketId));
        expect(record.headers['content-type']).toBe(contentType);
        expect(record.headers['schema']).toBe(`level4.v1.${topicOf(record).replace(/^./, (c) => c.toUpperCase())}`);
      }
      for (const [i, m] of BINANCE_SPOT.markets.entries()) {
        const id = ids[i]!;
        const spreads = decoded.flatMap((d) => (d.spread?.marketId === id ? [d.spread] : []));
        // In publication order, numbered 1..n, exact decimal text, never crossed.
        expect(spreads.map((s) => s.sequence)).toEqual(spreads.map((_, n) => n + 1));
        for (const s of spreads) {
          for (const v of [s.bidPrice, s.bidSize, s.askPrice, s.askSize, s.midPrice]) expect(v).toMatch(DECIMAL);
          expect(Number(s.bidPrice)).toBeLessThan(Number(s.askPrice));
          expect(s).toMatchObject({ venue: 'binance', marketType: 'spot', symbol: m.symbol });
        }
        const last = spreads.at(-1)!;
        expect(canonicalDecimal(last.bidPrice!)).toBe(canonicalDecimal(m.bid));
        expect(canonicalDecimal(last.askPrice!)).toBe(canonicalDecimal(m.ask));
        // The record timestamp is the receive time (ms): retention must not delete a replay of 2021.
        const lastRecord = decoded.filter((d) => d.spread?.marketId === id).at(-1)!.record;
        expect(lastRecord.timestamp).toBe(String(Math.floor(last.receiveTime / 1000)));

        // Every recorded trade once, with the venue's exact text and the taker's side.
        const trades = decoded.flatMap((d) => (d.trade?.marketId === id ? [d.trade] : []));
        expect(trades.map((tr) => [tr.tradeId, tr.side, tr.price, tr.size])).toEqual(recordedTrades(capture, m.symbol).map((r) => [String(r.a), r.m ? 'sell' : 'buy', r.p, r.q]));

        const states = decoded.flatMap((d) => (d.status?.marketId === id ? [d.status.state] : []));
        expect(states).toEqual(['starting', 'syncing', 'live', 'stopped']);
      }
    });
  }
});

import { randomUUID } from 'node:crypto';
import type { MarketSpec } from '@level4/feed';
import '@level4/tools-kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FeedRegistry, type RegistryView } from './index.js';

const brokers = inject('kafkaBrokers').split(',');
const btc: MarketSpec = { venue: 'binance', type: 'spot', base: 'BTC', quote: 'USDT' };
const eth: MarketSpec = { venue: 'binance', type: 'spot', base: 'ETH', quote: 'USDT' };

const open: FeedRegistry[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

async function registry(topic: string, reader?: string): Promise<FeedRegistry> {
  const r = new FeedRegistry({ brokers, topic, clientId: 'registry-test', ...(reader ? { reader } : {}) });
  open.push(r);
  await r.start();
  return r;
}

/** Starts a market on `node` unless the market id runs already: what a node's StartFeed decides. */
const startOn = (marketId: number, market: MarketSpec, node: string) => (view: RegistryView) => {
  if (view.get(marketId)) throw new Error(`market ${marketId} runs already on ${view.get(marketId)?.node}`);
  return [{ kind: 'assign' as const, marketId, market, node }];
};

describe('FeedRegistry', () => {
  it('assigns, moves and removes feeds; the epoch is the record offset and grows with every move', async () => {
    const a = await registry(`feeds-${randomUUID()}`);
    const [first] = await a.change(startOn(1, btc, 'node-a'));
    expect(first).toMatchObject({ marketId: 1, market: btc, node: 'node-a' });
    expect(a.get(1)).toEqual(first);

    const [moved] = await a.change(() => [{ kind: 'assign', marketId: 1, market: btc, node: 'node-b' }]);
    expect(moved?.node).toBe('node-b');
    expect(moved!.epoch).toBeGreaterThan(first!.epoch);

    await expect(a.change(startOn(1, btc, 'node-c'))).rejects.toThrow('market 1 runs already on node-b');
    expect(await a.change(() => [{ kind: 'remove', marketId: 1 }])).toEqual([]);
    expect(a.get(1)).toBeUndefined();
    expect(a.stats()).toMatchObject({ commits: 3, malformed: 0 });
  });

  it('lets exactly one of two nodes start the same market at the same moment', async () => {
    const topic = `feeds-${randomUUID()}`;
    const [a, b] = await Promise.all([registry(topic), registry(topic)]);
    for (let id = 0; id < 10; id++) {
      const results = await Promise.allSettled([a.change(startOn(id, btc, 'node-a')), b.change(startOn(id, btc, 'node-b'))]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(String(lost[0]?.reason)).toContain(`market ${id} runs already`);
      await a.sync();
      await b.sync();
      expect(a.get(id)).toEqual(b.get(id));
    }
  });

  it('serializes many changes from several nodes without losing one', async () => {
    const topic = `feeds-${randomUUID()}`;
    const nodes = await Promise.all([registry(topic), registry(topic), registry(topic)]);
    const starts = nodes.flatMap((r, n) => Array.from({ length: 8 }, (_, i) => r.change(startOn(n * 100 + i, eth, `node-${n}`))));
    await Promise.all(starts);
    await Promise.all(nodes.map((r) => r.sync()));
    for (const r of nodes) {
      expect(r.list()).toHaveLength(24);
      expect(r.list().sort((x, y) => x.marketId - y.marketId)).toEqual(nodes[0]!.list().sort((x, y) => x.marketId - y.marketId));
    }
    // Each (re)assignment has its own epoch.
    expect(new Set(nodes[0]!.list().map((x) => x.epoch)).size).toBe(24);
  });

  it('tells which readers keep reading it (their barriers), and which said they leave', async () => {
    const topic = `feeds-${randomUUID()}`;
    const a = await registry(topic, 'node-a');
    const b = await registry(topic, 'node-b');
    await a.sync();
    await b.sync();
    expect(b.readers().get('node-a')).toMatchObject({ leaving: false });
    const seen = b.readers().get('node-a')!.lastSeenMs;
    expect(Date.now() - seen).toBeLessThan(5_000);
    await a.leave();
    await b.sync();
    expect(b.readers().get('node-a')?.leaving).toBe(true);
    // A reader started later knows only what it saw itself: history says nothing of who is there now.
    const c = await registry(topic, 'node-c');
    expect(c.readers().has('node-a')).toBe(false);
    await b.sync();
    await c.sync();
    expect([...c.readers().keys()].sort()).toEqual(['node-b', 'node-c']);
  });

  it('restores the desired feeds from the topic when a node starts, ignoring records it cannot read', async () => {
    const topic = `feeds-${randomUUID()}`;
    const a = await registry(topic);
    await a.change(startOn(7, btc, 'node-a'));
    await a.change(startOn(8, eth, 'node-a'));
    await a.change(() => [{ kind: 'remove', marketId: 7 }]);
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: '9', value: '{not json', partition: 0 }, { key: '10', value: JSON.stringify({ v: 1, node: 'x', at: 1 }), partition: 0 }] });
    await producer.disconnect();

    const later = await registry(topic);
    expect(later.list().map((x) => [x.marketId, x.node, x.market.base])).toEqual([[8, 'node-a', 'ETH']]);
    expect(later.get(8)).toEqual(a.get(8));
    expect(later.stats().malformed).toBe(2);
  });
});

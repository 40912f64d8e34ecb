/**
 * Real round trips with kafkajs 2.2.4 against the broker from
 * vitest-global-setup.ts (a fresh local Kafka 4.1.1, or KAFKA_BROKERS).
 */
import { randomUUID } from 'node:crypto';
import { Kafka, KafkaJSProtocolError, logLevel, type IHeaders, type Message } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
// The ProvidedContext augmentation (inject('kafkaBrokers'): string).
import type {} from './vitest-global-setup.js';

const brokers = inject('kafkaBrokers');
const kafka = new Kafka({
  clientId: 'level4-tools-kafka-test',
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();

interface Received {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

function uniqueTopic(name: string): string {
  return `level4.test.${name}.${randomUUID()}`;
}

function decodeHeaders(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map((x) => x.toString('hex')).join(',') : v.toString('hex');
  }
  return out;
}

function hexHeaders(h: Record<string, string | Buffer>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Buffer.from(v).toString('hex')]));
}

/** Reads `count` records of `topic` with a fresh consumer group from the beginning. */
async function consume(topic: string, count: number, timeoutMs = 30_000): Promise<Received[]> {
  const consumer = kafka.consumer({ groupId: `level4-test-${randomUUID()}` });
  const got: Received[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`got ${got.length} of ${count} records from ${topic} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            got.push({
              partition,
              offset: message.offset,
              key: message.key === null ? null : message.key.toString('utf8'),
              value: message.value === null ? '<null>' : message.value.toString('hex'),
              headers: decodeHeaders(message.headers),
            });
            if (got.length >= count) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return got.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}

/**
 * The high watermark of every partition. Right after partitions are added, the broker can answer
 * NOT_LEADER_OR_FOLLOWER for a moment (its metadata lists the new leader before the replica has
 * taken over); that error is retriable, and kafkajs's admin does not retry it, so we do.
 */
async function highWatermarks(topic: string): Promise<Record<number, string>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return Object.fromEntries(offsets.map((o) => [o.partition, o.high]));
    } catch (error) {
      if (!(error instanceof KafkaJSProtocolError && error.retriable) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The topic's partition ids once `count` of them have a leader (polls for up to 10 s). */
async function partitionsWithLeaders(topic: string, count: number): Promise<number[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    const ready = (md.topics[0]?.partitions ?? []).filter((p) => p.leader >= 0).map((p) => p.partitionId);
    if (ready.length >= count || Date.now() > deadline) return ready.sort((x, y) => x - y);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
});

describe('local Kafka broker', () => {
  it('is a single KRaft node on 127.0.0.1', async () => {
    const cluster = await admin.describeCluster();
    const [host, port] = (brokers.split(',')[0] as string).split(':');
    expect(cluster.brokers).toEqual([{ nodeId: 1, host, port: Number(port) }]);
    expect(cluster.controller).toBe(1);
    expect(cluster.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('round-trips records with keys, values and headers on explicit partitions', async () => {
    const topic = uniqueTopic('roundtrip');
    expect(
      await admin.createTopics({
        topics: [{ topic, numPartitions: 4, replicationFactor: 1 }],
        waitForLeaders: true,
      }),
    ).toBe(true);
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(md.topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);

    // 3 records per partition, sent in one request; one binary value and header on partition 3.
    const messages: (Message & { partition: number })[] = [];
    for (let partition = 0; partition < 4; partition++) {
      for (let seq = 0; seq < 3; seq++) {
        messages.push({
          partition,
          key: `market-${partition}`,
          value:
            partition === 3 && seq === 2
              ? Buffer.from([0x00, 0x01, 0xfe, 0xff])
              : JSON.stringify({ market: partition, seq, px: `${100 + seq}.5` }),
          headers: {
            'x-seq': String(seq),
            'content-type': partition === 3 && seq === 2 ? 'application/octet-stream' : 'application/json',
            ...(partition === 3 && seq === 2 ? { 'x-bin': Buffer.from([0xde, 0xad, 0xbe, 0xef]) } : {}),
          },
        });
      }
    }

    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const meta = await producer.send({ topic, acks: -1, messages });
      expect(meta.map((m) => ({ p: m.partition, err: m.errorCode, base: m.baseOffset })).sort((a, b) => a.p - b.p)).toEqual([
        { p: 0, err: 0, base: '0' },
        { p: 1, err: 0, base: '0' },
        { p: 2, err: 0, base: '0' },
        { p: 3, err: 0, base: '0' },
      ]);
    } finally {
      await producer.disconnect();
    }

    expect(await highWatermarks(topic)).toEqual({ 0: '3', 1: '3', 2: '3', 3: '3' });

    const expected: Received[] = messages.map((m, i) => ({
      partition: m.partition,
      offset: String(i % 3),
      key: String(m.key),
      value: Buffer.from(m.value as string | Buffer).toString('hex'),
      headers: hexHeaders(m.headers as Record<string, string | Buffer>),
    }));
    expect(await consume(topic, messages.length)).toEqual(expected);
    // Spot check that the comparison above is on real content.
    expect(expected[0]).toEqual({
      partition: 0,
      offset: '0',
      key: 'market-0',
      value: Buffer.from('{"market":0,"seq":0,"px":"100.5"}').toString('hex'),
      headers: { 'x-seq': '30', 'content-type': Buffer.from('application/json').toString('hex') },
    });
    expect(expected[11]?.value).toBe('0001feff');
    expect(expected[11]?.headers['x-bin']).toBe('deadbeef');
  });

  it('grows a topic with createPartitions and delivers to the new partition', async () => {
    const topic = uniqueTopic('grow');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });

    const before = kafka.producer({ allowAutoTopicCreation: false });
    await before.connect();
    try {
      await before.send({ topic, acks: -1, messages: [{ partition: 0, key: 'm0', value: 'old' }] });
    } finally {
      await before.disconnect();
    }

    // (kafkajs 2.2.4 resolves createPartitions with undefined, despite its typings.)
    await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] });
    // Partitions only grow: asking for fewer is refused and changes nothing.
    await expect(admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] })).rejects.toThrow();
    // The controller has committed the new partitions; the broker's metadata follows a moment later.
    expect(await partitionsWithLeaders(topic, 5)).toEqual([0, 1, 2, 3, 4]);

    // A fresh producer has fresh metadata (kafkajs silently drops records for
    // partitions missing from its cached metadata).
    const after = kafka.producer({ allowAutoTopicCreation: false });
    await after.connect();
    try {
      const meta = await after.send({
        topic,
        acks: -1,
        messages: [{ partition: 4, key: 'm4', value: 'new', headers: { 'x-market': '4' } }],
      });
      expect(meta).toEqual([expect.objectContaining({ topicName: topic, partition: 4, errorCode: 0, baseOffset: '0' })]);
    } finally {
      await after.disconnect();
    }

    expect(await highWatermarks(topic)).toEqual({ 0: '1', 1: '0', 2: '0', 3: '0', 4: '1' });
    expect(await consume(topic, 2)).toEqual([
      { partition: 0, offset: '0', key: 'm0', value: Buffer.from('old').toString('hex'), headers: {} },
      {
        partition: 4,
        offset: '0',
        key: 'm4',
        value: Buffer.from('new').toString('hex'),
        headers: { 'x-market': Buffer.from('4').toString('hex') },
      },
    ]);
  });
});

// Tests read what a producer wrote: every record of some topics, from the beginning.
import { Kafka, logLevel, type IHeaders } from 'kafkajs';

export interface Consumed {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly value: Buffer;
  readonly timestamp: string;
  readonly headers: Record<string, string>;
}

const text = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)]));

/** Reads `topics` from the beginning (a fresh group) until `until` holds or `timeoutMs` passes. */
export async function consume(brokers: string, topics: readonly string[], until: (records: readonly Consumed[]) => boolean, timeoutMs = 30_000): Promise<Consumed[]> {
  const kafka = new Kafka({ clientId: 'level4-consumer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `level4-consume-${process.pid}-${Date.now()}-${Math.random()}` });
  const records: Consumed[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${records.length} records in ${timeoutMs} ms; wanted more`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          records.push({ topic, partition, offset: Number(message.offset), key: message.key?.toString() ?? '', value: message.value ?? Buffer.alloc(0), timestamp: message.timestamp, headers: text(message.headers) });
          if (until(records)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Reads every record the topics hold at the time of the call (up to each partition's end offset then). */
export async function consumeToEnd(brokers: string, topics: readonly string[], timeoutMs = 30_000): Promise<Consumed[]> {
  const kafka = new Kafka({ clientId: 'level4-consumer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  try {
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) if (Number(p.high) > Number(p.low)) ends.set(`${topic}:${p.partition}`, Number(p.high) - 1);
    }
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return [];
  const reached = new Set<string>();
  return consume(
    brokers,
    topics,
    (records) => {
      const last = records.at(-1);
      if (last && last.offset >= (ends.get(`${last.topic}:${last.partition}`) ?? Infinity)) reached.add(`${last.topic}:${last.partition}`);
      return reached.size === ends.size;
    },
    timeoutMs,
  );
}

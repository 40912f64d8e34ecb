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

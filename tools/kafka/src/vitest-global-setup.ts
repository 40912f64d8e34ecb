/**
 * vitest globalSetup: one real Kafka broker per vitest run.
 *
 *   test: { globalSetup: ['<path>/tools/kafka/src/vitest-global-setup.ts'] }
 *
 * - If KAFKA_BROKERS is set (e.g. under `tsx tools/kafka/src/cli.ts run -- vitest`),
 *   that broker is used and nothing is started.
 * - Otherwise one broker is started on free ports, KAFKA_BROKERS is set in this
 *   process, and it is stopped after the run.
 * - Tests read it with `inject('kafkaBrokers')`.
 *
 * Several projects of one run may list this file: vitest may evaluate it once per
 * project, so the broker is kept in a globalThis holder and reference counted;
 * the last teardown stops it.
 */
// Brings the 'vitest' module into the program so the augmentation below applies (types only).
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { probeMetadata, startBroker, type RunningBroker } from './broker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
  }
}

interface Holder {
  broker: Promise<RunningBroker>;
  refs: number;
}

const KEY = Symbol.for('level4.tools-kafka.vitest-broker');
const g = globalThis as typeof globalThis & { [KEY]?: Holder };

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  let holder = g[KEY];
  if (!holder) {
    const external = process.env['KAFKA_BROKERS'];
    if (external) {
      // Fail early and clearly if the named broker does not answer.
      await probeMetadata(external, 30_000);
      project.provide('kafkaBrokers', external);
      return undefined;
    }
    const log = (line: string) => process.stderr.write(`[kafka] ${line}\n`);
    holder = { broker: startBroker({ log }), refs: 0 };
    g[KEY] = holder;
    holder.broker.catch(() => {
      if (g[KEY] === holder) delete g[KEY];
    });
  }
  const h = holder;
  h.refs++;
  let broker: RunningBroker;
  try {
    broker = await h.broker;
  } catch (e) {
    h.refs--;
    throw e;
  }
  process.env['KAFKA_BROKERS'] = broker.brokers;
  project.provide('kafkaBrokers', broker.brokers);

  let done = false;
  return async () => {
    if (done) return;
    done = true;
    if (--h.refs > 0) return;
    if (g[KEY] === h) delete g[KEY];
    if (process.env['KAFKA_BROKERS'] === broker.brokers) delete process.env['KAFKA_BROKERS'];
    await broker.stop();
  };
}

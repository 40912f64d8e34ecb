import { startBroker } from './broker.js';

/**
 * Runs `fn` against a fresh local broker whose `host:port` it puts in `process.env[env]`, and stops
 * the broker after. When `env` is set already (a child process of the same run, or a broker the
 * user named), `fn` runs against that one. Benchmarks: the suite's process starts the broker, each
 * case's process inherits its address.
 */
export async function withBroker(env: string, fn: () => Promise<unknown>): Promise<void> {
  if (process.env[env]) {
    await fn();
    return;
  }
  const broker = await startBroker({ handleSignals: false });
  process.env[env] = broker.brokers;
  try {
    await fn();
  } finally {
    await broker.stop();
  }
}

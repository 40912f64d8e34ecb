import { randomUUID } from 'node:crypto';
import { silentLogger } from '@level4/feed';
import { FeedRegistry } from '@level4/feed-registry';
import '@level4/tools-kafka';
import { describe, expect, inject, it, vi } from 'vitest';
import { Lease } from './lease.js';

const brokers = inject('kafkaBrokers').split(',');

describe('Lease', () => {
  it('holds while the registry is read (and acted on) within its time, lapses when it is not, and lets a shutdown flush', async () => {
    const registry = new FeedRegistry({ brokers, topic: `lease-${randomUUID()}`, reader: 'node-a' });
    await registry.start();
    let enforced = 0;
    const lease = new Lease(registry, () => void enforced++, 600, silentLogger);
    lease.start();
    try {
      await vi.waitFor(() => expect(enforced).toBeGreaterThanOrEqual(3), { timeout: 5_000 });
      expect(lease.valid()).toBe(true);
      expect(lease.ageMs()).toBeLessThan(600);
      // Kafka gone for this node: no read completes, so after its time the lease lapses.
      await registry.close();
      await vi.waitFor(() => expect(lease.valid()).toBe(false), { timeout: 5_000 });
      // Shutting down, the node flushes what its stopped feeds made: the others wait for its goodbye.
      lease.shutdown();
      expect(lease.valid()).toBe(true);
    } finally {
      lease.shutdown();
      await registry.close();
    }
  });
});

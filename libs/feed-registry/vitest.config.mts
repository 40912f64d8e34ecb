import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  ssr: { resolve: { conditions: ['@level4/source'] } },
  test: {
    name: '@level4/feed-registry',
    watch: false,
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A real broker: one local Kafka per run unless KAFKA_BROKERS names one.
    globalSetup: ['../../tools/kafka/src/vitest-global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});

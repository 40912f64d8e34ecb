import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  ssr: { resolve: { conditions: ['@level4/source'] } },
  test: {
    name: '@level4/tools-kafka',
    watch: false,
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // Starts one local broker per run unless KAFKA_BROKERS names one.
    globalSetup: ['./src/vitest-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

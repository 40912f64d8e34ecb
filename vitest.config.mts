import { defineConfig } from 'vitest/config';

// One run over every project (each keeps its own vitest.config.mts), so that a test run starts at
// most one local Kafka broker and ends with one summary line.
export default defineConfig({
  test: {
    projects: ['libs/*/vitest.config.mts', 'apps/*/vitest.config.mts', 'tools/*/vitest.config.mts'],
    reporters: ['default', './tools/vitest/src/summary-reporter.ts'],
  },
});

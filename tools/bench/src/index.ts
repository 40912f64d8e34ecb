/**
 * The level4 benchmark harness. Bench files (`<project>/bench/*.bench.ts`) declare timing and
 * memory cases on a suite, and `npm run bench` runs each file in its own process.
 *
 * ```ts
 * const suite = benchSuite('orderbook');
 * suite.time({ group: '1k levels', name: 'book', opsPerCall: 1000, fn: () => runBatch(), targetNsPerOp: 150 });
 * suite.memory({ group: '1k levels', name: 'book', units: 'level', count: 100, build: makeBook, unitsOf: (b) => b.levelCount() });
 * await suite.run();
 * ```
 */
export { CHILD_NODE_FLAGS, ENV, REPO_ROOT } from './env.js';
export { BenchSuite, benchSuite, DEFAULT_SEED, machineInfo, type BenchSuiteOptions, type MeasureCase, type MemoryCase, type TimeCase } from './suite.js';
export { createRng, hash32, type Rng } from './rng.js';
export { formatBytes, formatFigures, formatNs, formatRate, formatTable, formatValue, judgeFigures, meetsTarget, mergeRows, type TableRow } from './table.js';
export type { CaseResult, Figure, FigureResult, FigureTarget, MachineInfo, MeasureResult, MemoryResult, NsPerOp, SuiteReport, TimeResult } from './types.js';

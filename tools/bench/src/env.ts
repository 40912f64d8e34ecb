import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repo root: this file is tools/bench/src/env.ts. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Environment variables the CLI uses to talk to the bench files it runs. */
export const ENV = {
  /** Overrides the seed of every suite. */
  seed: 'LEVEL4_BENCH_SEED',
  /** Overrides the time budget of every timed case, in ms. */
  timeMs: 'LEVEL4_BENCH_TIME_MS',
  /** A file the suite appends one JSON line to when it has written its results. */
  manifest: 'LEVEL4_BENCH_MANIFEST',
  /** When "1", a suite with a missed target exits non-zero. */
  strict: 'LEVEL4_BENCH_STRICT',
  /** Where the JSON goes instead of <repo>/bench-results. */
  outDir: 'LEVEL4_BENCH_OUT_DIR',
  /** Run only the cases whose "group / name" contains this text. */
  only: 'LEVEL4_BENCH_ONLY',
  /** Set by a suite for the process it starts to run one case (its index) in isolation. */
  caseIndex: 'LEVEL4_BENCH_CASE',
  /** Where that process writes its case result. */
  caseOut: 'LEVEL4_BENCH_CASE_OUT',
} as const;

/** The node flags a bench file runs with: forced GC, TypeScript via tsx, workspace packages from source. */
export const CHILD_NODE_FLAGS: readonly string[] = ['--expose-gc', '--import', 'tsx', '--conditions=@level4/source'];

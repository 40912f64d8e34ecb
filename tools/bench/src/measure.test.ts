import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CHILD_NODE_FLAGS, ENV, REPO_ROOT } from './env.js';
import { formatFigures, formatTable, judgeFigures, meetsTarget } from './table.js';
import type { MeasureResult, SuiteReport } from './types.js';

describe('measured figures', () => {
  it('judges each figure against its bounds (inclusive) and the case by all its targeted figures', () => {
    expect(meetsTarget(5, { min: 5 })).toBe(true);
    expect(meetsTarget(4.9, { min: 5 })).toBe(false);
    expect(meetsTarget(10, { max: 10 })).toBe(true);
    expect(meetsTarget(3, { min: 1, max: 2 })).toBe(false);
    expect(judgeFigures([{ metric: 'n', value: 1 }])).toEqual({ figures: [{ metric: 'n', value: 1 }] });
    const judged = judgeFigures([
      { metric: 'records/s', value: 120_000, target: { min: 100_000 } },
      { metric: 'p99 ms', value: 12.5, target: { max: 10 } },
      { metric: 'p50 ms', value: 2 },
    ]);
    expect(judged.figures.map((f) => f.pass)).toEqual([true, false, undefined]);
    expect(judged.pass).toBe(false);
    expect(judgeFigures([{ metric: 'x', value: Number.NaN, target: { max: 1 } }]).pass).toBe(false);
  });

  it('prints one line per figure with PASS/MISS, after the timed table when both exist', () => {
    const result: MeasureResult = {
      kind: 'measure',
      group: 'kafka',
      name: 'kafkajs',
      ...judgeFigures([
        { metric: 'records/s', value: 123_456.7, target: { min: 100_000 } },
        { metric: 'p99 ms', value: 12.345, target: { max: 10 } },
      ]),
    };
    const lines = formatFigures([result]).split('\n');
    expect(lines[0]).toMatch(/^group\s+name\s+metric\s+value\s+target$/);
    expect(lines[2]).toMatch(/^kafka\s+kafkajs\s+records\/s\s+123,457\s+>=100,000 PASS$/);
    expect(lines[3]).toMatch(/^\s+p99 ms\s+12\.35\s+<=10\.00 MISS$/);
    expect(formatTable([result])).toBe(formatFigures([result]));
  });

  const scratch = mkdtempSync(join(tmpdir(), 'level4-bench-measure-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('runs a measured case in its own process and writes its figures to the JSON report', async () => {
    const file = join(scratch, 'tiny.bench.mts');
    const suiteModule = join(REPO_ROOT, 'tools/bench/src/suite.ts');
    writeFileSync(
      file,
      `import { benchSuite } from ${JSON.stringify(suiteModule)};
const suite = benchSuite('tiny-measure');
suite.measure({ group: 'g', name: 'case', run: async () => [
  { metric: 'pid differs', value: Number(process.pid !== Number(process.env.PARENT_PID)), target: { min: 1 } },
  { metric: 'p99 ms', value: 20, target: { max: 10 } },
] });
await suite.run();
`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, [...CHILD_NODE_FLAGS, file], {
      cwd: REPO_ROOT,
      env: { ...process.env, PARENT_PID: '0', [ENV.outDir]: scratch, [ENV.manifest]: '', [ENV.caseIndex]: '' },
    });
    expect(stdout).toMatch(/measure g \/ case: pid differs 1\.00 PASS, p99 ms 20\.00 MISS/);
    const report = JSON.parse(readFileSync(join(scratch, 'tiny-measure.json'), 'utf8')) as SuiteReport;
    expect(report.results).toEqual([
      {
        kind: 'measure',
        group: 'g',
        name: 'case',
        pass: false,
        figures: [
          { metric: 'pid differs', value: 1, target: { min: 1 }, pass: true },
          { metric: 'p99 ms', value: 20, target: { max: 10 }, pass: false },
        ],
      },
    ]);
  }, 30_000);
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverBenchFiles, filterBenchFiles, isBenchFile, sortPaths } from './discover.js';
import { REPO_ROOT } from './env.js';

describe('discoverBenchFiles', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'level4-bench-discover-'));
    for (const file of [
      'libs/zeta/bench/b.bench.ts',
      'libs/zeta/bench/a.bench.ts',
      'libs/zeta/bench/helpers.ts',
      'libs/zeta/bench/nested/deep.bench.ts',
      'libs/zeta/src/not-here.bench.ts',
      'libs/alpha/bench/x.bench.ts',
      'apps/svc/bench/y.bench.ts',
      'tools/kit/bench/z.bench.ts',
      'tools/kit/bench/.bench.ts',
      'tools/kit/bench/old.bench.js',
      'other/p/bench/no.bench.ts',
    ]) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), '');
    }
    mkdirSync(join(root, 'libs/zeta/bench/folder.bench.ts'), { recursive: true });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds <libs|apps|tools>/<project>/bench/*.bench.ts files, sorted, and nothing else', () => {
    expect(discoverBenchFiles(root)).toEqual([
      'apps/svc/bench/y.bench.ts',
      'libs/alpha/bench/x.bench.ts',
      'libs/zeta/bench/a.bench.ts',
      'libs/zeta/bench/b.bench.ts',
      'tools/kit/bench/z.bench.ts',
    ]);
  });

  it('returns nothing for a root without projects', () => {
    expect(discoverBenchFiles(join(root, 'missing'))).toEqual([]);
  });

  it("finds this repo's order book benchmark", () => {
    expect(discoverBenchFiles(REPO_ROOT)).toContain('libs/orderbook/bench/order-book.bench.ts');
  });
});

describe('filterBenchFiles', () => {
  const files = ['apps/svc/bench/y.bench.ts', 'libs/orderbook/bench/order-book.bench.ts', 'tools/kit/bench/z.bench.ts'];

  it('keeps everything without words', () => {
    expect(filterBenchFiles(files, [])).toEqual(files);
    expect(filterBenchFiles(files, [''])).toEqual(files);
  });

  it('keeps the paths containing any of the words', () => {
    expect(filterBenchFiles(files, ['orderbook'])).toEqual(['libs/orderbook/bench/order-book.bench.ts']);
    expect(filterBenchFiles(files, ['svc', 'kit'])).toEqual(['apps/svc/bench/y.bench.ts', 'tools/kit/bench/z.bench.ts']);
    expect(filterBenchFiles(files, ['nothing'])).toEqual([]);
  });
});

describe('helpers', () => {
  it('recognises bench file names', () => {
    expect(isBenchFile('order-book.bench.ts')).toBe(true);
    expect(isBenchFile('.bench.ts')).toBe(false);
    expect(isBenchFile('order-book.ts')).toBe(false);
    expect(isBenchFile('x.bench.tsx')).toBe(false);
  });
  it('sorts by code unit, not by locale', () => {
    expect(sortPaths(['b', 'B', 'a', 'A'])).toEqual(['A', 'B', 'a', 'b']);
  });
});

import { describe, expect, it } from 'vitest';
import { formatBytes, formatNs, formatRate, formatTable, mergeRows } from './table.js';
import type { MemoryResult, TimeResult } from './types.js';

function time(group: string, name: string, median: number, extra: Partial<TimeResult> = {}): TimeResult {
  return {
    kind: 'time',
    group,
    name,
    opsPerCall: 1000,
    nsPerOp: { median, mean: median * 1.1, moe: median * 0.02, rme: 1.8, min: median * 0.9, p99: median * 2, max: median * 3 },
    opsPerSec: 1e9 / median,
    samples: 100,
    ...extra,
  };
}

function memory(group: string, name: string, bytes: number, extra: Partial<MemoryResult> = {}): MemoryResult {
  return { kind: 'memory', group, name, unit: 'level', count: 10, units: 1000, bytesPerUnit: bytes, rounds: [bytes], ...extra };
}

describe('number formats', () => {
  it('formats ns with a precision that suits the size', () => {
    expect(formatNs(3.14159)).toBe('3.14');
    expect(formatNs(151.94)).toBe('151.9');
    expect(formatNs(24806.4)).toBe('24,806');
  });
  it('formats rates compactly', () => {
    expect(formatRate(950)).toBe('950');
    expect(formatRate(12_345)).toBe('12.3k');
    expect(formatRate(6_580_000)).toBe('6.58M');
    expect(formatRate(1.2e9)).toBe('1.20G');
  });
  it('formats bytes with one decimal', () => {
    expect(formatBytes(48)).toBe('48.0');
  });
});

describe('mergeRows', () => {
  it('puts the time and memory results of one (group, name) on one row, in first-seen order', () => {
    const rows = mergeRows([time('g1', 'a', 100), time('g1', 'b', 200), memory('g1', 'a', 40), memory('g2', 'a', 50)]);
    expect(rows.map((row) => [row.group, row.name, row.time?.nsPerOp.median, row.memory?.bytesPerUnit])).toEqual([
      ['g1', 'a', 100, 40],
      ['g1', 'b', 200, undefined],
      ['g2', 'a', undefined, 50],
    ]);
  });
});

describe('formatTable', () => {
  const results = [
    time('1k', 'real', 142.04, { targetNsPerOp: 150, pass: true }),
    time('1k', 'naive', 450),
    memory('1k', 'real', 49.5, { targetBytesPerUnit: 48, pass: false }),
    memory('1k', 'naive', 134.4),
    time('25k', 'real', 306.7),
  ];

  it('shows ns/op, mean ± %, ops/s, bytes per unit and PASS/MISS against targets', () => {
    const lines = formatTable(results).split('\n');
    expect(lines[0]).toMatch(/^group\s+name\s+ns\/op \(p50\)\s+mean ±%\s+ops\/s\s+B\/level\s+target$/);
    expect(lines[1]).toMatch(/^-+( +-+)+$/);
    expect(lines[2]).toMatch(/^1k\s+real\s+142\.0\s+156\.2 ±1\.8%\s+7\.04M\s+49\.5\s+<=150 ns PASS, <=48 B MISS$/);
    // The group is printed once per block.
    expect(lines[3]).toMatch(/^\s+naive\s+450\.0\s+495\.0 ±1\.8%\s+2\.22M\s+134\.4$/);
    expect(lines[4]).toMatch(/^25k\s+real\s+306\.7/);
    expect(lines).toHaveLength(5);
  });

  it('aligns the columns: every header column starts where its cells start', () => {
    const lines = formatTable(results).split('\n');
    const nsEnd = lines[0]!.indexOf('ns/op (p50)') + 'ns/op (p50)'.length;
    for (const line of lines.slice(2)) expect(line.slice(nsEnd - 1, nsEnd)).toMatch(/\d/);
  });

  it('has no target column when nothing declares a target, and names the unit per cell when units differ', () => {
    const table = formatTable([time('g', 'a', 10), memory('g', 'b', 8, { unit: 'entry' }), memory('g', 'c', 9)]);
    expect(table).not.toContain('target');
    expect(table.split('\n')[0]).toContain('B/unit');
    expect(table).toContain('8.0 /entry');
    expect(table).toContain('9.0 /level');
  });

  it('shows the spread of per-process medians when a case ran in several processes', () => {
    const table = formatTable([time('g', 'a', 190.2, { runs: [191.3, 187.0, 190.2] })]);
    expect(table.split('\n')[0]).toContain('runs (p50 min..max)');
    expect(table).toContain('187.0..191.3');
  });
});

import type { CaseResult, Figure, FigureResult, FigureTarget, MeasureResult, MemoryResult, TimeResult } from './types.js';

/** One line of the printed table: the timing and the memory result of the same (group, name). */
export interface TableRow {
  readonly group: string;
  readonly name: string;
  time?: TimeResult;
  memory?: MemoryResult;
}

/** Merges results that share a group and a name into one row, in order of first appearance. */
export function mergeRows(results: readonly CaseResult[]): TableRow[] {
  const rows: TableRow[] = [];
  const byKey = new Map<string, TableRow>();
  for (const result of results) {
    if (result.kind === 'measure') continue;
    const key = JSON.stringify([result.group, result.name]);
    let row = byKey.get(key);
    if (row === undefined) {
      row = { group: result.group, name: result.name };
      byKey.set(key, row);
      rows.push(row);
    }
    if (result.kind === 'time') row.time = result;
    else row.memory = result;
  }
  return rows;
}

/** ns with a precision that suits its size: 3.14, 42.1, 151.9, 12,345. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns);
  if (ns < 10) return ns.toFixed(2);
  if (ns < 1000) return ns.toFixed(1);
  return Math.round(ns).toLocaleString('en-US');
}

/** A rate in compact form: 950, 12.3k, 6.58M, 1.20G. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return String(perSecond);
  if (perSecond >= 1e9) return `${(perSecond / 1e9).toFixed(2)}G`;
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(0);
}

/** Bytes with one decimal: 41.3. */
export function formatBytes(bytes: number): string {
  return Number.isFinite(bytes) ? bytes.toFixed(1) : String(bytes);
}

function verdict(pass: boolean | undefined): string {
  return pass === undefined ? '' : pass ? 'PASS' : 'MISS';
}

/** The target cell of a row, e.g. "<=150 ns PASS, <=48 B MISS"; empty when nothing is targeted. */
export function targetCell(row: TableRow): string {
  const parts: string[] = [];
  if (row.time?.targetNsPerOp !== undefined) parts.push(`<=${row.time.targetNsPerOp} ns ${verdict(row.time.pass)}`);
  if (row.memory?.targetBytesPerUnit !== undefined) {
    parts.push(`<=${row.memory.targetBytesPerUnit} B ${verdict(row.memory.pass)}`);
  }
  return parts.join(', ');
}

/** The spread of the per-process medians of a timed case run in several processes, e.g. "183.0..229.2". */
export function runsCell(row: TableRow): string {
  const runs = row.time?.runs;
  if (runs === undefined || runs.length < 2) return '';
  return `${formatNs(Math.min(...runs))}..${formatNs(Math.max(...runs))}`;
}

interface Column {
  readonly title: string;
  readonly align: 'left' | 'right';
  readonly cell: (row: TableRow) => string;
}

/**
 * Renders the results as a fixed-width text table: group, name, ns/op (median), mean ± relative
 * margin of error, ops/s, bytes per unit, and a target column when any result declares a target.
 */
export function formatTable(results: readonly CaseResult[]): string {
  const measured = results.filter((r): r is MeasureResult => r.kind === 'measure');
  const timed = results.filter((r) => r.kind !== 'measure');
  const figures = measured.length > 0 ? formatFigures(measured) : '';
  if (timed.length === 0) return figures;
  return figures === '' ? formatTimed(timed) : `${formatTimed(timed)}\n\n${figures}`;
}

function formatTimed(results: readonly CaseResult[]): string {
  const rows = mergeRows(results);
  const units = new Set(rows.flatMap((row) => (row.memory ? [row.memory.unit] : [])));
  const bytesTitle = units.size === 1 ? `B/${[...units][0]}` : 'B/unit';
  const columns: Column[] = [
    { title: 'group', align: 'left', cell: (row) => row.group },
    { title: 'name', align: 'left', cell: (row) => row.name },
    { title: 'ns/op (p50)', align: 'right', cell: (row) => (row.time ? formatNs(row.time.nsPerOp.median) : '') },
    {
      title: 'mean ±%',
      align: 'right',
      cell: (row) => (row.time ? `${formatNs(row.time.nsPerOp.mean)} ±${row.time.nsPerOp.rme.toFixed(1)}%` : ''),
    },
    { title: 'ops/s', align: 'right', cell: (row) => (row.time ? formatRate(row.time.opsPerSec) : '') },
    ...(rows.some((row) => (row.time?.runs?.length ?? 0) > 1)
      ? [{ title: 'runs (p50 min..max)', align: 'right' as const, cell: runsCell }]
      : []),
    {
      title: bytesTitle,
      align: 'right',
      cell: (row) => {
        if (!row.memory) return '';
        const unit = units.size === 1 ? '' : ` /${row.memory.unit}`;
        return `${formatBytes(row.memory.bytesPerUnit)}${unit}`;
      },
    },
  ];
  if (rows.some((row) => targetCell(row) !== '')) columns.push({ title: 'target', align: 'left', cell: targetCell });

  const cells = rows.map((row) => columns.map((column) => column.cell(row)));
  const widths = columns.map((column, i) => Math.max(column.title.length, ...cells.map((line) => line[i].length)));
  const render = (line: readonly string[]): string =>
    line
      .map((text, i) => (columns[i].align === 'right' ? text.padStart(widths[i]) : text.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [render(columns.map((column) => column.title)), widths.map((w) => '-'.repeat(w)).join('  ')];
  let previousGroup: string | undefined;
  for (const [i, line] of cells.entries()) {
    const group = rows[i].group;
    // A blank cell where the group repeats makes the blocks easier to read.
    out.push(render(group === previousGroup ? ['', ...line.slice(1)] : line));
    previousGroup = group;
  }
  return out.join('\n');
}

/** Whether `value` meets `target` (both bounds inclusive). */
export function meetsTarget(value: number, target: FigureTarget): boolean {
  return (target.min === undefined || value >= target.min) && (target.max === undefined || value <= target.max);
}

/** Figures with their verdicts, and the case verdict (absent when no figure has a target). */
export function judgeFigures(figures: readonly Figure[]): { figures: FigureResult[]; pass?: boolean } {
  const judged = figures.map((f): FigureResult => (f.target === undefined ? { ...f } : { ...f, pass: Number.isFinite(f.value) && meetsTarget(f.value, f.target) }));
  const verdicts = judged.flatMap((f) => (f.pass === undefined ? [] : [f.pass]));
  return verdicts.length === 0 ? { figures: judged } : { figures: judged, pass: verdicts.every(Boolean) };
}

/** A figure value with a precision that suits its size: 0.842, 3.14, 42.1, 12,345. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const size = Math.abs(value);
  if (size >= 1000) return Math.round(value).toLocaleString('en-US');
  if (size >= 100) return value.toFixed(1);
  if (size >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

/** The target of a figure, e.g. ">=100,000 PASS", "<=10.00 MISS", "1.00..2.00 PASS". */
export function figureTargetCell(figure: FigureResult): string {
  const t = figure.target;
  if (t === undefined || (t.min === undefined && t.max === undefined)) return '';
  const bound =
    t.min !== undefined && t.max !== undefined ? `${formatValue(t.min)}..${formatValue(t.max)}` : t.min !== undefined ? `>=${formatValue(t.min)}` : `<=${formatValue(t.max!)}`;
  return `${bound} ${verdict(figure.pass)}`;
}

/** Renders measured cases as a table with one line per figure: group, name, metric, value, target. */
export function formatFigures(results: readonly MeasureResult[]): string {
  const lines: string[][] = [];
  let previous: string | undefined;
  for (const result of results) {
    for (const [i, figure] of result.figures.entries()) {
      lines.push([
        i === 0 && previous !== result.group ? result.group : '',
        i === 0 ? result.name : '',
        figure.metric,
        formatValue(figure.value),
        figureTargetCell(figure),
      ]);
      previous = result.group;
    }
  }
  const titles = ['group', 'name', 'metric', 'value', 'target'];
  const right = [false, false, false, true, false];
  const hasTarget = lines.some((line) => line[4] !== '');
  const count = hasTarget ? 5 : 4;
  const widths = titles.slice(0, count).map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  const render = (line: readonly string[]): string =>
    line
      .slice(0, count)
      .map((text, i) => (right[i] ? text.padStart(widths[i]) : text.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [render(titles), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)].join('\n');
}

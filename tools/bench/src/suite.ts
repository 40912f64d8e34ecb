import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Bench } from 'tinybench';
import { ENV, REPO_ROOT } from './env.js';
import { createRng, type Rng } from './rng.js';
import { formatBytes, formatNs, formatTable, formatValue, judgeFigures } from './table.js';
import type { CaseResult, Figure, MachineInfo, MeasureResult, MemoryResult, NsPerOp, SuiteReport, TimeResult } from './types.js';

/** The seed used when neither the bench nor LEVEL4_BENCH_SEED chooses one. */
export const DEFAULT_SEED = 424_242;

export interface BenchSuiteOptions {
  /** Seed of {@link BenchSuite.rng}; LEVEL4_BENCH_SEED wins over it. */
  readonly seed?: number;
  /** Time budget of each timed case, in ms (default 1000; LEVEL4_BENCH_TIME_MS wins over it). */
  readonly timeMs?: number;
  /** Warmup budget of each timed case, in ms (default 300). */
  readonly warmupMs?: number;
  /** Minimum number of timed calls per case (default 20). */
  readonly minSamples?: number;
  /** Memory cases are measured this many times; the median is reported (default 3). */
  readonly memoryRounds?: number;
  /**
   * Run every case in a fresh node process (default true), so that one case's JIT feedback (say,
   * a shared dependency used two ways), garbage or heap growth cannot tax the next one.
   */
  readonly isolate?: boolean;
  /**
   * With `isolate`, each timed case runs in this many fresh processes (default 1) and the run with
   * the median ns/op is reported, with every run's median alongside: JIT and machine noise from one
   * process to the next is usually larger than the margin of error within one.
   */
  readonly timeProcesses?: number;
}

export interface TimeCase {
  readonly group: string;
  readonly name: string;
  /** How many operations one call of `fn` performs; results are reported per operation. */
  readonly opsPerCall: number;
  /** The timed function. Make it do a batch of operations so timer overhead does not matter. */
  readonly fn: () => unknown;
  /** Runs before the warmup and before the timed run, outside the timing (after a forced GC). */
  readonly beforeAll?: () => void;
  /** Runs before every call of `fn`, outside the timing. */
  readonly beforeEach?: () => void;
  /** The case passes when its median ns/op is at most this. */
  readonly targetNsPerOp?: number;
}

export interface MemoryCase<T> {
  readonly group: string;
  readonly name: string;
  /** What is counted, e.g. 'level'; results are bytes per unit. */
  readonly units: string;
  /** How many instances to build per round (more instances, less noise). */
  readonly count: number;
  /**
   * Builds one instance. Create its input inside, so that what stays alive after a GC is only what
   * the instance retains.
   */
  readonly build: (index: number) => T;
  /** The units one instance holds (default 1), read after the measurement. */
  readonly unitsOf?: (instance: T) => number;
  /** The case passes when its bytes per unit are at most this. */
  readonly targetBytesPerUnit?: number;
}

/**
 * A case that measures a real system itself (records/s through a broker, latency percentiles) and
 * returns its figures; the harness only runs it (in its own process), judges the figures against
 * their targets and reports them.
 */
export interface MeasureCase {
  readonly group: string;
  readonly name: string;
  /** Does the work and returns the figures, e.g. `[{ metric: 'records/s', value, target: { min: 1e5 } }]`. */
  readonly run: () => Promise<readonly Figure[]> | readonly Figure[];
}

type AnyCase =
  | { readonly kind: 'time'; readonly spec: TimeCase }
  | { readonly kind: 'memory'; readonly spec: MemoryCase<unknown> }
  | { readonly kind: 'measure'; readonly spec: MeasureCase };

/** Memory cases run first, then timed ones, then measured ones (which may start servers and load the machine). */
const KIND_ORDER: Record<AnyCase['kind'], number> = { memory: 0, time: 1, measure: 2 };

function requireGc(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') {
    throw new Error(
      'globalThis.gc is missing: bench files need --expose-gc. Run them with `npm run bench`, or ' +
        '`node --expose-gc --import tsx --conditions=@level4/source <file>`.',
    );
  }
  return gc;
}

function envNumber(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a number, got ${JSON.stringify(text)}`);
  return value;
}

function checkName(what: string, value: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`${what} must be a non-empty string`);
}

export function machineInfo(): MachineInfo {
  const cpu = cpus()[0];
  return {
    cpu: cpu?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    totalMemoryBytes: totalmem(),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const tick = (): Promise<void> => new Promise((done) => setImmediate(done));

/**
 * A named set of timing and memory cases. Declare the cases, then `await suite.run()`: it prints a
 * table and writes bench-results/<name>.json.
 */
export class BenchSuite {
  readonly name: string;
  readonly seed: number;
  private readonly timeMs: number;
  private readonly warmupMs: number;
  private readonly minSamples: number;
  private readonly memoryRounds: number;
  private readonly gc: () => void;
  private readonly isolate: boolean;
  private readonly timeProcesses: number;
  private readonly cases: AnyCase[] = [];
  private readonly checks: Array<{ readonly label: string; readonly fn: () => string | void }> = [];
  private readonly notes: Record<string, string> = {};
  private ran = false;

  constructor(name: string, options: BenchSuiteOptions = {}) {
    if (!/^[\w.-]+$/.test(name)) throw new TypeError(`suite name must be a file-name-safe word, got ${JSON.stringify(name)}`);
    this.gc = requireGc();
    this.name = name;
    this.seed = (envNumber(ENV.seed) ?? options.seed ?? DEFAULT_SEED) >>> 0;
    this.timeMs = envNumber(ENV.timeMs) ?? options.timeMs ?? 1000;
    this.warmupMs = options.warmupMs ?? 300;
    this.minSamples = options.minSamples ?? 20;
    this.memoryRounds = options.memoryRounds ?? 3;
    this.isolate = options.isolate ?? true;
    this.timeProcesses = options.timeProcesses ?? 1;
    if (!(Number.isInteger(this.timeProcesses) && this.timeProcesses >= 1)) throw new RangeError('timeProcesses must be a positive integer');
  }

  /** A generator for one purpose, derived from the suite seed and a label (same label, same stream). */
  rng(label: string | number = 'default'): Rng {
    return createRng(this.seed).fork(label);
  }

  /** Adds a line to the JSON report (e.g. how the workload was generated). */
  note(key: string, value: string): this {
    this.notes[key] = value;
    return this;
  }

  /**
   * Declares a check that runs once, before any case (in the suite's own process): compare
   * implementations, validate inputs. Throw to abort the suite; a returned string goes to the notes.
   */
  check(label: string, fn: () => string | void): this {
    checkName('check label', label);
    this.checks.push({ label, fn });
    return this;
  }

  /** Declares a timed case. */
  time(spec: TimeCase): this {
    checkName('group', spec.group);
    checkName('name', spec.name);
    if (!(Number.isInteger(spec.opsPerCall) && spec.opsPerCall > 0)) throw new RangeError('opsPerCall must be a positive integer');
    this.cases.push({ kind: 'time', spec });
    return this;
  }

  /** Declares a memory case. */
  memory<T>(spec: MemoryCase<T>): this {
    checkName('group', spec.group);
    checkName('name', spec.name);
    checkName('units', spec.units);
    if (!(Number.isInteger(spec.count) && spec.count > 0)) throw new RangeError('count must be a positive integer');
    this.cases.push({ kind: 'memory', spec: spec as MemoryCase<unknown> });
    return this;
  }

  /**
   * Declares a measured case: `run` measures and returns figures (each with an optional
   * `target: { min?, max? }`); they are printed and written with PASS/MISS.
   */
  measure(spec: MeasureCase): this {
    checkName('group', spec.group);
    checkName('name', spec.name);
    if (typeof spec.run !== 'function') throw new TypeError('run must be a function');
    this.cases.push({ kind: 'measure', spec });
    return this;
  }

  /**
   * Runs the checks, then every memory case, then every timed case, then every measured case (each in its own process unless
   * `isolate: false`); prints the table and writes the JSON report. Results keep the declaration order.
   */
  async run(): Promise<SuiteReport | undefined> {
    if (this.ran) throw new Error(`suite ${this.name} already ran`);
    this.ran = true;
    const caseIndex = process.env[ENV.caseIndex];
    if (caseIndex !== undefined && caseIndex !== '') {
      await this.runOneCase(Number(caseIndex));
      return undefined;
    }

    const machine = machineInfo();
    console.log(`\n# ${this.name}  (seed ${this.seed}; ${machine.cpu}, ${machine.cores} cores, node ${machine.node})`);
    for (const { label, fn } of this.checks) {
      const started = performance.now();
      const outcome = fn();
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (typeof outcome === 'string' && outcome !== '') this.note(`check: ${label}`, outcome);
      console.log(`  check   ${label}: ${typeof outcome === 'string' && outcome !== '' ? outcome : 'ok'} (${seconds}s)`);
    }

    const only = process.env[ENV.only];
    const selected = [...this.cases.keys()].filter((i) => !only || `${this.cases[i].spec.group} / ${this.cases[i].spec.name}`.includes(only));
    if (selected.length === 0) throw new Error(`no case of suite ${this.name} matches ${ENV.only}=${JSON.stringify(only)}`);
    const results = new Array<CaseResult | undefined>(this.cases.length);
    const order = selected.sort(
      (a, b) => KIND_ORDER[this.cases[a].kind] - KIND_ORDER[this.cases[b].kind] || a - b,
    );
    const scratch = this.isolate ? mkdtempSync(join(tmpdir(), `level4-bench-${this.name}-`)) : undefined;
    try {
      for (const i of order) {
        const result = scratch === undefined ? await this.runCase(i) : await this.runIsolated(i, scratch);
        results[i] = result;
        console.log(`  ${progressLine(result)}`);
      }
    } finally {
      if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    }

    const finished = results.filter((result) => result !== undefined);
    const report: SuiteReport = {
      suite: this.name,
      file: relative(REPO_ROOT, resolve(process.argv[1] ?? '')).split('\\').join('/'),
      date: new Date().toISOString(),
      seed: this.seed,
      machine,
      settings: {
        timeMs: this.timeMs,
        warmupMs: this.warmupMs,
        minSamples: this.minSamples,
        memoryRounds: this.memoryRounds,
        isolate: this.isolate,
        timeProcesses: this.isolate ? this.timeProcesses : 1,
      },
      notes: { ...this.notes },
      results: finished,
    };
    console.log(`\n${formatTable(finished)}\n`);

    const outDir = process.env[ENV.outDir] || join(REPO_ROOT, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const jsonPath = join(outDir, `${this.name}.json`);
    writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    const misses = finished.filter((result) => result.pass === false).length;
    const manifest = process.env[ENV.manifest];
    if (manifest) appendFileSync(manifest, `${JSON.stringify({ suite: this.name, json: jsonPath, misses })}\n`);
    else console.log(`${this.name}: ${relative(process.cwd(), jsonPath)}`);
    if (misses > 0 && process.env[ENV.strict] === '1') {
      console.error(`${this.name}: ${misses} target(s) missed (strict mode)`);
      process.exitCode = 1;
    }
    return report;
  }

  private runCase(index: number): Promise<CaseResult> {
    const item = this.cases[index];
    if (item.kind === 'measure') return this.runMeasure(item.spec);
    return item.kind === 'time' ? this.runTime(item.spec) : this.runMemory(item.spec);
  }

  /** In a process started by {@link runCaseInChild}: run one case, write its result and the notes. */
  private async runOneCase(index: number): Promise<void> {
    const out = process.env[ENV.caseOut];
    if (!(Number.isInteger(index) && index >= 0 && index < this.cases.length) || !out) {
      throw new Error(`${ENV.caseIndex}=${process.env[ENV.caseIndex]} needs a valid case index and ${ENV.caseOut}`);
    }
    const result = await this.runCase(index);
    writeFileSync(out, JSON.stringify({ result, notes: this.notes }));
  }

  /** Runs a case in fresh processes: one for a memory case, {@link BenchSuiteOptions.timeProcesses} for a timed one. */
  private async runIsolated(index: number, scratch: string): Promise<CaseResult> {
    if (this.cases[index].kind !== 'time' || this.timeProcesses === 1) return this.runCaseInChild(index, scratch);
    const runs: TimeResult[] = [];
    for (let run = 0; run < this.timeProcesses; run++) runs.push((await this.runCaseInChild(index, scratch)) as TimeResult);
    const middle = [...runs].sort((a, b) => a.nsPerOp.median - b.nsPerOp.median)[(runs.length - 1) >> 1];
    return { ...middle, runs: runs.map((run) => run.nsPerOp.median) };
  }

  /**
   * Runs one case in a fresh process: this same file with the same node flags, told which case to
   * run. Its stdout is shown only when it fails; notes it adds are merged (and printed once).
   */
  private async runCaseInChild(index: number, scratch: string): Promise<CaseResult> {
    const item = this.cases[index];
    const out = join(scratch, `case-${index}.json`);
    const script = process.argv[1];
    if (script === undefined) throw new Error('cannot tell which file to run the case from');
    const env = { ...process.env, [ENV.caseIndex]: String(index), [ENV.caseOut]: out };
    const child = spawn(process.execPath, [...process.execArgv, script, ...process.argv.slice(2)], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done, fail) => {
      child.on('error', fail);
      child.on('close', (exitCode, exitSignal) => done({ code: exitCode, signal: exitSignal }));
    });
    const what = `${item.spec.group} / ${item.spec.name}`;
    if (code !== 0) {
      if (stdout !== '') process.stdout.write(stdout);
      throw new Error(`${what}: its process ended with ${signal ? `signal ${signal}` : `exit code ${code}`}`);
    }
    const { result, notes } = JSON.parse(readFileSync(out, 'utf8')) as { result: CaseResult; notes: Record<string, string> };
    for (const [key, value] of Object.entries(notes)) {
      if (this.notes[key] === undefined) console.log(`  note    ${key}: ${value}`);
      this.notes[key] = value;
    }
    return result;
  }

  private async runTime(spec: TimeCase): Promise<TimeResult> {
    const gc = this.gc;
    const bench = new Bench({
      name: `${spec.group} / ${spec.name}`,
      time: this.timeMs,
      iterations: this.minSamples,
      warmup: true,
      warmupTime: this.warmupMs,
      warmupIterations: Math.min(10, this.minSamples),
      throws: true,
    });
    bench.add(spec.name, spec.fn, {
      async: false,
      beforeAll() {
        gc();
        spec.beforeAll?.();
      },
      ...(spec.beforeEach ? { beforeEach: spec.beforeEach } : {}),
    });
    await bench.run();
    const task = bench.tasks[0];
    const result = task.result;
    if (result.state === 'errored') throw result.error;
    if (result.state !== 'completed') throw new Error(`${spec.group} / ${spec.name}: tinybench ended in state ${result.state}`);
    const perOp = 1e6 / spec.opsPerCall; // ms per call -> ns per op
    const latency = result.latency;
    const nsPerOp: NsPerOp = {
      median: latency.p50 * perOp,
      mean: latency.mean * perOp,
      moe: latency.moe * perOp,
      rme: latency.rme,
      min: latency.min * perOp,
      p99: latency.p99 * perOp,
      max: latency.max * perOp,
    };
    return {
      kind: 'time',
      group: spec.group,
      name: spec.name,
      opsPerCall: spec.opsPerCall,
      nsPerOp,
      opsPerSec: 1e9 / nsPerOp.median,
      samples: latency.samplesCount,
      ...(spec.targetNsPerOp === undefined
        ? {}
        : { targetNsPerOp: spec.targetNsPerOp, pass: nsPerOp.median <= spec.targetNsPerOp }),
    };
  }

  private async runMeasure(spec: MeasureCase): Promise<MeasureResult> {
    this.gc();
    const figures = await spec.run();
    if (!Array.isArray(figures) || figures.length === 0) throw new Error(`${spec.group} / ${spec.name}: run() returned no figures`);
    for (const f of figures as readonly Figure[]) checkName('metric', f.metric);
    const judged = judgeFigures(figures);
    return { kind: 'measure', group: spec.group, name: spec.name, ...judged };
  }

  private async settle(): Promise<number> {
    this.gc();
    await tick();
    this.gc();
    await tick();
    this.gc();
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.arrayBuffers;
  }

  private async runMemory(spec: MemoryCase<unknown>): Promise<MemoryResult> {
    const rounds: number[] = [];
    let units = 0;
    for (let round = 0; round < this.memoryRounds; round++) {
      // The array that keeps the instances alive exists before the baseline, so it is not counted.
      const keep = new Array<unknown>(spec.count).fill(undefined);
      const before = await this.settle();
      for (let i = 0; i < spec.count; i++) keep[i] = spec.build(i);
      const after = await this.settle();
      // Reading the instances after the measurement keeps them alive until then.
      units = 0;
      for (const instance of keep) units += spec.unitsOf ? spec.unitsOf(instance) : 1;
      if (!(units > 0)) throw new RangeError(`${spec.group} / ${spec.name}: the instances hold no ${spec.units}`);
      rounds.push((after - before) / units);
      keep.fill(undefined);
    }
    const bytesPerUnit = median(rounds);
    return {
      kind: 'memory',
      group: spec.group,
      name: spec.name,
      unit: spec.units,
      count: spec.count,
      units,
      bytesPerUnit,
      rounds,
      ...(spec.targetBytesPerUnit === undefined
        ? {}
        : { targetBytesPerUnit: spec.targetBytesPerUnit, pass: bytesPerUnit <= spec.targetBytesPerUnit }),
    };
  }
}

function progressLine(result: CaseResult): string {
  const mark = result.pass === undefined ? '' : result.pass ? '  PASS' : '  MISS';
  if (result.kind === 'measure') {
    const figures = result.figures.map((f) => `${f.metric} ${formatValue(f.value)}${f.pass === undefined ? '' : f.pass ? ' PASS' : ' MISS'}`);
    return `measure ${result.group} / ${result.name}: ${figures.join(', ')}`;
  }
  if (result.kind === 'time') {
    const ns = result.nsPerOp;
    const runs = result.runs && result.runs.length > 1 ? `; runs ${result.runs.map(formatNs).join(' / ')}` : '';
    return `time    ${result.group} / ${result.name}: ${formatNs(ns.median)} ns/op (mean ${formatNs(ns.mean)} ±${ns.rme.toFixed(1)}%, ${result.samples} samples${runs})${mark}`;
  }
  return `memory  ${result.group} / ${result.name}: ${formatBytes(result.bytesPerUnit)} B/${result.unit} (rounds ${result.rounds.map(formatBytes).join(', ')}; ${result.units} ${result.unit}s)${mark}`;
}

/** Creates a suite: `const suite = benchSuite('orderbook'); suite.time({...}); await suite.run();` */
export function benchSuite(name: string, options?: BenchSuiteOptions): BenchSuite {
  return new BenchSuite(name, options);
}

/** Nanoseconds per operation of one timed case, from tinybench's per-call latency samples. */
export interface NsPerOp {
  /** Median (p50) of the samples: the headline number. */
  readonly median: number;
  readonly mean: number;
  /** Margin of error of the mean (95%), in ns per operation. */
  readonly moe: number;
  /** Relative margin of error of the mean, in percent. */
  readonly rme: number;
  readonly min: number;
  readonly p99: number;
  readonly max: number;
}

export interface TimeResult {
  readonly kind: 'time';
  readonly group: string;
  readonly name: string;
  /** Operations performed by one call of the timed function. */
  readonly opsPerCall: number;
  readonly nsPerOp: NsPerOp;
  /** Operations per second, from the median. */
  readonly opsPerSec: number;
  /** Number of timed calls (samples). */
  readonly samples: number;
  /**
   * When the case ran in several processes: the median ns/op of each, in run order. The other
   * fields are those of the run with the median median.
   */
  readonly runs?: readonly number[];
  /** Upper bound declared by the bench for the median ns/op, if any. */
  readonly targetNsPerOp?: number;
  readonly pass?: boolean;
}

export interface MemoryResult {
  readonly kind: 'memory';
  readonly group: string;
  readonly name: string;
  /** What one unit is, e.g. 'level'. */
  readonly unit: string;
  /** Number of instances built per round. */
  readonly count: number;
  /** Units held by all instances of one round. */
  readonly units: number;
  /** Heap bytes (heapUsed + arrayBuffers growth) per unit: the median over the rounds. */
  readonly bytesPerUnit: number;
  /** Bytes per unit of each round. */
  readonly rounds: readonly number[];
  /** Upper bound declared by the bench for the bytes per unit, if any. */
  readonly targetBytesPerUnit?: number;
  readonly pass?: boolean;
}

/** A target of a measured figure: it passes when `min <= value <= max` (either bound may be absent). */
export interface FigureTarget {
  readonly min?: number;
  readonly max?: number;
}

/** One figure a measured case reports, e.g. `{ metric: 'records/s', value: 412_000, target: { min: 100_000 } }`. */
export interface Figure {
  readonly metric: string;
  readonly value: number;
  readonly target?: FigureTarget;
}

/** A figure as reported: with its verdict when it has a target. */
export interface FigureResult extends Figure {
  readonly pass?: boolean;
}

/** A case that measures itself (throughput, latency of a real system) and reports figures. */
export interface MeasureResult {
  readonly kind: 'measure';
  readonly group: string;
  readonly name: string;
  readonly figures: readonly FigureResult[];
  /** False when any targeted figure missed; absent when no figure has a target. */
  readonly pass?: boolean;
}

export type CaseResult = TimeResult | MemoryResult | MeasureResult;

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  readonly totalMemoryBytes: number;
}

/** What a suite writes to bench-results/<suite>.json. */
export interface SuiteReport {
  readonly suite: string;
  readonly file: string;
  readonly date: string;
  readonly seed: number;
  readonly machine: MachineInfo;
  readonly settings: {
    readonly timeMs: number;
    readonly warmupMs: number;
    readonly minSamples: number;
    readonly memoryRounds: number;
    /** Whether every case ran in its own process. */
    readonly isolate: boolean;
    /** Processes per timed case (when isolated). */
    readonly timeProcesses: number;
  };
  readonly notes: Readonly<Record<string, string>>;
  readonly results: readonly CaseResult[];
}

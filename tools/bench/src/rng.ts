/**
 * A tiny seeded PRNG, so every benchmark input is reproducible from one 32-bit seed.
 *
 * The state walks a Weyl sequence (add an odd constant mod 2^32) and each output is that state
 * pushed through a 32-bit integer hash (xor-shift / multiply rounds). Not cryptographic; plenty for
 * generating workloads.
 */
export interface Rng {
  /** The seed this generator started from. */
  readonly seed: number;
  /** A uniform 32-bit unsigned integer. */
  u32(): number;
  /** A uniform float in [0, 1). */
  next(): number;
  /** A uniform integer in [0, n), for 1 <= n <= 2^32. */
  int(n: number): number;
  /** A uniform integer in [min, max] (both inclusive). */
  range(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** A new generator whose stream depends on this one's seed and a label, not on its position. */
  fork(label: string | number): Rng;
}

const GOLDEN = 0x9e3779b9;

/** Mixes a 32-bit value into a well-spread 32-bit value. */
export function hash32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d);
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b);
  return (z ^ (z >>> 16)) >>> 0;
}

function labelHash(label: string | number): number {
  if (typeof label === 'number') return hash32(label ^ 0x5bd1e995);
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A generator seeded with `seed` (any number; only its low 32 bits count). */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${String(seed)}`);
  const start = seed >>> 0;
  let state = start;
  const u32 = (): number => {
    state = (state + GOLDEN) >>> 0;
    return hash32(state);
  };
  const next = (): number => u32() / 4294967296;
  const int = (n: number): number => {
    if (!(n >= 1 && n <= 4294967296)) throw new RangeError(`int(n) needs 1 <= n <= 2^32, got ${n}`);
    return Math.floor(next() * n);
  };
  return {
    seed: start,
    u32,
    next,
    int,
    range: (min, max) => min + int(max - min + 1),
    chance: (p) => next() < p,
    fork: (label) => createRng(hash32(start ^ labelHash(label)) ^ GOLDEN),
  };
}

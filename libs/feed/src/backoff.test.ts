import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

/** The next `n` waits. */
const waits = (backoff: Backoff, n: number) => Array.from({ length: n }, () => backoff.next());

describe('Backoff', () => {
  it('grows exponentially from minMs and stops at maxMs (the highest draw of the jitter)', () => {
    const backoff = new Backoff(100, 1000, () => 1);
    expect(waits(backoff, 7)).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect(backoff.attempts).toBe(7);
  });

  it('jitter draws within the cap, but never waits less than minMs / 2', () => {
    expect(waits(new Backoff(100, 1000, () => 0), 5)).toEqual([50, 50, 50, 50, 50]);
    expect(waits(new Backoff(100, 1000, () => 0.5), 6)).toEqual([50, 100, 200, 400, 500, 500]);
  });

  it('stays capped after very many attempts', () => {
    const backoff = new Backoff(250, 30_000, () => 1);
    const all = waits(backoff, 100);
    expect(all.at(-1)).toBe(30_000);
    expect(Math.max(...all)).toBe(30_000);
  });

  it('reset() starts over from the shortest wait', () => {
    const backoff = new Backoff(100, 1000, () => 1);
    waits(backoff, 4);
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(waits(backoff, 2)).toEqual([100, 200]);
  });

  it('with Math.random, every wait lies in [minMs / 2, maxMs]', () => {
    const backoff = new Backoff(20, 100);
    for (const wait of waits(backoff, 50)) {
      expect(wait).toBeGreaterThanOrEqual(10);
      expect(wait).toBeLessThanOrEqual(100);
    }
  });
});

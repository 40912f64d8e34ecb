import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.js';

describe('parseArgs', () => {
  it('takes words as file filters', () => {
    expect(parseArgs(['orderbook'])).toEqual({ words: ['orderbook'], strict: false, list: false, help: false });
    expect(parseArgs([]).words).toEqual([]);
  });

  it('reads options in both spellings', () => {
    const args = parseArgs(['--seed', '7', 'book', '--time=500', '--only', '1k levels', '--strict', '--list']);
    expect(args).toEqual({ words: ['book'], seed: 7, timeMs: 500, only: '1k levels', strict: true, list: true, help: false });
    expect(parseArgs(['--seed=9']).seed).toBe(9);
    expect(parseArgs(['-h']).help).toBe(true);
  });

  it('rejects unknown options and bad numbers', () => {
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option --fast/);
    expect(() => parseArgs(['--seed'])).toThrow(/--seed needs a number/);
    expect(() => parseArgs(['--seed', 'x'])).toThrow(RangeError);
    expect(() => parseArgs(['--time', '0'])).toThrow(/positive/);
    expect(() => parseArgs(['--only'])).toThrow(RangeError);
  });
});

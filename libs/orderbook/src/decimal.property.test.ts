import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalDecimal, compareDecimal, formatDecimal, midPrice, parseDecimal } from './decimal.js';

// Decimals written every way venues write them: padded, signed, exponent form, huge and tiny.
const decimal = fc
  .record({
    units: fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }),
    scale: fc.integer({ min: 0, max: 20 }),
    pad: fc.integer({ min: 0, max: 4 }),
    exponent: fc.boolean(),
  })
  .map(({ units, scale, pad, exponent }) => {
    const padded = { units: units * 10n ** BigInt(pad), scale: scale + pad };
    if (!exponent) return formatDecimal(padded);
    return `${units}e${-scale}`;
  });

/** a × 10^k as an exact integer for comparisons: both decimals brought to one scale. */
function scaled(text: string, scale: number): bigint {
  const { units, scale: s } = parseDecimal(text);
  return units * 10n ** BigInt(scale - s);
}

describe('decimal helpers, for any decimal text', () => {
  it('canonicalDecimal keeps the value, is idempotent, and has no exponent or padding', () => {
    fc.assert(
      fc.property(decimal, (text) => {
        const canonical = canonicalDecimal(text);
        expect(compareDecimal(canonical, text)).toBe(0);
        expect(canonicalDecimal(canonical)).toBe(canonical);
        expect(canonical).toMatch(/^-?(0|[1-9]\d*)(\.\d*[1-9])?$/);
      }),
    );
  });

  it('compareDecimal is a total order that agrees with exact integer comparison', () => {
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        const x = scaled(a, 60);
        const y = scaled(b, 60);
        expect(compareDecimal(a, b)).toBe(x < y ? -1 : x > y ? 1 : 0);
        expect(compareDecimal(b, a)).toBe(-compareDecimal(a, b) || 0);
      }),
    );
  });

  it('midPrice is exactly half the sum, and lies between the two', () => {
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        const mid = midPrice(a, b);
        expect(2n * scaled(mid, 60)).toBe(scaled(a, 60) + scaled(b, 60));
        expect(canonicalDecimal(mid)).toBe(mid);
        const [lo, hi] = compareDecimal(a, b) <= 0 ? [a, b] : [b, a];
        expect(compareDecimal(lo, mid)).toBeLessThanOrEqual(0);
        expect(compareDecimal(mid, hi)).toBeLessThanOrEqual(0);
      }),
    );
  });

  // Prices as venues print them, mostly short enough for midPrice's fast path (no BigInt), some not.
  const price = fc
    .record({
      units: fc.oneof(fc.bigInt({ min: 0n, max: 300n }), fc.bigInt({ min: 0n, max: 10n ** 17n })),
      scale: fc.integer({ min: 0, max: 12 }),
      pad: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ units, scale, pad }) => formatDecimal({ units: units * 10n ** BigInt(pad), scale: scale + pad }));

  it('midPrice of plain prices is exact and canonical, on the fast path and off it', () => {
    fc.assert(
      fc.property(price, price, (a, b) => {
        const mid = midPrice(a, b);
        expect(2n * scaled(mid, 40)).toBe(scaled(a, 40) + scaled(b, 40));
        expect(canonicalDecimal(mid)).toBe(mid);
      }),
      { numRuns: 2000 },
    );
  });
});

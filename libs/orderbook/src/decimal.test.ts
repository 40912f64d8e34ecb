import { describe, expect, it } from 'vitest';
import { canonicalDecimal, compareDecimal, formatDecimal, isDecimal, midPrice, parseDecimal } from './decimal.js';

describe('parseDecimal / formatDecimal', () => {
  it('reads plain, signed and exponent forms exactly', () => {
    expect(parseDecimal('123.45')).toEqual({ units: 12345n, scale: 2 });
    expect(parseDecimal('-0.005')).toEqual({ units: -5n, scale: 3 });
    expect(parseDecimal('+7')).toEqual({ units: 7n, scale: 0 });
    expect(parseDecimal('.5')).toEqual({ units: 5n, scale: 1 });
    expect(parseDecimal('5.')).toEqual({ units: 5n, scale: 0 });
    expect(parseDecimal('1e-8')).toEqual({ units: 1n, scale: 8 });
    expect(parseDecimal('2.5E3')).toEqual({ units: 2500n, scale: 0 });
    expect(parseDecimal('123456789012345678901234567890.1')).toEqual({
      units: 1234567890123456789012345678901n,
      scale: 1,
    });
  });

  it('rejects what is not a decimal, naming the text', () => {
    for (const bad of ['', '.', 'abc', '1.2.3', '1e', '--1', ' 1', '1 ', 'NaN', 'Infinity', '0x10', '1_000']) {
      expect(isDecimal(bad)).toBe(false);
      expect(() => parseDecimal(bad)).toThrow(RangeError);
    }
    expect(() => parseDecimal('12a')).toThrow('not a decimal number: "12a"');
  });

  it('formats every digit of the scale', () => {
    expect(formatDecimal({ units: 5n, scale: 3 })).toBe('0.005');
    expect(formatDecimal({ units: -12300n, scale: 4 })).toBe('-1.2300');
    expect(formatDecimal({ units: 42n, scale: 0 })).toBe('42');
  });
});

describe('canonicalDecimal', () => {
  it('drops exponent, plus sign, leading and trailing zeros', () => {
    expect(canonicalDecimal('0.0001000')).toBe('0.0001');
    expect(canonicalDecimal('1e-8')).toBe('0.00000001');
    expect(canonicalDecimal('+0012.50')).toBe('12.5');
    expect(canonicalDecimal('67123.45000000')).toBe('67123.45');
    expect(canonicalDecimal('100.000')).toBe('100');
    expect(canonicalDecimal('-0.000')).toBe('0');
    expect(canonicalDecimal('1.5e20')).toBe('150000000000000000000');
  });

  it('never produces float noise', () => {
    expect(canonicalDecimal('0.30000000000000004')).toBe('0.30000000000000004');
    expect(canonicalDecimal('0.1')).toBe('0.1');
  });
});

describe('compareDecimal', () => {
  it('orders by value, whatever the text', () => {
    expect(compareDecimal('1.50', '1.5')).toBe(0);
    expect(compareDecimal('0.1', '0.09999999999999999999')).toBe(1);
    expect(compareDecimal('-2', '1e-30')).toBe(-1);
    expect(compareDecimal('100', '1e2')).toBe(0);
  });
});

describe('midPrice', () => {
  it('is exact, with at most one more fraction digit', () => {
    expect(midPrice('67123.45', '67123.46')).toBe('67123.455');
    expect(midPrice('1', '2')).toBe('1.5');
    expect(midPrice('100.10', '100.30')).toBe('100.2');
    expect(midPrice('0.00000001', '0.00000002')).toBe('0.000000015');
    expect(midPrice('0.1', '0.2')).toBe('0.15');
    expect(midPrice('99999999999999999.99', '99999999999999999.98')).toBe('99999999999999999.985');
  });
});

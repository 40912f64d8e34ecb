import { describe, expect, it } from 'vitest';
import { isoToMicros, millisToMicros, nanosToMicros, nowMicros } from './time.js';

describe('time converters (everything is integer µs since epoch)', () => {
  it('millisToMicros takes numbers and text', () => {
    expect(millisToMicros(1751508260659)).toBe(1_751_508_260_659_000);
    expect(millisToMicros('1751508260659')).toBe(1_751_508_260_659_000);
    expect(millisToMicros(1.5)).toBe(1500);
  });

  it('nanosToMicros truncates, and keeps every digit of text beyond 2^53', () => {
    expect(nanosToMicros('1751508260659505382')).toBe(1_751_508_260_659_505);
    expect(nanosToMicros(1_500_999)).toBe(1500);
    expect(nanosToMicros('1500999')).toBe(1500);
    expect(nanosToMicros('999')).toBe(0);
    // A number that large has already lost its last digits; the µs are still right.
    expect(nanosToMicros(Number('1751508260659505382'))).toBe(1_751_508_260_659_505);
  });

  it('isoToMicros keeps the microseconds Date drops', () => {
    const second = Date.UTC(2026, 3, 7, 14, 30, 1) * 1000;
    expect(isoToMicros('2026-04-07T14:30:01.456789Z')).toBe(second + 456_789);
    expect(isoToMicros('2026-04-07T14:30:01.456789382Z')).toBe(second + 456_789); // ns truncated
    expect(isoToMicros('2026-04-07T14:30:01.5Z')).toBe(second + 500_000);
    expect(isoToMicros('2026-04-07T14:30:01Z')).toBe(second);
    expect(isoToMicros('2026-04-07T16:30:01.456789+02:00')).toBe(second + 456_789);
    expect(isoToMicros('2026-04-07T09:30:01.000001-05:00')).toBe(second + 1);
  });

  it('isoToMicros gives NaN for text that is not RFC 3339', () => {
    for (const text of ['', 'garbage', '2026-04-07', '2026-04-07 14:30:01Z', '2026-04-07T14:30:01', '2026-04-07T14:30:01.Z', '1751508260']) {
      expect(isoToMicros(text), text).toBeNaN();
    }
  });

  it('nowMicros is an integer close to the wall clock', () => {
    const before = Date.now() * 1000;
    const now = nowMicros();
    const after = Date.now() * 1000;
    expect(Number.isInteger(now)).toBe(true);
    expect(now).toBeGreaterThan(before - 1_000_000);
    expect(now).toBeLessThan(after + 1_000_000);
  });
});

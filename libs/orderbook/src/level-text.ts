/**
 * The compact form of a level's price or size text: an integer number of units and a scale, both
 * small enough to live in typed arrays, from which the exact original text comes back.
 *
 * Only "plain" text is compact: digits, an optional point followed by at least one digit, no sign,
 * no leading zeros (except a single "0" before the point), at most 15 significant digits and a scale
 * of at most 22. Venues write prices and sizes that way almost always. Anything else ("1e-8", ".5",
 * "007", 20-digit sizes) is still exact: the book keeps that text as written (see BookSide).
 */

import { isDecimal } from './decimal.js';

/** 10^0 .. 10^22: exactly representable as doubles, so units / 10^scale is correctly rounded. */
export const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Units up to 2^50 round-trip exactly through (units / 10^scale) * 10^scale. */
const MAX_UNITS = 2 ** 50;

/** Result slots of {@link readPlain}; one shared object so the hot path allocates nothing. */
export interface PlainDecimal {
  units: number;
  scale: number;
  /** How many of the fraction digits are trailing zeros ("0.01230000" has 4). */
  zeros: number;
}

/**
 * Reads plain decimal text into `out`. Returns false when the text is not plain (see above); the
 * caller then falls back to {@link toNumber} and keeps the text as written.
 */
export function readPlain(text: string, out: PlainDecimal): boolean {
  const n = text.length;
  if (n === 0) return false;
  let units = 0;
  let scale = 0;
  let zeros = 0;
  let seenPoint = false;
  // "0" may only stand alone or before the point.
  if (text.charCodeAt(0) === 48 && n > 1 && text.charCodeAt(1) !== 46) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      units = units * 10 + (c - 48);
      if (seenPoint) {
        scale++;
        zeros = c === 48 ? zeros + 1 : 0;
      }
    } else if (c === 46 && !seenPoint && i > 0 && i < n - 1) {
      seenPoint = true;
    } else {
      return false;
    }
  }
  if (units >= MAX_UNITS || scale >= POW10.length) return false;
  out.units = units;
  out.scale = scale;
  out.zeros = zeros;
  return true;
}

/** The plain text of units × 10^-scale, e.g. (12345, 2) -> "123.45", (5, 3) -> "0.005". */
export function formatPlain(units: number, scale: number): string {
  const digits = String(units);
  if (scale === 0) return digits;
  const cut = digits.length - scale;
  if (cut > 0) return `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  return `0.${'0'.repeat(-cut)}${digits}`;
}

/** The numeric value of any decimal text (plain or exponent form); NaN when it is not a decimal. */
export function toNumber(text: string): number {
  // Number("") is 0 and Number(" 1") is 1: reject what is not a decimal before converting.
  if (!isDecimal(text)) return Number.NaN;
  return Number(text);
}

/**
 * Exact decimal helpers. Venues send prices and sizes as decimal text; level4 never turns them into
 * floats on the way out. These helpers compare, average and normalise that text exactly, using
 * scaled BigInt where a double could lose a digit.
 */

/** A decimal as an integer number of units of 10^-scale: `{ units: 12345n, scale: 2 }` is 123.45. */
export interface ScaledDecimal {
  readonly units: bigint;
  readonly scale: number;
}

// Plain decimal or exponent form, optional sign: "1", "-0.5", ".5", "5.", "1e-8", "+2.5E3".
const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** True when `text` is a finite decimal number in plain or exponent form. */
export function isDecimal(text: string): boolean {
  const m = DECIMAL.exec(text);
  return m !== null && (m[2] !== '' || (m[3] !== undefined && m[3] !== ''));
}

/** Parses decimal text exactly. Throws a RangeError naming the text when it is not a decimal. */
export function parseDecimal(text: string): ScaledDecimal {
  const m = DECIMAL.exec(text);
  const intPart = m?.[2] ?? '';
  const fracPart = m?.[3] ?? '';
  if (m === null || (intPart === '' && fracPart === '')) {
    throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`);
  }
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 10_000) {
    throw new RangeError(`decimal exponent out of range: ${JSON.stringify(text)}`);
  }
  let units = BigInt(intPart + fracPart || '0');
  if (m[1] === '-') units = -units;
  let scale = fracPart.length - exponent;
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

/** Formats units × 10^-scale as plain decimal text, keeping every digit of `scale`. */
export function formatDecimal(value: ScaledDecimal): string {
  const negative = value.units < 0n;
  let digits = (negative ? -value.units : value.units).toString();
  if (value.scale > 0) {
    if (digits.length <= value.scale) digits = '0'.repeat(value.scale - digits.length + 1) + digits;
    digits = `${digits.slice(0, digits.length - value.scale)}.${digits.slice(digits.length - value.scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

/** Drops trailing fraction zeros: 1.2300 (units 12300, scale 4) becomes units 123, scale 2. */
function normalise(value: ScaledDecimal): ScaledDecimal {
  let { units, scale } = value;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return { units, scale };
}

/**
 * The canonical form of a decimal: no exponent, no sign on zero, no leading "+", no leading zeros,
 * no trailing fraction zeros. `canonicalDecimal("0.0001000")` is `"0.0001"`, `"1e-8"` is `"0.00000001"`.
 */
export function canonicalDecimal(text: string): string {
  return formatDecimal(normalise(parseDecimal(text)));
}

function align(a: ScaledDecimal, b: ScaledDecimal): [bigint, bigint, number] {
  if (a.scale === b.scale) return [a.units, b.units, a.scale];
  if (a.scale > b.scale) return [a.units, b.units * 10n ** BigInt(a.scale - b.scale), a.scale];
  return [a.units * 10n ** BigInt(b.scale - a.scale), b.units, b.scale];
}

/** Compares two decimals exactly: -1 when a < b, 0 when equal in value ("1.50" equals "1.5"), 1 when a > b. */
export function compareDecimal(a: string, b: string): -1 | 0 | 1 {
  const [x, y] = align(parseDecimal(a), parseDecimal(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The exact mid of two prices, in canonical form: `midPrice("67123.45", "67123.46")` is `"67123.455"`.
 * No rounding ever happens: half of a decimal always has at most one more fraction digit.
 */
export function midPrice(a: string, b: string): string {
  const [x, y, scale] = align(parseDecimal(a), parseDecimal(b));
  const sum = x + y;
  const mid = sum % 2n === 0n ? { units: sum / 2n, scale } : { units: sum * 5n, scale: scale + 1 };
  return formatDecimal(normalise(mid));
}

/** Time helpers: every time in level4 is an integer count of microseconds since the Unix epoch. */

/** Now, in µs since epoch (sub-ms resolution from the monotonic clock). */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** Milliseconds (number or integer text) -> µs. */
export function millisToMicros(ms: number | string): number {
  return Math.round(Number(ms) * 1000);
}

/** Nanoseconds (number or integer text, possibly beyond 2^53) -> µs. */
export function nanosToMicros(ns: number | string): number {
  if (typeof ns === 'number') return Math.floor(ns / 1000);
  return Number(ns.length > 3 ? ns.slice(0, -3) : '0');
}

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * RFC 3339 text -> µs, keeping the digits `Date` drops (`2026-04-07T14:30:01.456789Z`).
 * Returns NaN for text that is not RFC 3339.
 */
export function isoToMicros(text: string): number {
  const m = ISO.exec(text);
  if (m === null) return Number.NaN;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return Number.NaN;
  const fraction = ((m[2] ?? '') + '000000').slice(0, 6);
  return seconds * 1000 + Number(fraction);
}

import type { VenueAdapter } from '@level4/feed';

/** The order book `verify` is given (the feed contract's type, without importing the book package). */
export type Book = Parameters<NonNullable<VenueAdapter['verify']>>[0];

/**
 * bitFlyer's `mid_price` check (spec §5): every board message carries the exchange's mid after that
 * message, rounded down to the tick: `mid_price = floor(((bid + ask) / 2) / tick) * tick`. The book
 * is right when `0 <= (bid + ask) / 2 - mid_price < tick`. All in exact decimals: the prices are the
 * venue's text, scaled to one integer unit (numbers while they stay exact, BigInt past 2^53).
 *
 * A book with an empty side has no mid to compare: it passes. `tick` is decimal text; with no
 * usable tick (`'0'`, not a decimal) the check cannot be made and passes.
 */
export function midPriceMatches(bid: string, ask: string, midPrice: string, tick: string): boolean {
  const b = parse(bid);
  const a = parse(ask);
  const m = parse(midPrice);
  const t = parse(tick);
  if (b === undefined || a === undefined || m === undefined) return false;
  if (t === undefined || t.units === 0n) return true;
  const scale = Math.max(b.scale, a.scale, m.scale, t.scale);
  const up = (d: Scaled) => d.units * 10n ** BigInt(scale - d.scale);
  // 2 * (mid - mid_price) = bid + ask - 2 * mid_price, in [0, 2 * tick).
  const twice = up(b) + up(a) - 2n * up(m);
  return twice >= 0n && twice < 2n * up(t);
}

interface Scaled {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d{1,3}))?$/;

/** Non-negative decimal text (plain or exponent form) -> units × 10^-scale; undefined when it is not one. */
function parse(text: string): Scaled | undefined {
  const m = DECIMAL.exec(text);
  if (m === null) return undefined;
  const fraction = m[2] ?? '';
  let units = BigInt((m[1] ?? '') + fraction);
  let scale = fraction.length - Number(m[3] ?? 0);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

/**
 * Units of plain decimal text of up to 15 digits (every bitFlyer price), exact in a double; -1 when
 * the text is not that plain (the BigInt rule then decides).
 */
function plainUnits(text: string): number {
  const n = text.length;
  if (n === 0 || n > 16) return -1;
  let units = 0;
  let point = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) units = units * 10 + (c - 48);
    else if (c === 46 && !point && i > 0 && i < n - 1) point = true;
    else return -1;
  }
  return units <= 2 ** 50 ? units : -1;
}

/** Digits after the point of plain text. */
function scaleOf(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** {@link midPriceMatches}, with a fast path in doubles that hold exact integers. */
export function checkMid(bid: string, ask: string, midPrice: string, tick: string): boolean {
  const b = plainUnits(bid);
  const a = plainUnits(ask);
  const m = plainUnits(midPrice);
  const t = plainUnits(tick);
  if (b >= 0 && a >= 0 && m >= 0 && t > 0) {
    const bs = scaleOf(bid);
    const as = scaleOf(ask);
    const ms = scaleOf(midPrice);
    const ts = scaleOf(tick);
    const scale = Math.max(bs, as, ms, ts);
    if (scale < POW10.length) {
      const bu = b * (POW10[scale - bs] as number);
      const au = a * (POW10[scale - as] as number);
      const mu = 2 * m * (POW10[scale - ms] as number);
      const tu = 2 * t * (POW10[scale - ts] as number);
      if (Number.isSafeInteger(bu + au) && Number.isSafeInteger(mu) && Number.isSafeInteger(tu)) {
        const twice = bu + au - mu;
        return twice >= 0 && twice < tu;
      }
    }
  }
  return midPriceMatches(bid, ask, midPrice, tick);
}

/** The adapter's `verify`: the book's best prices against the venue's `mid_price`, at the tick given. */
export function verifyMid(book: Book, check: number | string, tick: string): boolean {
  const bid = book.bestBid();
  const ask = book.bestAsk();
  if (bid === undefined || ask === undefined) return true;
  return checkMid(bid.price, ask.price, String(check), tick);
}

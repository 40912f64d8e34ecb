import SortedBTree from 'sorted-btree';
import { formatPlain, POW10, readPlain, toNumber, type PlainDecimal } from './level-text.js';

// sorted-btree is CommonJS with `exports.default`. Node's ESM loader hands us module.exports as the
// default import; bundlers and vitest apply the __esModule interop and hand us the class itself.
type BTreeClass = typeof SortedBTree.default;
const BTree: BTreeClass =
  typeof SortedBTree === 'function' ? (SortedBTree as unknown as BTreeClass) : SortedBTree.default;

/** One price level, with price and size exactly as the venue wrote them. */
export interface Level {
  readonly price: string;
  readonly size: string;
}

/** The side of a book: bids (buyers) or asks (sellers). */
export type Side = 'bid' | 'ask';

/** Leaf size measured best for this workload: fewer, fuller nodes than the default 32. */
const NODE_SIZE = 64;
/** The value of a level whose texts are kept as written in `BookSide.written`. */
const WRITTEN = -1;
/** Compact values: size units below 2^35 with 4 bits of zero count beside them (under 2^39). */
const MAX_COMPACT_UNITS = 2 ** 35;
/** Full values: size units below 2^39 with 14 bits of scales beside them (under 2^53). */
const MAX_FULL_UNITS = 2 ** 39;

/**
 * The index of `key` in keys sorted in descending order, or the bitwise complement of the index at
 * which it would be inserted.
 */
function search(keys: number[], key: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const k = keys[mid];
    if (k === key) return mid;
    if (k > key) lo = mid + 1;
    else hi = mid;
  }
  return ~lo;
}

// Array.prototype.splice allocates the array of removed items on every call; the hot levels change
// near the end of their arrays, so shifting the few items after the position by hand is cheaper.
function insertAt(items: number[], at: number, item: number): void {
  for (let j = items.length; j > at; j--) items[j] = items[j - 1];
  items[at] = item;
}

function removeAt(items: number[], at: number): void {
  const last = items.length - 1;
  for (let j = at; j < last; j++) items[j] = items[j + 1];
  items.pop();
}

/**
 * One comparator for both sides (bid keys are negated prices), so that the tree's search loop sees
 * a single function and the engine can inline it.
 */
const ascending = (a: number, b: number): number => a - b;

const price: PlainDecimal = { units: 0, scale: 0, zeros: 0 };
const size: PlainDecimal = { units: 0, scale: 0, zeros: 0 };

/**
 * One side of an order book.
 *
 * Keys are numeric prices, negated for bids, so that on both sides a smaller key is a better level.
 * Each level's value is one integer-valued number from which the exact texts are rebuilt when read:
 * - compact (>= 0), for levels written in the side's common format (the price and size scales of
 *   its first level; venues pad consistently): `units * 16 + zeros`, the size's units without their
 *   trailing fraction zeros and how many there were. "0.01230000" is 123 * 16 + 4. Most sizes stay
 *   below 2^31 this way, which the engine stores unboxed even in the tree's generic arrays.
 * - full (<= -2), any other plain texts: `-(((units * 32 + sizeScale) * 16 + zeros) * 32 + priceScale) - 2`.
 * - WRITTEN (-1): texts that are not plain decimals, kept as written in a small map.
 *
 * Most deltas land within a few dozen levels of the top, so the best levels live in two flat arrays
 * (the "hot" levels, sorted worst first so that the busy end is the cheap end to splice), and only
 * the levels behind them live in the B-tree. Every hot key is better than every key in the tree.
 * The hot arrays spill their worse half into the tree when full and are refilled from it when they
 * run low. The best level is cached, so reading it is O(1).
 */
export class BookSide {
  readonly side: Side;
  /** Keeps at most this many best levels (Infinity: no limit). */
  readonly depth: number;
  /** Hot keys, descending: the worst hot level first, the best level last. */
  private readonly hotKeys: number[] = [];
  private readonly hotValues: number[] = [];
  private readonly hotMax: number;
  private readonly hotMin: number;
  /** The levels behind the hot ones, best first. */
  private readonly tree = new BTree<number, number>(undefined, ascending, NODE_SIZE);
  /** Levels in the tree, counted here because the tree's own count is a call through its root. */
  private deepSize = 0;
  private readonly written = new Map<number, Level>();
  /** -1 for bids, 1 for asks: key = sign * price. */
  private readonly sign: number;
  /** The common format of compact values; -1 until the first plain level after a clear. */
  private priceScale = -1;
  private sizeScale = -1;
  private bestLevel: Level | undefined = undefined;
  /** Removals of levels that were not in the book (a no-op, but worth knowing). */
  missingRemovals = 0;

  constructor(side: Side, depth = Number.POSITIVE_INFINITY, hotLevels = 128) {
    this.side = side;
    this.depth = depth;
    this.sign = side === 'bid' ? -1 : 1;
    this.hotMax = hotLevels;
    this.hotMin = Math.max(1, hotLevels >> 2);
  }

  /** Number of levels on this side. */
  get levelCount(): number {
    return this.hotKeys.length + this.deepSize;
  }

  /** The best level, O(1). */
  get best(): Level | undefined {
    return this.bestLevel;
  }

  /** The numeric best price (NaN when the side is empty); for comparisons only, never for output. */
  get bestPrice(): number {
    const n = this.hotKeys.length;
    return n === 0 ? Number.NaN : this.sign * this.hotKeys[n - 1];
  }

  /**
   * Sets the size at a price; a zero size removes the level. Returns true when the best level
   * (its price or size) changed. Throws a RangeError, before changing anything, for text that is
   * not a non-negative decimal.
   */
  apply(priceText: string, sizeText: string): boolean {
    let key: number;
    let priceScale = -1;
    if (readPlain(priceText, price)) {
      key = (this.sign * price.units) / POW10[price.scale];
      priceScale = price.scale;
    } else {
      const value = toNumber(priceText);
      if (!(value >= 0 && value < Number.POSITIVE_INFINITY)) throw new RangeError(`bad price: ${JSON.stringify(priceText)}`);
      key = this.sign * value;
    }
    let packed = WRITTEN;
    if (readPlain(sizeText, size)) {
      if (size.units === 0) return this.remove(key);
      if (priceScale >= 0) packed = this.encode(priceScale);
    } else {
      const value = toNumber(sizeText);
      if (!(value >= 0 && value < Number.POSITIVE_INFINITY)) throw new RangeError(`bad size: ${JSON.stringify(sizeText)}`);
      if (value === 0) return this.remove(key);
    }

    const written = this.written;
    if (packed === WRITTEN) written.set(key, { price: priceText, size: sizeText });
    else if (written.size > 0) written.delete(key);

    const keys = this.hotKeys;
    if (this.deepSize > 0 && key > keys[0]) {
      // Behind the hot levels: never the best.
      if (this.tree.set(key, packed)) {
        this.deepSize++;
        if (this.levelCount > this.depth) this.removeWorst();
      }
      return false;
    }
    const i = search(keys, key);
    if (i >= 0) {
      this.hotValues[i] = packed;
    } else {
      insertAt(keys, ~i, key);
      insertAt(this.hotValues, ~i, packed);
      if (keys.length > this.hotMax) this.spill();
      if (this.levelCount > this.depth && this.removeWorst() === key) return false;
    }
    if (key !== keys[keys.length - 1]) return false;
    const best = this.bestLevel;
    // The same texts again change nothing that anyone reads.
    if (i >= 0 && best !== undefined && best.size === sizeText && best.price === priceText) return false;
    this.bestLevel = { price: priceText, size: sizeText };
    return true;
  }

  /** Removes every level. */
  clear(): void {
    this.hotKeys.length = 0;
    this.hotValues.length = 0;
    this.tree.clear();
    this.deepSize = 0;
    this.written.clear();
    this.priceScale = -1;
    this.sizeScale = -1;
    this.bestLevel = undefined;
  }

  /** The size text at a price, or undefined when there is no level there. */
  sizeAt(priceText: string): string | undefined {
    const value = readPlain(priceText, price) ? price.units / POW10[price.scale] : toNumber(priceText);
    const key = this.sign * value;
    const i = search(this.hotKeys, key);
    const packed = i >= 0 ? this.hotValues[i] : this.tree.get(key);
    return packed === undefined ? undefined : this.level(key, packed).size;
  }

  /** The best `n` levels, best first. */
  top(n: number): Level[] {
    const out: Level[] = [];
    const keys = this.hotKeys;
    for (let i = keys.length - 1; i >= 0 && out.length < n; i--) out.push(this.level(keys[i], this.hotValues[i]));
    if (out.length >= n) return out;
    this.tree.forEachPair((key, packed) => {
      out.push(this.level(key, packed));
      return out.length >= n ? { break: true } : undefined;
    });
    return out;
  }

  /** Every level, best first. */
  *levels(): IterableIterator<Level> {
    const keys = this.hotKeys;
    for (let i = keys.length - 1; i >= 0; i--) yield this.level(keys[i], this.hotValues[i]);
    for (const [key, packed] of this.tree.entries()) yield this.level(key, packed);
  }

  private remove(key: number): boolean {
    const keys = this.hotKeys;
    if (this.deepSize > 0 && key > keys[0]) {
      if (this.tree.delete(key)) {
        this.deepSize--;
        if (this.written.size > 0) this.written.delete(key);
      } else {
        this.missingRemovals++;
      }
      return false;
    }
    const i = search(keys, key);
    if (i < 0) {
      this.missingRemovals++;
      return false;
    }
    if (this.written.size > 0) this.written.delete(key);
    const wasBest = i === keys.length - 1;
    removeAt(keys, i);
    removeAt(this.hotValues, i);
    if (keys.length < this.hotMin && this.deepSize > 0) this.refill();
    if (!wasBest) return false;
    const n = keys.length;
    this.bestLevel = n === 0 ? undefined : this.level(keys[n - 1], this.hotValues[n - 1]);
    return true;
  }

  /** Removes the worst level of the side (depth limit); returns its key. */
  private removeWorst(): number {
    const worst = this.deepSize > 0 ? (this.tree.maxKey() as number) : this.hotKeys[0];
    this.remove(worst);
    return worst;
  }

  /** Moves the worse half of the hot levels into the tree. */
  private spill(): void {
    const count = this.hotKeys.length - (this.hotMax >> 1);
    for (let i = 0; i < count; i++) this.tree.set(this.hotKeys[i], this.hotValues[i]);
    this.deepSize += count;
    this.hotKeys.splice(0, count);
    this.hotValues.splice(0, count);
  }

  /** Moves the best levels of the tree behind the hot ones, until the hot arrays are half full. */
  private refill(): void {
    const keys: number[] = [];
    const values: number[] = [];
    const wanted = (this.hotMax >> 1) - this.hotKeys.length;
    this.tree.forEachPair((key, packed) => {
      keys.push(key);
      values.push(packed);
      return keys.length >= wanted ? { break: true } : undefined;
    });
    this.tree.deleteRange(keys[0], keys[keys.length - 1], true);
    this.deepSize -= keys.length;
    this.hotKeys.unshift(...keys.reverse());
    this.hotValues.unshift(...values.reverse());
  }

  /** The value of the plain size in `size` at a price of the given scale (see the class comment). */
  private encode(priceScale: number): number {
    const zeros = size.zeros;
    // Exact: units is a multiple of 10^zeros and below 2^50.
    const units = size.units / POW10[zeros];
    if (this.priceScale < 0 && this.levelCount === 0) {
      this.priceScale = priceScale;
      this.sizeScale = size.scale;
    }
    if (priceScale === this.priceScale && size.scale === this.sizeScale && zeros < 16 && units < MAX_COMPACT_UNITS) {
      return units * 16 + zeros;
    }
    if (units >= MAX_FULL_UNITS || zeros > 15 || size.scale > 31 || priceScale > 31) return WRITTEN;
    return -(((units * 32 + size.scale) * 16 + zeros) * 32 + priceScale) - 2;
  }

  /** The texts of a level, rebuilt from its key and value. */
  private level(key: number, value: number): Level {
    if (value === WRITTEN) return this.written.get(key) as Level;
    let units: number;
    let priceScale: number;
    let sizeScale: number;
    let rest: number;
    // Math.floor rather than %: the remainder of doubles is a slow call in the engine.
    if (value >= 0) {
      rest = Math.floor(value / 16);
      units = rest * POW10[value - rest * 16];
      priceScale = this.priceScale;
      sizeScale = this.sizeScale;
    } else {
      let full = -value - 2;
      rest = Math.floor(full / 32);
      priceScale = full - rest * 32;
      full = rest;
      rest = Math.floor(full / 16);
      const zeros = full - rest * 16;
      full = rest;
      rest = Math.floor(full / 32);
      sizeScale = full - rest * 32;
      units = rest * POW10[zeros];
    }
    return {
      price: formatPlain(Math.round(this.sign * key * POW10[priceScale]), priceScale),
      size: formatPlain(units, sizeScale),
    };
  }
}

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
 * The index of `key` among the hot pairs (keys descending), or the bitwise complement of the index
 * at which it would be inserted.
 */
function search(hot: Float64Array, count: number, key: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const k = hot[2 * mid];
    if (k === key) return mid;
    if (k > key) lo = mid + 1;
    else hi = mid;
  }
  return ~lo;
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
 * Most deltas land within a few dozen levels of the top, so the best levels (the "hot" ones) live
 * in one flat typed array of (key, value) pairs, sorted worst first so that the busy end is the
 * cheap end to shift, and only the levels behind them live in the B-tree. Every hot key is better
 * than every key in the tree. The hot array spills its worse half into the tree when full and is
 * refilled from it when it runs low. The best level is cached, so reading it is O(1).
 */
export class BookSide {
  readonly side: Side;
  /** Keeps at most this many best levels (Infinity: no limit). */
  readonly depth: number;
  /**
   * The hot levels as (key, value) pairs, keys descending: the worst hot level first, the best
   * level last. One typed array of fixed capacity, so that an insert or a removal moves the pairs
   * behind it as one block of memory (copyWithin).
   */
  private readonly hot: Float64Array;
  private hotCount = 0;
  private readonly hotMax: number;
  private readonly hotMin: number;
  /** The levels behind the hot ones, best first. */
  private readonly tree = new BTree<number, number>(undefined, ascending, NODE_SIZE);
  /** Levels in the tree, counted here because the tree's own count is a call through its root. */
  private deepSize = 0;
  private readonly written = new Map<number, Level>();
  /** written.size > 0, kept in a field: the hot path asks on every delta and Map#size is a call. */
  private anyWritten = false;
  /** -1 for bids, 1 for asks: key = sign * price. */
  private readonly sign: number;
  /** The common format of compact values; -1 until the first plain level after a clear. */
  private priceScale = -1;
  private sizeScale = -1;
  private bestLevel: Level | undefined = undefined;
  /** Removals of levels that were not in the book (a no-op, but worth knowing). */
  missingRemovals = 0;

  /** Trim to `depth` on every insert (true) or only in `trim()` (false). */
  private readonly autoTrim: boolean;

  constructor(side: Side, depth = Number.POSITIVE_INFINITY, hotLevels = 128, autoTrim = true) {
    this.side = side;
    this.depth = depth;
    this.autoTrim = autoTrim;
    this.sign = side === 'bid' ? -1 : 1;
    this.hotMax = hotLevels;
    this.hotMin = Math.max(1, hotLevels >> 2);
    // One more than the maximum: an insert lands before the spill that follows it.
    this.hot = new Float64Array(2 * (hotLevels + 1));
  }

  /** Number of levels on this side. */
  get levelCount(): number {
    return this.hotCount + this.deepSize;
  }

  /** The best level, O(1). */
  get best(): Level | undefined {
    return this.bestLevel;
  }

  /** The numeric best price (NaN when the side is empty); for comparisons only, never for output. */
  get bestPrice(): number {
    const n = this.hotCount;
    return n === 0 ? Number.NaN : this.sign * this.hot[2 * n - 2];
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

    if (packed === WRITTEN) {
      this.written.set(key, { price: priceText, size: sizeText });
      this.anyWritten = true;
    } else if (this.anyWritten) {
      this.forgetWritten(key);
    }

    const hot = this.hot;
    if (this.deepSize > 0 && key > hot[0]) {
      // Behind the hot levels: never the best.
      if (this.tree.set(key, packed)) {
        this.deepSize++;
        if (this.autoTrim && this.levelCount > this.depth) this.removeWorst();
      }
      return false;
    }
    const count = this.hotCount;
    const i = search(hot, count, key);
    if (i >= 0) {
      hot[2 * i + 1] = packed;
    } else {
      const at = 2 * ~i;
      hot.copyWithin(at + 2, at, 2 * count);
      hot[at] = key;
      hot[at + 1] = packed;
      this.hotCount = count + 1;
      if (count + 1 > this.hotMax) this.spill();
      if (this.autoTrim && this.levelCount > this.depth && this.removeWorst() === key) return false;
    }
    if (key !== hot[2 * this.hotCount - 2]) return false;
    const best = this.bestLevel;
    // The same texts again change nothing that anyone reads.
    if (i >= 0 && best !== undefined && best.size === sizeText && best.price === priceText) return false;
    this.bestLevel = { price: priceText, size: sizeText };
    return true;
  }

  /** Removes every level. */
  clear(): void {
    this.hotCount = 0;
    this.tree.clear();
    this.deepSize = 0;
    this.written.clear();
    this.anyWritten = false;
    this.priceScale = -1;
    this.sizeScale = -1;
    this.bestLevel = undefined;
  }

  /** The size text at a price, or undefined when there is no level there. */
  sizeAt(priceText: string): string | undefined {
    const value = readPlain(priceText, price) ? price.units / POW10[price.scale] : toNumber(priceText);
    if (Number.isNaN(value)) return undefined;
    const key = this.sign * value;
    const i = search(this.hot, this.hotCount, key);
    const packed = i >= 0 ? this.hot[2 * i + 1] : this.tree.get(key);
    return packed === undefined ? undefined : this.level(key, packed).size;
  }

  /** The best `n` levels, best first. */
  top(n: number): Level[] {
    const out: Level[] = [];
    const hot = this.hot;
    for (let i = this.hotCount - 1; i >= 0 && out.length < n; i--) out.push(this.level(hot[2 * i], hot[2 * i + 1]));
    if (out.length >= n) return out;
    this.tree.forEachPair((key, packed) => {
      out.push(this.level(key, packed));
      return out.length >= n ? { break: true } : undefined;
    });
    return out;
  }

  /** Every level, best first. */
  *levels(): IterableIterator<Level> {
    const hot = this.hot;
    for (let i = this.hotCount - 1; i >= 0; i--) yield this.level(hot[2 * i], hot[2 * i + 1]);
    for (const [key, packed] of this.tree.entries()) yield this.level(key, packed);
  }

  private remove(key: number): boolean {
    const hot = this.hot;
    if (this.deepSize > 0 && key > hot[0]) {
      if (this.tree.delete(key)) {
        this.deepSize--;
        if (this.anyWritten) this.forgetWritten(key);
      } else {
        this.missingRemovals++;
      }
      return false;
    }
    const i = search(hot, this.hotCount, key);
    if (i < 0) {
      this.missingRemovals++;
      return false;
    }
    if (this.anyWritten) this.forgetWritten(key);
    const count = this.hotCount;
    const wasBest = i === count - 1;
    hot.copyWithin(2 * i, 2 * i + 2, 2 * count);
    this.hotCount = count - 1;
    if (count - 1 < this.hotMin && this.deepSize > 0) this.refill();
    if (!wasBest) return false;
    const n = this.hotCount;
    this.bestLevel = n === 0 ? undefined : this.level(hot[2 * n - 2], hot[2 * n - 1]);
    return true;
  }

  private forgetWritten(key: number): void {
    this.written.delete(key);
    this.anyWritten = this.written.size > 0;
  }

  /** Removes the worst levels beyond `depth`. */
  trim(): void {
    while (this.levelCount > this.depth) this.removeWorst();
  }

  /** Removes the worst level of the side (depth limit); returns its key. */
  private removeWorst(): number {
    const worst = this.deepSize > 0 ? (this.tree.maxKey() as number) : this.hot[0];
    this.remove(worst);
    return worst;
  }

  /** Moves the worse half of the hot levels into the tree. */
  private spill(): void {
    const count = this.hotCount - (this.hotMax >> 1);
    for (let i = 0; i < count; i++) this.tree.set(this.hot[2 * i], this.hot[2 * i + 1]);
    this.deepSize += count;
    this.hot.copyWithin(0, 2 * count, 2 * this.hotCount);
    this.hotCount -= count;
  }

  /** Moves the best levels of the tree behind the hot ones, until the hot array is half full. */
  private refill(): void {
    const keys: number[] = [];
    const values: number[] = [];
    const wanted = (this.hotMax >> 1) - this.hotCount;
    this.tree.forEachPair((key, packed) => {
      keys.push(key);
      values.push(packed);
      return keys.length >= wanted ? { break: true } : undefined;
    });
    this.tree.deleteRange(keys[0], keys[keys.length - 1], true);
    this.deepSize -= keys.length;
    // They are worse than every hot level: they go in front, worst first.
    const moved = keys.length;
    this.hot.copyWithin(2 * moved, 0, 2 * this.hotCount);
    for (let j = 0; j < moved; j++) {
      this.hot[2 * j] = keys[moved - 1 - j];
      this.hot[2 * j + 1] = values[moved - 1 - j];
    }
    this.hotCount += moved;
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

import SortedBTree from 'sorted-btree';
import { formatPlain, POW10, readPlain, toNumber, type PlainDecimal } from './level-text.js';

// sorted-btree is CommonJS with `exports.default`. Node's ESM loader hands us module.exports as the
// default import; bundlers and vitest apply the __esModule interop and hand us the class itself.
type BTreeClass = typeof SortedBTree.default;
const BTree: BTreeClass =
  typeof SortedBTree === 'function' ? (SortedBTree as unknown as BTreeClass) : SortedBTree.default;
type Tree = InstanceType<typeof BTree<number, number>>;

/** One price level, with price and size exactly as the venue wrote them. */
export interface Level {
  readonly price: string;
  readonly size: string;
}

/** The side of a book: bids (buyers) or asks (sellers). */
export type Side = 'bid' | 'ask';

/** A price scale value meaning "the texts of this slot are kept as written in `written`". */
const WRITTEN = 255;
/** Leaf size measured best for this workload: fewer, fuller nodes than the default 32. */
const NODE_SIZE = 64;

const price: PlainDecimal = { units: 0, scale: 0 };
const size: PlainDecimal = { units: 0, scale: 0 };

/**
 * One side of an order book.
 *
 * The B-tree maps the numeric price to a slot number; a slot's size and text scales live in typed
 * arrays. So a level costs two unboxed numbers in the tree plus ten bytes of slot, and the exact
 * text comes back from (units, scale) when someone reads it. Texts that are not plain decimals are
 * kept as written in a small map instead. The best level is cached so reading it is O(1).
 */
export class BookSide {
  readonly side: Side;
  /** Keeps at most this many best levels (Infinity: no limit). */
  readonly depth: number;
  private readonly tree: Tree;
  private sizeUnits = new Float64Array(64);
  private sizeScale = new Uint8Array(64);
  private priceScale = new Uint8Array(64);
  private readonly written = new Map<number, Level>();
  private nextSlot = 0;
  private freeHead = -1;
  private bestKey = Number.NaN;
  private bestLevel: Level | undefined = undefined;
  /** Removals of levels that were not in the book (a no-op, but worth knowing). */
  missingRemovals = 0;

  constructor(side: Side, depth = Number.POSITIVE_INFINITY) {
    this.side = side;
    this.depth = depth;
    // The tree keeps the best level first on both sides: asks ascending, bids descending.
    this.tree = new BTree<number, number>(undefined, side === 'ask' ? (a, b) => a - b : (a, b) => b - a, NODE_SIZE);
  }

  /** Number of levels on this side. */
  get levelCount(): number {
    return this.tree.size;
  }

  /** The best level, O(1). */
  get best(): Level | undefined {
    return this.bestLevel;
  }

  /** The numeric best price (NaN when the side is empty); for comparisons only, never for output. */
  get bestPrice(): number {
    return this.bestKey;
  }

  /**
   * Sets the size at a price; a zero size removes the level. Returns true when the best level
   * (its price or size) changed. Throws a RangeError for text that is not a non-negative decimal.
   */
  apply(priceText: string, sizeText: string): boolean {
    let key: number;
    let pScale: number;
    if (readPlain(priceText, price)) {
      key = price.units / POW10[price.scale];
      pScale = price.scale;
    } else {
      key = toNumber(priceText);
      if (!(key >= 0 && key < Number.POSITIVE_INFINITY)) throw new RangeError(`bad price: ${JSON.stringify(priceText)}`);
      pScale = WRITTEN;
    }
    const plainSize = readPlain(sizeText, size);
    let zero: boolean;
    if (plainSize) {
      zero = size.units === 0;
    } else {
      const value = toNumber(sizeText);
      if (!(value >= 0 && value < Number.POSITIVE_INFINITY)) throw new RangeError(`bad size: ${JSON.stringify(sizeText)}`);
      zero = value === 0;
    }
    if (zero) return this.remove(key);

    const tree = this.tree;
    let slot = tree.get(key);
    const added = slot === undefined;
    if (slot === undefined) slot = this.allocate();
    if (pScale === WRITTEN || !plainSize) {
      this.priceScale[slot] = WRITTEN;
      this.written.set(slot, { price: priceText, size: sizeText });
    } else {
      if (this.priceScale[slot] === WRITTEN) this.written.delete(slot);
      this.priceScale[slot] = pScale;
      this.sizeUnits[slot] = size.units;
      this.sizeScale[slot] = size.scale;
    }
    if (added) {
      tree.set(key, slot);
      if (tree.size > this.depth) {
        const worst = tree.maxKey() as number;
        this.remove(worst);
        if (worst === key) return false;
      }
    }
    if (key === this.bestKey || this.isBetter(key, this.bestKey)) {
      this.bestKey = key;
      this.bestLevel = { price: priceText, size: sizeText };
      return true;
    }
    return false;
  }

  /** Removes every level (keeps the allocated capacity for the next snapshot). */
  clear(): void {
    this.tree.clear();
    this.written.clear();
    this.nextSlot = 0;
    this.freeHead = -1;
    this.bestKey = Number.NaN;
    this.bestLevel = undefined;
  }

  /** The size text at a price, or undefined when there is no level there. */
  sizeAt(priceText: string): string | undefined {
    const key = readPlain(priceText, price) ? price.units / POW10[price.scale] : toNumber(priceText);
    const slot = this.tree.get(key);
    return slot === undefined ? undefined : this.level(key, slot).size;
  }

  /** The best `n` levels, best first. */
  top(n: number): Level[] {
    const out: Level[] = [];
    if (n <= 0) return out;
    this.tree.forEachPair((key, slot) => {
      out.push(this.level(key, slot));
      return out.length >= n ? { break: true } : undefined;
    });
    return out;
  }

  /** Every level, best first. */
  *levels(): IterableIterator<Level> {
    for (const [key, slot] of this.tree.entries()) yield this.level(key, slot);
  }

  /** True when price a is better than b on this side; any price beats NaN (an empty side). */
  private isBetter(a: number, b: number): boolean {
    if (Number.isNaN(b)) return true;
    return this.side === 'ask' ? a < b : a > b;
  }

  private remove(key: number): boolean {
    const slot = this.tree.get(key);
    if (slot === undefined) {
      this.missingRemovals++;
      return false;
    }
    this.tree.delete(key);
    if (this.priceScale[slot] === WRITTEN) this.written.delete(slot);
    this.sizeUnits[slot] = this.freeHead;
    this.freeHead = slot;
    if (key !== this.bestKey) return false;
    const next = this.tree.nextHigherPair(undefined);
    if (next === undefined) {
      this.bestKey = Number.NaN;
      this.bestLevel = undefined;
    } else {
      this.bestKey = next[0];
      this.bestLevel = this.level(next[0], next[1]);
    }
    return true;
  }

  private level(key: number, slot: number): Level {
    const pScale = this.priceScale[slot];
    if (pScale === WRITTEN) return this.written.get(slot) as Level;
    return {
      price: formatPlain(Math.round(key * POW10[pScale]), pScale),
      size: formatPlain(this.sizeUnits[slot], this.sizeScale[slot]),
    };
  }

  private allocate(): number {
    if (this.freeHead >= 0) {
      const slot = this.freeHead;
      this.freeHead = this.sizeUnits[slot];
      return slot;
    }
    const slot = this.nextSlot++;
    if (slot === this.sizeUnits.length) {
      const capacity = slot * 2;
      this.sizeUnits = grow(this.sizeUnits, new Float64Array(capacity));
      this.sizeScale = grow(this.sizeScale, new Uint8Array(capacity));
      this.priceScale = grow(this.priceScale, new Uint8Array(capacity));
    }
    return slot;
  }
}

function grow<T extends Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * The two books @level4/orderbook is measured against, with the same minimal interface as the real
 * one (what the benchmark uses of it).
 */
import SortedBTree from 'sorted-btree';

export type Side = 'bid' | 'ask';

export interface Level {
  readonly price: string;
  readonly size: string;
}

export interface BenchSnapshot {
  readonly bids: Iterable<readonly [price: string, size: string]>;
  readonly asks: Iterable<readonly [price: string, size: string]>;
}

/** What the benchmark needs from a book; @level4/orderbook's OrderBook has all of it. */
export interface BenchBook {
  applySnapshot(snapshot: BenchSnapshot): void;
  applyDelta(side: Side, price: string, size: string): boolean;
  bestBid(): Level | undefined;
  bestAsk(): Level | undefined;
  top(side: Side, n: number): Level[];
  levelCount(side?: Side): number;
}

// sorted-btree is CommonJS with `exports.default`: Node's ESM loader hands us module.exports as the
// default import, bundlers hand us the class.
type BTreeClass = typeof SortedBTree.default;
const BTree: BTreeClass = typeof SortedBTree === 'function' ? (SortedBTree as unknown as BTreeClass) : SortedBTree.default;
type LevelTree = InstanceType<typeof BTree<number, Level>>;

function isZero(size: string): boolean {
  return Number(size) === 0;
}

/**
 * (a) sorted-btree used the obvious way: one tree per side keyed by Number(price) (default
 * comparator, default node size), the value a `{ price, size }` object; the best level is looked up
 * with minKey()/maxKey() + get() on every read.
 */
export class NaiveBTreeBook implements BenchBook {
  private readonly bids: LevelTree = new BTree<number, Level>();
  private readonly asks: LevelTree = new BTree<number, Level>();

  applySnapshot(snapshot: BenchSnapshot): void {
    this.bids.clear();
    this.asks.clear();
    for (const [price, size] of snapshot.bids) this.applyDelta('bid', price, size);
    for (const [price, size] of snapshot.asks) this.applyDelta('ask', price, size);
  }

  applyDelta(side: Side, price: string, size: string): boolean {
    const bid = side === 'bid';
    const tree = bid ? this.bids : this.asks;
    const key = Number(price);
    if (isZero(size)) {
      if (!tree.delete(key)) return false;
      const best = bid ? tree.maxKey() : tree.minKey();
      return best === undefined || (bid ? key > best : key < best);
    }
    tree.set(key, { price, size });
    return key === (bid ? tree.maxKey() : tree.minKey());
  }

  bestBid(): Level | undefined {
    const key = this.bids.maxKey();
    return key === undefined ? undefined : this.bids.get(key);
  }

  bestAsk(): Level | undefined {
    const key = this.asks.minKey();
    return key === undefined ? undefined : this.asks.get(key);
  }

  top(side: Side, n: number): Level[] {
    const out: Level[] = [];
    const entries = side === 'bid' ? this.bids.entriesReversed() : this.asks.entries();
    for (const [, level] of entries) {
      if (out.length >= n) break;
      out.push(level);
    }
    return out;
  }

  levelCount(side?: Side): number {
    if (side === 'bid') return this.bids.size;
    if (side === 'ask') return this.asks.size;
    return this.bids.size + this.asks.size;
  }
}

/** One side of {@link SortedArrayBook}: best level at index 0. */
class ArraySide {
  /** Numeric prices, best first (bids descending, asks ascending). */
  keys: number[] = [];
  prices: string[] = [];
  sizes: string[] = [];
  private readonly descending: boolean;

  constructor(side: Side) {
    this.descending = side === 'bid';
  }

  clear(): void {
    this.keys = [];
    this.prices = [];
    this.sizes = [];
  }

  /** Index of the first key not better than `key` (binary search). */
  private lowerBound(key: number): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    if (this.descending) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keys[mid]! > key) lo = mid + 1;
        else hi = mid;
      }
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keys[mid]! < key) lo = mid + 1;
        else hi = mid;
      }
    }
    return lo;
  }

  /** Returns true when the best level changed. */
  apply(price: string, size: string): boolean {
    const key = Number(price);
    const i = this.lowerBound(key);
    const found = i < this.keys.length && this.keys[i] === key;
    if (isZero(size)) {
      if (!found) return false;
      this.keys.splice(i, 1);
      this.prices.splice(i, 1);
      this.sizes.splice(i, 1);
    } else if (found) {
      this.prices[i] = price;
      this.sizes[i] = size;
    } else {
      this.keys.splice(i, 0, key);
      this.prices.splice(i, 0, price);
      this.sizes.splice(i, 0, size);
    }
    return i === 0;
  }

  best(): Level | undefined {
    return this.keys.length === 0 ? undefined : { price: this.prices[0]!, size: this.sizes[0]! };
  }

  top(n: number): Level[] {
    const out: Level[] = [];
    for (let i = 0; i < n && i < this.keys.length; i++) out.push({ price: this.prices[i]!, size: this.sizes[i]! });
    return out;
  }
}

/**
 * (b) A plain sorted-array book: per side a sorted array of numeric prices plus parallel arrays of
 * the price and size text; binary search + splice; the best level is element 0.
 */
export class SortedArrayBook implements BenchBook {
  private readonly bids = new ArraySide('bid');
  private readonly asks = new ArraySide('ask');

  applySnapshot(snapshot: BenchSnapshot): void {
    this.bids.clear();
    this.asks.clear();
    for (const [price, size] of snapshot.bids) this.bids.apply(price, size);
    for (const [price, size] of snapshot.asks) this.asks.apply(price, size);
  }

  applyDelta(side: Side, price: string, size: string): boolean {
    return (side === 'bid' ? this.bids : this.asks).apply(price, size);
  }

  bestBid(): Level | undefined {
    return this.bids.best();
  }

  bestAsk(): Level | undefined {
    return this.asks.best();
  }

  top(side: Side, n: number): Level[] {
    return (side === 'bid' ? this.bids : this.asks).top(n);
  }

  levelCount(side?: Side): number {
    if (side === 'bid') return this.bids.keys.length;
    if (side === 'ask') return this.asks.keys.length;
    return this.bids.keys.length + this.asks.keys.length;
  }
}

import { BookSide, type Level, type Side } from './book-side.js';

/** A level as venues send it: `[price, size]`, both decimal text (further elements are ignored). */
export type LevelInput = readonly [price: string, size: string, ...rest: unknown[]];

/** A full book: every level of both sides. */
export interface BookSnapshot {
  readonly bids: Iterable<LevelInput>;
  readonly asks: Iterable<LevelInput>;
}

export interface OrderBookOptions {
  /** Keep at most this many best levels per side, for venues that send only the top N. */
  readonly depth?: number;
  /**
   * With `depth`: trim only when {@link OrderBook.trim} is called, not on every insert. A venue
   * that keeps a top-N window sends a message's changes as one step (an insert may come before the
   * delete that makes room for it); trimming level by level in between would drop a level the venue
   * keeps, and nothing would ever bring it back. Call `trim()` after each message.
   */
  readonly deferTrim?: boolean;
  /**
   * How many best levels per side live in a flat array, where most deltas land, before the rest
   * goes to the B-tree (default 128). A tuning knob; any value gives the same book.
   */
  readonly hotLevels?: number;
}

/**
 * A level-2 order book: price levels on two sides, with prices and sizes kept exactly as the venue
 * wrote them. Best bid and best ask are O(1); a delta is O(log n).
 *
 * ```ts
 * const book = new OrderBook();
 * book.applySnapshot({ bids: [['100.5', '2']], asks: [['101', '1.25']] });
 * book.applyDelta('bid', '100.75', '0.5'); // true: the best bid changed
 * book.bestBid(); // { price: '100.75', size: '0.5' }
 * ```
 */
export class OrderBook {
  private readonly bidSide: BookSide;
  private readonly askSide: BookSide;

  constructor(options: OrderBookOptions = {}) {
    const depth = options.depth ?? Number.POSITIVE_INFINITY;
    if (!(depth === Number.POSITIVE_INFINITY || (Number.isInteger(depth) && depth > 0))) {
      throw new RangeError(`depth must be a positive integer, got ${String(options.depth)}`);
    }
    const hotLevels = options.hotLevels ?? 128;
    if (!(Number.isInteger(hotLevels) && hotLevels >= 4 && hotLevels <= 65_536)) {
      throw new RangeError(`hotLevels must be an integer from 4 to 65536, got ${String(options.hotLevels)}`);
    }
    const autoTrim = options.deferTrim !== true;
    this.bidSide = new BookSide('bid', depth, hotLevels, autoTrim);
    this.askSide = new BookSide('ask', depth, hotLevels, autoTrim);
  }

  /** Removes the levels beyond `depth` on both sides (only needed with `deferTrim`). */
  trim(): void {
    this.bidSide.trim();
    this.askSide.trim();
  }

  /**
   * Replaces the whole book with a snapshot: no level of the previous book survives. If a level of
   * the snapshot is malformed, the book is left empty and the RangeError is rethrown.
   */
  applySnapshot(snapshot: BookSnapshot): void {
    this.clear();
    try {
      for (const [price, size] of snapshot.bids) this.bidSide.apply(price, size);
      for (const [price, size] of snapshot.asks) this.askSide.apply(price, size);
    } catch (error) {
      this.clear();
      throw error;
    }
  }

  /**
   * Sets the size of one level; size zero removes it (removing a level that is not there is a
   * no-op, counted in {@link missingRemovals}). Returns true when that side's best level changed.
   * Throws a RangeError, and changes nothing, when price or size is not a non-negative decimal.
   */
  applyDelta(side: Side, price: string, size: string): boolean {
    return this.sideOf(side).apply(price, size);
  }

  /** The highest bid, O(1). */
  bestBid(): Level | undefined {
    return this.bidSide.best;
  }

  /** The lowest ask, O(1). */
  bestAsk(): Level | undefined {
    return this.askSide.best;
  }

  /** The best `n` levels of one side, best first. */
  top(side: Side, n: number): Level[] {
    return this.sideOf(side).top(n);
  }

  /** Every level of one side, best first. */
  levels(side: Side): IterableIterator<Level> {
    return this.sideOf(side).levels();
  }

  /** The number of levels on one side, or on both when no side is given. */
  levelCount(side?: Side): number {
    if (side === undefined) return this.bidSide.levelCount + this.askSide.levelCount;
    return this.sideOf(side).levelCount;
  }

  /** The size at a price on one side, as written by the venue; undefined when there is no level. */
  sizeAt(side: Side, price: string): string | undefined {
    return this.sideOf(side).sizeAt(price);
  }

  /** True when both sides have levels and the best bid is at or above the best ask. */
  isCrossed(): boolean {
    return this.bidSide.bestPrice >= this.askSide.bestPrice;
  }

  /** Removes every level of both sides. */
  clear(): void {
    this.bidSide.clear();
    this.askSide.clear();
  }

  /** How many removals named a level that was not in the book, since the book was created. */
  get missingRemovals(): number {
    return this.bidSide.missingRemovals + this.askSide.missingRemovals;
  }

  /** The depth limit per side (Infinity when unlimited). */
  get depth(): number {
    return this.bidSide.depth;
  }

  private sideOf(side: Side): BookSide {
    if (side === 'bid') return this.bidSide;
    if (side === 'ask') return this.askSide;
    throw new RangeError(`side must be 'bid' or 'ask', got ${JSON.stringify(side)}`);
  }
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Level, Side } from './book-side.js';
import { canonicalDecimal, compareDecimal } from './decimal.js';
import { OrderBook } from './order-book.js';

/**
 * A deliberately naive reference book: a Map per side keyed by the exact value of the price, sorted
 * with exact decimal comparison on every read. The real book must agree with it on every step.
 */
class ModelBook {
  readonly sides = { bid: new Map<string, Level>(), ask: new Map<string, Level>() };
  missingRemovals = 0;
  constructor(readonly depth = Number.POSITIVE_INFINITY) {}

  snapshot(bids: [string, string][], asks: [string, string][]): void {
    this.sides.bid.clear();
    this.sides.ask.clear();
    for (const [p, s] of bids) this.delta('bid', p, s);
    for (const [p, s] of asks) this.delta('ask', p, s);
  }

  delta(side: Side, price: string, size: string): void {
    const levels = this.sides[side];
    const key = canonicalDecimal(price);
    if (compareDecimal(size, '0') === 0) {
      if (!levels.delete(key)) this.missingRemovals++;
      return;
    }
    const isNew = !levels.has(key);
    levels.set(key, { price, size });
    const worst = this.sorted(side).at(-1);
    if (isNew && worst !== undefined && levels.size > this.depth) levels.delete(canonicalDecimal(worst.price));
  }

  sorted(side: Side): Level[] {
    const sign = side === 'bid' ? -1 : 1;
    return [...this.sides[side].values()].sort((a, b) => sign * compareDecimal(a.price, b.price));
  }

  crossed(): boolean {
    const bid = this.sorted('bid')[0];
    const ask = this.sorted('ask')[0];
    return bid !== undefined && ask !== undefined && compareDecimal(bid.price, ask.price) >= 0;
  }
}

// Prices on a small grid so that updates and removals hit existing levels often, written in the
// different ways venues write the same number (trailing zeros, exponent form, many decimals).
const tick = fc.integer({ min: 1, max: 60 });
const priceText = fc
  .tuple(tick, fc.constantFrom('plain', 'padded', 'exponent', 'tiny'))
  .map(([t, style]) => {
    const units = 9950 + t; // 99.51 .. 100.10
    if (style === 'padded') return (units / 100).toFixed(4);
    if (style === 'exponent') return `${units}e-2`;
    if (style === 'tiny') return `0.0000000${units}`;
    return String(units / 100);
  });
const sizeText = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('0', '0.000', '0e0') },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 10 ** 9 }).map((n) => (n / 10 ** 4).toFixed(8)) },
  { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 10n ** 30n }).map((n) => `${n}.5`) },
);
const side = fc.constantFrom<Side>('bid', 'ask');
const level = fc.tuple(priceText, sizeText.filter((s) => compareDecimal(s, '0') !== 0));
const stream = fc.record({
  depth: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
  // Small hot windows move levels between the flat array and the tree all the time.
  hotLevels: fc.constantFrom(4, 5, 8, 128),
  bids: fc.array(level, { maxLength: 30 }),
  asks: fc.array(level, { maxLength: 30 }),
  deltas: fc.array(fc.tuple(side, priceText, sizeText), { maxLength: 200 }),
});

describe('OrderBook against a naive model', () => {
  it('agrees on best levels after every step, on every level at the end, and on crossing', () => {
    fc.assert(
      fc.property(stream, ({ depth, hotLevels, bids, asks, deltas }) => {
        const book = new OrderBook({ depth, hotLevels });
        const model = new ModelBook(depth);
        book.applySnapshot({ bids, asks });
        model.snapshot(bids, asks);
        for (const [s, price, size] of deltas) {
          const bestBefore = s === 'bid' ? book.bestBid() : book.bestAsk();
          const changed = book.applyDelta(s, price, size);
          model.delta(s, price, size);
          expect(book.bestBid()).toEqual(model.sorted('bid')[0]);
          expect(book.bestAsk()).toEqual(model.sorted('ask')[0]);
          expect(book.isCrossed()).toBe(model.crossed());
          const bestAfter = s === 'bid' ? book.bestBid() : book.bestAsk();
          // true exactly when what a reader sees of the best level changed
          expect(changed).toBe(JSON.stringify(bestAfter) !== JSON.stringify(bestBefore));
        }
        expect(book.top('bid', 1000)).toEqual(model.sorted('bid'));
        expect(book.top('ask', 1000)).toEqual(model.sorted('ask'));
        expect(book.levelCount()).toBe(model.sides.bid.size + model.sides.ask.size);
        expect(book.missingRemovals).toBe(model.missingRemovals);
      }),
      { numRuns: 500 },
    );
  });

  it('a snapshot after any history leaves exactly the snapshot', () => {
    fc.assert(
      fc.property(stream, level, ({ hotLevels, bids, asks, deltas }, extra) => {
        const book = new OrderBook({ hotLevels });
        for (const [s, price, size] of deltas) book.applyDelta(s, price, size);
        book.applySnapshot({ bids, asks: [...asks, extra] });
        const model = new ModelBook();
        model.snapshot(bids, [...asks, extra]);
        expect(book.top('bid', 1000)).toEqual(model.sorted('bid'));
        expect(book.top('ask', 1000)).toEqual(model.sorted('ask'));
      }),
      { numRuns: 200 },
    );
  });
});

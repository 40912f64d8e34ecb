import { describe, expect, it } from 'vitest';
import { OrderBook } from './order-book.js';

function bookOf(bids: [string, string][], asks: [string, string][]): OrderBook {
  const book = new OrderBook();
  book.applySnapshot({ bids, asks });
  return book;
}

describe('OrderBook', () => {
  it('keeps both sides sorted best first, with the venue text unchanged', () => {
    const book = bookOf(
      [
        ['100.10', '1.500'],
        ['100.30', '0.25'],
        ['99', '3'],
      ],
      [
        ['100.50', '2.0'],
        ['101', '0.00100000'],
      ],
    );
    expect(book.bestBid()).toEqual({ price: '100.30', size: '0.25' });
    expect(book.bestAsk()).toEqual({ price: '100.50', size: '2.0' });
    expect(book.top('bid', 10)).toEqual([
      { price: '100.30', size: '0.25' },
      { price: '100.10', size: '1.500' },
      { price: '99', size: '3' },
    ]);
    expect(book.top('ask', 1)).toEqual([{ price: '100.50', size: '2.0' }]);
    expect([...book.levels('ask')].map((l) => l.size)).toEqual(['2.0', '0.00100000']);
    expect(book.levelCount()).toBe(5);
    expect(book.levelCount('bid')).toBe(3);
  });

  it('a snapshot replaces everything: no ghost levels', () => {
    const book = bookOf([['10', '1'], ['9', '1']], [['11', '1']]);
    book.applySnapshot({ bids: [['8', '2']], asks: [['12', '2']] });
    expect(book.top('bid', 10)).toEqual([{ price: '8', size: '2' }]);
    expect(book.top('ask', 10)).toEqual([{ price: '12', size: '2' }]);
    expect(book.sizeAt('bid', '10')).toBeUndefined();
    expect(book.sizeAt('bid', '8.0')).toBe('2');
    expect(book.sizeAt('ask', 'not a price')).toBeUndefined();
  });

  it('deltas insert, update and remove levels, and say when the best changed', () => {
    const book = bookOf([['10', '1']], [['11', '1']]);
    expect(book.applyDelta('bid', '9.5', '2')).toBe(false);
    expect(book.applyDelta('bid', '10.5', '2')).toBe(true);
    expect(book.bestBid()).toEqual({ price: '10.5', size: '2' });
    expect(book.applyDelta('bid', '10.5', '3')).toBe(true);
    expect(book.bestBid()).toEqual({ price: '10.5', size: '3' });
    expect(book.applyDelta('bid', '10.5', '0')).toBe(true);
    expect(book.bestBid()).toEqual({ price: '10', size: '1' });
    expect(book.applyDelta('bid', '9.5', '0.000')).toBe(false);
    expect(book.top('bid', 5)).toEqual([{ price: '10', size: '1' }]);
  });

  it('removing a level that is not there is a counted no-op', () => {
    const book = bookOf([['10', '1']], [['11', '1']]);
    expect(book.applyDelta('ask', '12', '0')).toBe(false);
    expect(book.applyDelta('bid', '10.25', '0')).toBe(false);
    expect(book.missingRemovals).toBe(2);
    expect(book.levelCount()).toBe(2);
  });

  it('treats texts of equal value as one level and keeps the latest text', () => {
    const book = bookOf([['100.10', '1']], []);
    book.applyDelta('bid', '100.1', '2');
    expect(book.levelCount('bid')).toBe(1);
    expect(book.top('bid', 1)).toEqual([{ price: '100.1', size: '2' }]);
  });

  it('keeps text that is not plain exactly as written', () => {
    const book = new OrderBook();
    book.applyDelta('ask', '1e-8', '5E+3');
    book.applyDelta('ask', '0.00000002', '123456789012345678.123');
    book.applyDelta('ask', '.00000003', '7');
    expect(book.top('ask', 3)).toEqual([
      { price: '1e-8', size: '5E+3' },
      { price: '0.00000002', size: '123456789012345678.123' },
      { price: '.00000003', size: '7' },
    ]);
    // A later plain write of the same price replaces the written text.
    book.applyDelta('ask', '0.00000001', '4');
    expect(book.top('ask', 1)).toEqual([{ price: '0.00000001', size: '4' }]);
    book.applyDelta('ask', '0.00000002', '0');
    expect(book.levelCount('ask')).toBe(2);
  });

  it('rejects malformed text and changes nothing', () => {
    const book = bookOf([['10', '1']], [['11', '1']]);
    for (const [price, size] of [
      ['abc', '1'],
      ['10', 'x'],
      ['-10', '1'],
      ['10', '-1'],
      ['', '1'],
      ['10', ''],
      ['1e400', '1'],
    ] as const) {
      expect(() => book.applyDelta('bid', price, size)).toThrow(RangeError);
    }
    expect(() => book.applyDelta('middle' as 'bid', '1', '1')).toThrow("side must be 'bid' or 'ask'");
    expect(book.top('bid', 10)).toEqual([{ price: '10', size: '1' }]);
  });

  it('a malformed snapshot leaves an empty book', () => {
    const book = bookOf([['10', '1']], [['11', '1']]);
    expect(() => book.applySnapshot({ bids: [['9', '1']], asks: [['bad', '1']] })).toThrow(RangeError);
    expect(book.levelCount()).toBe(0);
    expect(book.bestBid()).toBeUndefined();
  });

  it('detects a crossed (or locked) book', () => {
    const book = bookOf([['10', '1']], [['11', '1']]);
    expect(book.isCrossed()).toBe(false);
    book.applyDelta('bid', '11', '1');
    expect(book.isCrossed()).toBe(true);
    book.applyDelta('bid', '11', '0');
    book.applyDelta('ask', '9.99', '1');
    expect(book.isCrossed()).toBe(true);
    book.clear();
    expect(book.isCrossed()).toBe(false);
    book.applyDelta('ask', '1', '1');
    expect(book.isCrossed()).toBe(false);
  });

  it('with a depth limit keeps only the best N levels per side', () => {
    const book = new OrderBook({ depth: 2 });
    book.applySnapshot({ bids: [['10', '1'], ['9', '1'], ['8', '1']], asks: [['11', '1'], ['12', '1'], ['13', '1']] });
    expect(book.top('bid', 5).map((l) => l.price)).toEqual(['10', '9']);
    expect(book.top('ask', 5).map((l) => l.price)).toEqual(['11', '12']);
    expect(book.applyDelta('bid', '7', '1')).toBe(false);
    expect(book.levelCount('bid')).toBe(2);
    expect(book.applyDelta('bid', '10.5', '1')).toBe(true);
    expect(book.top('bid', 5).map((l) => l.price)).toEqual(['10.5', '10']);
    expect(() => new OrderBook({ depth: 0 })).toThrow('depth must be a positive integer');
    expect(() => new OrderBook({ hotLevels: 2 })).toThrow('hotLevels must be an integer from 4 to 65536');
  });

  it('with deferTrim keeps a venue window through a message that inserts before it deletes', () => {
    // A top-2 venue (asks 11, 12) sends "10.5 appears, 11 leaves", in that order: its window is
    // now 10.5, 12. Trimmed per level, 10.5 pushes 12 out and the venue never sends 12 again.
    const message = (book: OrderBook) => {
      book.applySnapshot({ bids: [['10', '1']], asks: [['11', '1'], ['12', '1']] });
      book.applyDelta('ask', '10.5', '1');
      book.applyDelta('ask', '11', '0');
    };
    const perLevel = new OrderBook({ depth: 2 });
    message(perLevel);
    expect(perLevel.top('ask', 5).map((l) => l.price)).toEqual(['10.5']);
    const deferred = new OrderBook({ depth: 2, deferTrim: true });
    message(deferred);
    deferred.trim();
    expect(deferred.top('ask', 5).map((l) => l.price)).toEqual(['10.5', '12']);
    // trim() removes what lies beyond the depth.
    deferred.applyDelta('ask', '13', '1');
    expect(deferred.levelCount('ask')).toBe(3);
    deferred.trim();
    expect(deferred.top('ask', 5).map((l) => l.price)).toEqual(['10.5', '12']);
  });

  it('reuses freed slots without mixing up levels', () => {
    const book = new OrderBook();
    for (let round = 0; round < 3; round++) {
      for (let i = 1; i <= 200; i++) book.applyDelta('ask', `${i}.${round}`, `${i * 2}.5`);
      for (let i = 1; i <= 200; i += 2) book.applyDelta('ask', `${i}.${round}`, '0');
    }
    const levels = book.top('ask', 1000);
    expect(levels).toHaveLength(300);
    for (const level of levels) {
      const i = Number(level.price.split('.')[0]);
      expect(level.size).toBe(`${i * 2}.5`);
      expect(i % 2).toBe(0);
    }
    expect(book.bestAsk()).toEqual({ price: '2.0', size: '4.5' });
  });
});

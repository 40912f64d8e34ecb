import { describe, expect, it } from 'vitest';
import { ladder, priceText, sizeOf } from './test-book.js';

describe('test books', () => {
  it('three levels a side, one tick apart, sizes 1, 2, 3 from the top', () => {
    expect(ladder({ bid: 100, ask: 100.1, tick: 0.1 })).toEqual({
      bids: [
        ['100.00', '1'],
        ['99.90', '2'],
        ['99.80', '3'],
      ],
      asks: [
        ['100.10', '1'],
        ['100.20', '2'],
        ['100.30', '3'],
      ],
    });
    expect(priceText(2000.5)).toBe('2000.50');
    expect([sizeOf(101), sizeOf(102)]).toEqual(['101.5', '102.5']);
  });
});

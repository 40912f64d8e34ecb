/**
 * The checksum rule (spec §6) on books built here. The recordings (docs example, ALGO/USD v2, every
 * update of the legacy v1 recording) are checked in test/conformance.test.ts.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { OrderBook } from '@level4/orderbook';
import { describe, expect, it } from 'vitest';
import { bookChecksum, checksumText, crc32, verifyChecksum } from './checksum.js';

describe('crc32', () => {
  it('is the zlib CRC-32, unsigned', () => {
    for (const text of ['', 'a', '123456789', '12307600000000001230840421191951712312102845389100']) {
      expect(crc32(text)).toBe(zlibCrc32(text));
    }
    expect(crc32('123456789')).toBe(0xcbf43926);
  });
});

describe('book checksum', () => {
  it('drops "." and leading zeros of each text, asks first, best first, 10 levels a side', () => {
    const book = new OrderBook();
    book.applySnapshot({
      bids: Array.from({ length: 12 }, (_, i) => [`0.${(90 - i).toString().padStart(4, '0')}0`, '0.00100000'] as const),
      asks: [['1.5', '10.0']],
    });
    const text = checksumText(book);
    expect(text.startsWith('15100')).toBe(true);
    expect(text.slice(5, 5 + 9)).toBe('900100000'); // 0.00900 -> 900, 0.00100000 -> 100000
    expect(text.match(/100000/g)).toHaveLength(10);
    expect(bookChecksum(book)).toBe(zlibCrc32(text));
    expect(verifyChecksum(book, String(bookChecksum(book)))).toBe(true);
    expect(verifyChecksum(book, bookChecksum(book) ^ 1)).toBe(false);
  });

  it('an empty book is the CRC of nothing', () => {
    expect(bookChecksum(new OrderBook())).toBe(0);
  });
});

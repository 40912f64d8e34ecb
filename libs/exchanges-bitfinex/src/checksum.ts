import type { VenueAdapter } from '@level4/feed';

/** The book the engine hands to `verify` (an `@level4/orderbook` OrderBook). */
export type CheckedBook = Parameters<NonNullable<VenueAdapter['verify']>>[0];

/** Levels per side the checksum covers (spec §6). */
export const CHECKSUM_LEVELS = 25;

const TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC32 (IEEE) of text, as a signed 32-bit integer, the way Bitfinex sends it. */
export function crc32(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  let crc = -1;
  for (let i = 0; i < bytes.length; i++) crc = (TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ -1) | 0;
}

/**
 * The checksum string of a book (spec §6): for i = 0..24, the i-th bid's price and amount, then the
 * i-th ask's price and amount (negative), each side's levels while it has them, joined by `:`.
 * Prices and sizes are the text the venue wrote (the book keeps it); ask sizes get their `-` back.
 */
export function checksumText(book: CheckedBook): string {
  const bids = book.top('bid', CHECKSUM_LEVELS);
  const asks = book.top('ask', CHECKSUM_LEVELS);
  const parts: string[] = [];
  const n = Math.max(bids.length, asks.length);
  for (let i = 0; i < n; i++) {
    const bid = bids[i];
    if (bid !== undefined) parts.push(bid.price, bid.size);
    const ask = asks[i];
    if (ask !== undefined) parts.push(ask.price, `-${ask.size}`);
  }
  return parts.join(':');
}

/** Whether the book's top 25 levels give the venue's `cs` value. */
export function verifyChecksum(book: CheckedBook, check: number | string): boolean {
  return crc32(checksumText(book)) === Number(check);
}

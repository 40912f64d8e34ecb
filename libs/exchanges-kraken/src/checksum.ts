/**
 * Kraken's book checksum (spec §6, the same rule for spot v2 and legacy v1): CRC32 of the top 10
 * asks (best first), then the top 10 bids (best first), each level written as its price text then
 * its size text with the `.` removed and the leading zeros dropped. The texts are the venue's own
 * (the book keeps them as written): a float round-trip loses trailing zeros and the checksum fails.
 */

/** The part of an order book the checksum reads (`OrderBook` of @level4/orderbook has it). */
export interface ChecksumBook {
  top(side: 'bid' | 'ask', n: number): readonly { readonly price: string; readonly size: string }[];
}

/** Levels per side the checksum covers. */
export const CHECKSUM_LEVELS = 10;

/** CRC-32 (ISO-HDLC / zlib, reflected polynomial 0xEDB88320), one entry per byte value. */
const TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** Feeds one price or size text into a running CRC: `.` skipped, leading zeros skipped. */
function feed(crc: number, text: string): number {
  let leading = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) continue;
    if (leading) {
      if (c === 48) continue;
      leading = false;
    }
    crc = (TABLE[(crc ^ c) & 0xff] as number) ^ (crc >>> 8);
  }
  return crc;
}

/** CRC32 of ASCII text, unsigned (what Kraken sends as `checksum`). */
export function crc32(text: string): number {
  let crc = -1;
  for (let i = 0; i < text.length; i++) crc = (TABLE[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** The checksum of a book as it stands: top 10 asks, then top 10 bids. No string is built. */
export function bookChecksum(book: ChecksumBook): number {
  let crc = -1;
  for (const level of book.top('ask', CHECKSUM_LEVELS)) crc = feed(feed(crc, level.price), level.size);
  for (const level of book.top('bid', CHECKSUM_LEVELS)) crc = feed(feed(crc, level.price), level.size);
  return (crc ^ -1) >>> 0;
}

/** The text the checksum is taken of (for tests and for looking at a mismatch). */
export function checksumText(book: ChecksumBook): string {
  const part = (text: string) => text.replace('.', '').replace(/^0+/, '');
  let out = '';
  for (const side of ['ask', 'bid'] as const) for (const level of book.top(side, CHECKSUM_LEVELS)) out += part(level.price) + part(level.size);
  return out;
}

/** The adapter's `verify`: does the book match the venue's checksum (number, or its decimal text)? */
export function verifyChecksum(book: ChecksumBook, check: number | string): boolean {
  const expected = typeof check === 'number' ? check : Number(check);
  return bookChecksum(book) === expected;
}

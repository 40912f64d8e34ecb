/**
 * The checksum on real data: the docs' v2 example, the ALGO/USD v2 recording, and every update of
 * the legacy v1 recording (spec §6: v1 uses the identical string rule; its levels are text already).
 */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { join } from 'node:path';
import { OrderBook } from '@level4/orderbook';
import { capturesDir, readCapture } from '@level4/replay';
import { describe, expect, it } from 'vitest';
import { bookChecksum, checksumText, crc32, verifyChecksum } from './checksum.js';
import { parseFrame } from './parse.js';

const dir = capturesDir(import.meta.dirname);

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

describe.skipIf(dir === undefined)('checksums of the recordings', () => {
  /** Parses a v2 capture's book frames and applies them as the engine would, checking each checksum. */
  async function v2(file: string): Promise<{ checks: number; texts: string[] }> {
    const capture = await readCapture(join(dir!, 'kraken', file));
    const book = new OrderBook({ depth: 1000 });
    let checks = 0;
    const texts: string[] = [];
    for (const line of capture.filter((l) => l.dir === 'recv')) {
      for (const m of parseFrame(line.data!, 'spot')) {
        if (m.kind === 'snapshot') book.applySnapshot(m);
        else if (m.kind === 'delta') for (const [side, list] of [['bid', m.bids], ['ask', m.asks]] as const) for (const [p, q] of list) book.applyDelta(side, p, q);
        else continue;
        expect(verifyChecksum(book, m.check!)).toBe(true);
        texts.push(checksumText(book));
        checks++;
      }
    }
    return { checks, texts };
  }

  it('the docs example snapshot (BTC/USD): 3310070434', async () => {
    const { checks, texts } = await v2('kraken_spot_v2_docs-example_book_snapshot.jsonl');
    expect(checks).toBe(1);
    expect(texts[0]!.startsWith('452852100000')).toBe(true);
    expect(crc32(texts[0]!)).toBe(3310070434);
  });

  it('the ALGO/USD v2 recording: snapshot 2375857985, then update 1100635717 (spec §6 strings)', async () => {
    const { checks, texts } = await v2('kraken_spot_v2_2024-10-03_book10_ALGOUSD.jsonl');
    expect(checks).toBe(2);
    const asks =
      '12307600000000001230840421191951712312102845389100012314161550888529912315518605778473123163282824000000123177751657185821231832298820000001231918646689960012322471899755630';
    const bids =
      '12291270396277629912290813633288180122871098420817349122832802705025639122809705600000001227915215535227141227540670000000012274306393994910912268253196119986122671629900000000';
    expect(texts[0]).toBe(asks + bids);
    expect(crc32(texts[0]!)).toBe(2375857985);
    expect(texts[1]).toBe(asks + bids.replace('1227540670000000', '1227565975173116'));
    expect(crc32(texts[1]!)).toBe(1100635717);
  });

  /**
   * The v1 recording is the legacy API (arrays, text levels, channel ids), which this adapter does
   * not speak; its checksums follow the same rule. Its frames are read here with a few lines of v1
   * parsing, applied in array order to an OrderBook of depth 1000 (the subscribed depth), and every
   * update's `c` is compared with `bookChecksum` of the book.
   */
  it('the v1 recording (XMR/USD, ETH/CHF, depth 1000): all 1,163 update checksums recompute', async () => {
    const capture = await readCapture(join(dir!, 'kraken', 'kraken_spot_v1_2021-04-17_book1000_XMRUSD_ETHCHF.jsonl'));
    const books = new Map<string, OrderBook>();
    let checks = 0;
    let mismatches = 0;
    const perPair = new Map<string, number>();
    type V1Side = Record<string, [string, string, ...string[]][] | string>;
    for (const line of capture.filter((l) => l.dir === 'recv')) {
      const frame = JSON.parse(line.data!) as unknown;
      if (!Array.isArray(frame)) continue;
      const pair = frame.at(-1) as string;
      const parts = frame.slice(1, -2) as V1Side[];
      let book = books.get(pair);
      if ('as' in parts[0]! || 'bs' in parts[0]!) {
        book = new OrderBook({ depth: 1000 });
        books.set(pair, book);
        book.applySnapshot({ bids: parts[0]!['bs'] as [string, string][], asks: parts[0]!['as'] as [string, string][] });
        continue;
      }
      let check: string | undefined;
      for (const part of parts) {
        for (const [key, side] of [['a', 'ask'], ['b', 'bid']] as const) {
          const list = part[key];
          if (Array.isArray(list)) for (const [price, size] of list) book!.applyDelta(side, price, size);
        }
        if (typeof part['c'] === 'string') check = part['c'];
      }
      if (check === undefined) continue;
      checks++;
      perPair.set(pair, (perPair.get(pair) ?? 0) + 1);
      if (!verifyChecksum(book!, check)) mismatches++;
    }
    expect(checks).toBe(1163);
    expect(mismatches).toBe(0);
    expect([...perPair.keys()].sort()).toEqual(['ETH/CHF', 'XMR/USD']);
  });
});

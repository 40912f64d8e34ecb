/**
 * A long Binance spot session from a short recording: the recorded session, then its frames after
 * the last REST snapshot again and again ("laps"), renumbered so that each lap continues the last
 * one (depth update ids chain on, bookTicker and aggTrade ids move with them, event times move on).
 * Before each lap, one depth update per symbol puts the book back to its state at the start of the
 * lap, so every lap rebuilds exactly the books of the recording (never crossed, same top checks).
 */
import type { CaptureLine } from '@level4/replay';

type Levels = [string, string][];
interface Depth { e: 'depthUpdate'; E: number; s: string; U: number; u: number; b: Levels; a: Levels }
interface Frame { stream: string; data: Record<string, unknown> }

type Book = { bids: Map<string, string>; asks: Map<string, string> };

const apply = (side: Map<string, string>, levels: Levels) => {
  for (const [price, size] of levels) {
    if (Number(size) === 0) side.delete(price);
    else side.set(price, size);
  }
};

/** The depth update that turns side `from` into side `to`. */
function diff(from: Map<string, string>, to: Map<string, string>): Levels {
  const out: Levels = [];
  for (const price of from.keys()) if (!to.has(price)) out.push([price, '0.00000000']);
  for (const [price, size] of to) if (from.get(price) !== size) out.push([price, size]);
  return out;
}

/** Appends laps until the session has at least `minFrames` recv frames. */
export function loopedCapture(capture: readonly CaptureLine[], minFrames: number): { capture: CaptureLine[]; frames: number; laps: number } {
  let lastGet = -1;
  const books = new Map<string, Book>();
  const snapshotId = new Map<string, number>();
  capture.forEach((line, i) => {
    if (line.kind === 'http' && line.dir === 'get' && line.url.includes('/depth?')) {
      lastGet = i;
      const symbol = new URL(line.url).searchParams.get('symbol')!;
      const snap = JSON.parse(line.data ?? '{}') as { lastUpdateId: number; bids: Levels; asks: Levels };
      const book: Book = { bids: new Map(), asks: new Map() };
      apply(book.bids, snap.bids);
      apply(book.asks, snap.asks);
      books.set(symbol, book);
      snapshotId.set(symbol, snap.lastUpdateId);
    }
  });
  const ws = capture.filter((l) => l.kind === 'ws' && l.dir === 'recv');
  const url = ws[0]?.url;
  if (url === undefined || lastGet < 0) throw new Error('loopedCapture: a Binance spot session with REST snapshots is needed');
  // The books at the start of the lap: the snapshots with the deltas recorded between them and the lap.
  const lastU = new Map<string, number>(snapshotId);
  const lap: { t: number; frame: Frame }[] = [];
  for (const [i, line] of capture.entries()) {
    if (line.kind !== 'ws' || line.dir !== 'recv') continue;
    const frame = JSON.parse(line.data ?? '{}') as Frame;
    if (i > lastGet) {
      lap.push({ t: line.t, frame });
      continue;
    }
    const d = frame.data as unknown as Depth;
    const book = books.get(d.s);
    if (d.e === 'depthUpdate' && book && d.u > (lastU.get(d.s) ?? Infinity)) {
      apply(book.bids, d.b);
      apply(book.asks, d.a);
      lastU.set(d.s, d.u);
    }
  }
  const start = new Map([...books].map(([s, b]) => [s, { bids: new Map(b.bids), asks: new Map(b.asks) }]));
  for (const { frame } of lap) {
    const d = frame.data as unknown as Depth;
    const book = books.get(d.s);
    if (d.e === 'depthUpdate' && book) {
      apply(book.bids, d.b);
      apply(book.asks, d.a);
    }
  }
  const end = books;
  const firstU = new Map<string, number>();
  const lastUpdate = new Map<string, number>();
  let tradeMin = Infinity;
  let tradeMax = -Infinity;
  for (const { frame } of lap) {
    const d = frame.data as unknown as Depth & { a: unknown };
    if (d.e === 'depthUpdate') {
      if (!firstU.has(d.s)) firstU.set(d.s, d.U);
      lastUpdate.set(d.s, d.u);
    }
    if (frame.data['e'] === 'aggTrade') {
      tradeMin = Math.min(tradeMin, frame.data['a'] as number);
      tradeMax = Math.max(tradeMax, frame.data['a'] as number);
    }
  }
  const span = lap.length > 0 ? lap.at(-1)!.t - lap[0].t + 100 : 100;
  const out = [...capture];
  let frames = ws.length;
  let laps = 0;
  // Per symbol: the last update id sent, and the shift of the ids of the current lap.
  const sentU = new Map<string, number>(lastUpdate);
  const tEnd = capture.at(-1)!.t;
  while (frames < minFrames && lap.length > 0) {
    laps++;
    const shiftT = Math.round(laps * span);
    const offset = new Map<string, number>();
    for (const [symbol, u] of sentU) {
      const reset = u + 1;
      const e = start.get(symbol)!;
      const f = end.get(symbol)!;
      const data: Depth = { e: 'depthUpdate', E: Math.round(lap[0].t + shiftT), s: symbol, U: reset, u: reset, b: diff(f.bids, e.bids), a: diff(f.asks, e.asks) };
      out.push({ t: tEnd + shiftT - 1, kind: 'ws', dir: 'recv', url, data: JSON.stringify({ stream: `${symbol.toLowerCase()}@depth@100ms`, data }) });
      frames++;
      offset.set(symbol, reset - (firstU.get(symbol) ?? reset) + 1);
      sentU.set(symbol, reset);
    }
    for (const { t, frame } of lap) {
      const data = { ...frame.data };
      const symbol = data['s'] as string;
      const shift = offset.get(symbol) ?? 0;
      if (typeof data['E'] === 'number') data['E'] = (data['E'] as number) + shiftT;
      if (data['e'] === 'depthUpdate') {
        data['U'] = sentU.get(symbol)! + 1;
        data['u'] = (data['u'] as number) + shift;
        sentU.set(symbol, data['u'] as number);
      } else if (data['e'] === 'aggTrade') {
        data['a'] = (data['a'] as number) + laps * (tradeMax - tradeMin + 1);
        if (typeof data['T'] === 'number') data['T'] = (data['T'] as number) + shiftT;
      } else if (frame.stream.endsWith('@bookTicker')) {
        data['u'] = (data['u'] as number) + shift;
      }
      out.push({ t: tEnd + shiftT + (t - lap[0].t), kind: 'ws', dir: 'recv', url, data: JSON.stringify({ stream: frame.stream, data }) });
      frames++;
    }
  }
  return { capture: out, frames, laps };
}

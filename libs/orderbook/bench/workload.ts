/**
 * A seeded, reproducible BTC-like order book workload: a snapshot and a long stream of deltas
 * generated against a model of the book, so every removal hits a level that exists.
 */
import type { Rng } from '@level4/tools-bench';
import type { Side } from './baseline-books.js';

/** Prices are integer ticks of 0.01; the book starts around 67,000.00. */
export const TICK_DECIMALS = 2;
const START_BEST_BID = 6_699_999; // 66999.99
const START_BEST_ASK = 6_700_000; // 67000.00

export interface WorkloadOptions {
  /** Levels per side in the snapshot, and the size the stream keeps each side at. */
  readonly levelsPerSide: number;
  /** Number of deltas in the stream. */
  readonly deltas: number;
  /** "Near the top" means within this many levels of the best (default 50). */
  readonly nearLevels?: number;
  /** Share of deltas near the top (default 0.9). */
  readonly nearShare?: number;
  /** Share of deltas that remove an existing level (default 0.25). */
  readonly removeShare?: number;
  /** Record the model's top levels after this many deltas, to check books against (default none). */
  readonly probeAt?: number;
}

/** A snapshot as text: [price, size] pairs, best first. */
export interface TextSnapshot {
  readonly bids: Array<[string, string]>;
  readonly asks: Array<[string, string]>;
}

/** The model's state after {@link WorkloadOptions.probeAt} deltas. */
export interface Probe {
  readonly at: number;
  readonly bidCount: number;
  readonly askCount: number;
  /** Prices of the best 20 levels, best first. */
  readonly bidTop: string[];
  readonly askTop: string[];
}

export interface WorkloadStats {
  removals: number;
  inserts: number;
  updates: number;
  near: number;
  /** Deltas that changed the best price or the best size of their side. */
  touchedBest: number;
  minLevelsPerSide: number;
  maxLevelsPerSide: number;
  finalBidLevels: number;
  finalAskLevels: number;
  maxSpreadTicks: number;
  meanSpreadTicks: number;
  minBestBid: string;
  maxBestBid: string;
}

export interface Workload {
  readonly levelsPerSide: number;
  readonly snapshot: TextSnapshot;
  readonly length: number;
  /** 0 = bid, 1 = ask. */
  readonly sides: Uint8Array;
  readonly prices: string[];
  readonly sizes: string[];
  readonly probe: Probe | undefined;
  readonly stats: WorkloadStats;
}

/** A fresh string for a price in ticks, e.g. 6700012 -> "67000.12". */
export function priceText(ticks: number): string {
  const whole = Math.floor(ticks / 100);
  const cents = ticks - whole * 100;
  return `${whole}.${cents < 10 ? '0' : ''}${cents}`;
}

/** A fresh string for a size in units of 1e-8, with 8 decimals, e.g. 1234000 -> "0.01234000". */
export function sizeText(units: number): string {
  const whole = Math.floor(units / 1e8);
  const frac = String(units - whole * 1e8);
  return `${whole}.${'00000000'.slice(frac.length)}${frac}`;
}

/** A size as venues show it: mostly small, 5 significant decimals, some bigger orders. */
export function randomSizeUnits(rng: Rng): number {
  // units of 1e-8 BTC, multiples of 1000: "0.01234000"
  return rng.chance(0.85) ? rng.range(1, 250_000) * 1000 : rng.range(250_000, 5_000_000) * 1000;
}

/**
 * One side of the model. Keys are ascending with the best level LAST, so work near the top splices
 * the end of the array: bids are keyed by ticks, asks by -ticks.
 */
class ModelSide {
  readonly keys: number[] = [];
  constructor(readonly side: Side) {}

  get length(): number {
    return this.keys.length;
  }
  get bestTicks(): number {
    return this.toTicks(this.keys[this.keys.length - 1]!);
  }
  toTicks(key: number): number {
    return this.side === 'bid' ? key : -key;
  }
  toKey(ticks: number): number {
    return this.side === 'bid' ? ticks : -ticks;
  }
  /** Ticks of the level `rank` places from the best (0 = best). */
  ticksAtRank(rank: number): number {
    return this.toTicks(this.keys[this.keys.length - 1 - rank]!);
  }
  removeRank(rank: number): number {
    const [key] = this.keys.splice(this.keys.length - 1 - rank, 1);
    return this.toTicks(key!);
  }
  private lowerBound(key: number): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  has(ticks: number): boolean {
    const key = this.toKey(ticks);
    const i = this.lowerBound(key);
    return i < this.keys.length && this.keys[i] === key;
  }
  /** Inserts a level that is not there yet. */
  insert(ticks: number): void {
    const key = this.toKey(ticks);
    this.keys.splice(this.lowerBound(key), 0, key);
  }
  topTexts(n: number): string[] {
    const out: string[] = [];
    for (let r = 0; r < n && r < this.keys.length; r++) out.push(priceText(this.ticksAtRank(r)));
    return out;
  }
}

/**
 * The snapshot: bids below 67,000.00 and asks from it up, one tick apart with random gaps (a fifth
 * of the steps skip 1-3 ticks).
 */
function buildModelSnapshot(rng: Rng, levelsPerSide: number): { bid: ModelSide; ask: ModelSide } {
  const bid = new ModelSide('bid');
  const ask = new ModelSide('ask');
  const step = (): number => (rng.chance(0.2) ? 1 + rng.range(1, 3) : 1);
  // Keys ascending, best last: build from the worst level towards the best.
  const bidTicks: number[] = [];
  const askTicks: number[] = [];
  for (let i = 0, t = START_BEST_BID; i < levelsPerSide; i++, t -= step()) bidTicks.push(t);
  for (let i = 0, t = START_BEST_ASK; i < levelsPerSide; i++, t += step()) askTicks.push(t);
  for (let i = levelsPerSide - 1; i >= 0; i--) bid.keys.push(bid.toKey(bidTicks[i]!));
  for (let i = levelsPerSide - 1; i >= 0; i--) ask.keys.push(ask.toKey(askTicks[i]!));
  return { bid, ask };
}

/** The snapshot model and its text (fresh strings), best first. */
function buildSnapshot(rng: Rng, levelsPerSide: number): { model: { bid: ModelSide; ask: ModelSide }; text: TextSnapshot } {
  const model = buildModelSnapshot(rng.fork('snapshot'), levelsPerSide);
  const sizes = rng.fork('snapshot sizes');
  const text = (side: ModelSide): Array<[string, string]> => {
    const out: Array<[string, string]> = [];
    for (let r = 0; r < side.length; r++) out.push([priceText(side.ticksAtRank(r)), sizeText(randomSizeUnits(sizes))]);
    return out;
  };
  return { model, text: { bids: text(model.bid), asks: text(model.ask) } };
}

/** Just the snapshot of {@link generateWorkload} with the same generator: fresh strings, best first. */
export function generateSnapshot(rng: Rng, levelsPerSide: number): TextSnapshot {
  return buildSnapshot(rng, levelsPerSide).text;
}

/**
 * The snapshot and a stream of deltas. Per delta: a side (50/50); near the top (nearShare) or deep;
 * then a removal (removeShare), an insert (same share, so the book keeps its size) or an update of
 * an existing level's size (the rest). Near-top removals and updates pick a rank in [0, nearLevels)
 * skewed towards the best (rank = floor(nearLevels * u^2)); near inserts land 0..nearLevels ticks
 * behind the best, or improve the best when the spread leaves room; deep ones pick a rank or a tick
 * uniformly beyond that. When a side drifts more than 2% from its target size, inserts and removals
 * swap roles until it is back, so the stream stays balanced over any length.
 */
export function generateWorkload(rng: Rng, options: WorkloadOptions): Workload {
  const target = options.levelsPerSide;
  const nearLevels = options.nearLevels ?? 50;
  const nearShare = options.nearShare ?? 0.9;
  const removeShare = options.removeShare ?? 0.25;
  const n = options.deltas;
  if (target < nearLevels * 2) throw new RangeError(`levelsPerSide must be at least ${nearLevels * 2}`);

  const { model, text: snapshot } = buildSnapshot(rng, target);

  const r = rng.fork('deltas');
  const sides = new Uint8Array(n);
  const prices: string[] = [];
  const sizes: string[] = [];
  const slack = Math.max(2, Math.round(target * 0.02));
  const stats: WorkloadStats = {
    removals: 0,
    inserts: 0,
    updates: 0,
    near: 0,
    touchedBest: 0,
    minLevelsPerSide: target,
    maxLevelsPerSide: target,
    finalBidLevels: 0,
    finalAskLevels: 0,
    maxSpreadTicks: 0,
    meanSpreadTicks: 0,
    minBestBid: priceText(START_BEST_BID),
    maxBestBid: priceText(START_BEST_BID),
  };
  let spreadSum = 0;
  let minBestBid = START_BEST_BID;
  let maxBestBid = START_BEST_BID;
  let probe: Probe | undefined;
  const nearRank = (): number => Math.floor(nearLevels * r.next() ** 2);
  const deepRank = (side: ModelSide): number => nearLevels + r.int(side.length - nearLevels);

  for (let i = 0; i < n; i++) {
    if (i === options.probeAt) probe = takeProbe(i, model.bid, model.ask);
    const isBid = r.chance(0.5);
    const side = isBid ? model.bid : model.ask;
    const other = isBid ? model.ask : model.bid;
    let near = r.chance(nearShare);
    const roll = r.next();
    let kind: 'remove' | 'insert' | 'update' = roll < removeShare ? 'remove' : roll < 2 * removeShare ? 'insert' : 'update';
    if (kind === 'insert' && side.length > target + slack) kind = 'remove';
    else if (kind === 'remove' && side.length < target - slack) kind = 'insert';

    let ticks = Number.NaN;
    let rank = -1;
    if (kind === 'insert') {
      // Near: a free tick inside the spread (30% when there is room) or between the best and the
      // level at rank nearLevels, not crossing the other side. After 12 misses (packed top), deep.
      const best = side.bestTicks;
      const spread = model.ask.bestTicks - model.bid.bestTicks;
      const nearSpan = Math.abs(side.ticksAtRank(nearLevels) - best);
      const span = Math.abs(side.ticksAtRank(side.length - 1) - best);
      for (let attempt = 0; attempt < 24 && Number.isNaN(ticks); attempt++) {
        if (attempt === 12) near = false;
        const behind = near
          ? spread > 1 && r.chance(0.3)
            ? -r.range(1, spread - 1)
            : r.int(nearSpan + 1)
          : nearSpan + 1 + r.int(Math.max(1, span - nearSpan + 20));
        const candidate = isBid ? best - behind : best + behind;
        const crosses = isBid ? candidate >= other.bestTicks : candidate <= other.bestTicks;
        if (!crosses && candidate > 0 && !side.has(candidate)) ticks = candidate;
      }
      if (Number.isNaN(ticks)) kind = 'update';
    }
    if (kind === 'update' || kind === 'remove') rank = near ? nearRank() : deepRank(side);

    let size: string;
    if (kind === 'remove') {
      if (rank === 0) stats.touchedBest++;
      ticks = side.removeRank(rank);
      size = sizeText(0);
      stats.removals++;
    } else if (kind === 'update') {
      if (rank === 0) stats.touchedBest++;
      ticks = side.ticksAtRank(rank);
      size = sizeText(randomSizeUnits(r));
      stats.updates++;
    } else {
      if (isBid ? ticks > side.bestTicks : ticks < side.bestTicks) stats.touchedBest++;
      side.insert(ticks);
      size = sizeText(randomSizeUnits(r));
      stats.inserts++;
    }
    if (near) stats.near++;
    sides[i] = isBid ? 0 : 1;
    // priceText and sizeText build a fresh string per delta, as a parsed venue frame would.
    prices.push(priceText(ticks));
    sizes.push(size);

    const len = side.length;
    if (len < stats.minLevelsPerSide) stats.minLevelsPerSide = len;
    if (len > stats.maxLevelsPerSide) stats.maxLevelsPerSide = len;
    const spreadNow = model.ask.bestTicks - model.bid.bestTicks;
    spreadSum += spreadNow;
    if (spreadNow > stats.maxSpreadTicks) stats.maxSpreadTicks = spreadNow;
    const bestBid = model.bid.bestTicks;
    if (bestBid < minBestBid) minBestBid = bestBid;
    if (bestBid > maxBestBid) maxBestBid = bestBid;
  }
  if (options.probeAt === n) probe = takeProbe(n, model.bid, model.ask);
  stats.finalBidLevels = model.bid.length;
  stats.finalAskLevels = model.ask.length;
  stats.meanSpreadTicks = n === 0 ? 0 : spreadSum / n;
  stats.minBestBid = priceText(minBestBid);
  stats.maxBestBid = priceText(maxBestBid);
  return { levelsPerSide: target, snapshot, length: n, sides, prices, sizes, probe, stats };
}

function takeProbe(at: number, bid: ModelSide, ask: ModelSide): Probe {
  return { at, bidCount: bid.length, askCount: ask.length, bidTop: bid.topTexts(20), askTop: ask.topTexts(20) };
}

import type { MarketSpec, MarketType } from '@level4/feed';

/** A feed the cluster wants running, and the node that runs it. */
export interface Assignment {
  readonly marketId: number;
  readonly market: MarketSpec;
  /** The node (by name) that runs the feed. */
  readonly node: string;
  /**
   * The offset of the registry record that made this assignment. It grows with every (re)assignment
   * of any feed, so of two nodes that both think they run a market, the higher epoch is the owner.
   */
  readonly epoch: number;
  /** When the assignment was written (µs since the epoch). */
  readonly at: number;
}

/** What a change writes: a feed assigned to a node (started, moved, adopted) or removed (stopped). */
export type RegistryChange =
  | { readonly kind: 'assign'; readonly marketId: number; readonly market: MarketSpec; readonly node: string }
  | { readonly kind: 'remove'; readonly marketId: number };

const TYPES: readonly MarketType[] = ['spot', 'futures', 'inverse'];

/** Record key: the market id in decimal, so compaction keeps one record per market. */
export const keyOf = (marketId: number): string => String(marketId);

/** A key that is not a market id: barriers written to find the end of the log. */
export const isMarketKey = (key: string): boolean => /^(0|[1-9]\d{0,8})$/.test(key);

export function encodeAssignment(change: Extract<RegistryChange, { kind: 'assign' }>, at: number): string {
  const { venue, type, base, quote, symbol } = change.market;
  return JSON.stringify({ v: 1, market: { venue, type, base, quote, ...(symbol === undefined ? {} : { symbol }) }, node: change.node, at });
}

const text = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** The assignment a record's value holds, or an Error saying what is wrong with it. */
export function decodeAssignment(marketId: number, value: string, epoch: number): Assignment | Error {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return new Error('value is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) return new Error('value is not an object');
  const { v, market, node, at } = parsed as Record<string, unknown>;
  if (v !== 1) return new Error(`unknown record version ${JSON.stringify(v)}`);
  if (!text(node)) return new Error('node is missing');
  if (typeof at !== 'number') return new Error('at is missing');
  if (typeof market !== 'object' || market === null) return new Error('market is missing');
  const m = market as Record<string, unknown>;
  if (!text(m.venue) || !TYPES.includes(m.type as MarketType) || typeof m.base !== 'string' || typeof m.quote !== 'string') {
    return new Error('market needs venue, type (spot, futures, inverse), base and quote');
  }
  if (m.symbol !== undefined && !text(m.symbol)) return new Error('market.symbol must be a non-empty string');
  const spec: MarketSpec = { venue: m.venue, type: m.type as MarketType, base: m.base, quote: m.quote, ...(m.symbol === undefined ? {} : { symbol: m.symbol as string }) };
  return { marketId, market: spec, node, epoch, at };
}

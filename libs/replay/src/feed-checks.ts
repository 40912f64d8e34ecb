/**
 * Checks over the events a feed engine published (`replayFeeds(...).events`), for every venue's
 * conformance and fault tests. Pure functions, no test framework: a test asserts on what they return,
 * e.g. `expect(unsoundSpreads(run.events, 1)).toEqual([])`, which prints every offending Spread and why.
 */
import type { FeedEvent, FeedLogger, FeedState, SpreadEvent, StatusEvent, TradeEvent } from '@level4/feed';
import { compareDecimal } from '@level4/orderbook';

/** The market's Status events in order, as `[state, reason]`. */
export function statusStory(events: readonly FeedEvent[], marketId: number): [state: FeedState, reason: string][] {
  return events.filter((e): e is StatusEvent => e.kind === 'status' && e.marketId === marketId).map((e) => [e.state, e.reason]);
}

/** The market's Status states in order (`statusStory` without the reasons), from events or a run. */
export function states(source: readonly FeedEvent[] | { readonly events: readonly FeedEvent[] }, marketId: number): FeedState[] {
  return statusStory('events' in source ? source.events : source, marketId).map(([state]) => state);
}

/** The market's Spread events in order. */
export function spreadsOf(events: readonly FeedEvent[], marketId: number): SpreadEvent[] {
  return events.filter((e): e is SpreadEvent => e.kind === 'spread' && e.marketId === marketId);
}

/** The market's Trade events in order. */
export function tradesOf(events: readonly FeedEvent[], marketId: number): TradeEvent[] {
  return events.filter((e): e is TradeEvent => e.kind === 'trade' && e.marketId === marketId);
}

/**
 * The events (of every market) after the market's `n`-th (1-based) `live` Status; empty when it has
 * not been live `n` times. `spreadsOf(afterLive(events, id, 2), id)`: the Spreads since it came back.
 */
export function afterLive(events: readonly FeedEvent[], marketId: number, n: number): FeedEvent[] {
  let seen = 0;
  for (const [i, e] of events.entries()) {
    if (e.kind === 'status' && e.marketId === marketId && e.state === 'live' && ++seen === n) return events.slice(i + 1);
  }
  return [];
}

export interface UnsoundSpread {
  readonly spread: SpreadEvent;
  readonly why: string;
}

export interface UnsoundSpreadsOptions {
  /**
   * Also report a Spread with an empty side (null bid or ask). Off by default: a correct engine
   * publishes one when a side of the book is empty. Turn it on where every book has both sides.
   */
  readonly bothSides?: boolean;
}

/**
 * Every Spread of the market that a correct engine would never publish, each with why:
 * - emitted while the market's latest Status was not `live` (or before any Status): its book was
 *   broken, syncing or gone;
 * - crossed or locked: bid >= ask (compared exactly, as decimals);
 * - a `sequence` that breaks 1, 2, 3, … (the first Spread must be 1, each next one the previous + 1);
 * - with `bothSides`, a null bid or ask.
 * A Spread wrong in several ways is reported once, its reasons joined by `; `.
 */
export function unsoundSpreads(events: readonly FeedEvent[], marketId: number, options: UnsoundSpreadsOptions = {}): UnsoundSpread[] {
  const out: UnsoundSpread[] = [];
  let state: FeedState | undefined;
  let expected = 1;
  for (const e of events) {
    if (e.marketId !== marketId) continue;
    if (e.kind === 'status') state = e.state;
    if (e.kind !== 'spread') continue;
    const why: string[] = [];
    if (state !== 'live') why.push(state === undefined ? 'published before any Status' : `published while ${state}`);
    if (e.sequence !== expected) why.push(`sequence ${e.sequence} where ${expected} was due`);
    expected = e.sequence + 1;
    if (e.bidPrice !== null && e.askPrice !== null) {
      const order = compareOrUndefined(e.bidPrice, e.askPrice);
      if (order === undefined) why.push(`unreadable price: bid ${JSON.stringify(e.bidPrice)}, ask ${JSON.stringify(e.askPrice)}`);
      else if (order > 0) why.push(`crossed: bid ${e.bidPrice} > ask ${e.askPrice}`);
      else if (order === 0) why.push(`locked: bid ${e.bidPrice} = ask ${e.askPrice}`);
    } else if (options.bothSides) {
      why.push(`empty side: bid ${e.bidPrice}, ask ${e.askPrice}`);
    }
    if (why.length > 0) out.push({ spread: e, why: why.join('; ') });
  }
  return out;
}

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A FeedLogger that keeps every line, in order, in `lines`. */
export function collectingLogger(): FeedLogger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (fields: object, message: string) => void lines.push({ level, message, fields: fields as Record<string, unknown> });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** compareDecimal, with undefined for text that is not a decimal (reported, not thrown). */
function compareOrUndefined(a: string, b: string): -1 | 0 | 1 | undefined {
  try {
    return compareDecimal(a, b);
  } catch {
    return undefined;
  }
}

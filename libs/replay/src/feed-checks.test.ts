import type { FeedEvent, FeedState, SpreadEvent, StatusEvent, TradeEvent } from '@level4/feed';
import { describe, expect, it } from 'vitest';
import { afterLive, collectingLogger, spreadsOf, states, statusStory, tradesOf, unsoundSpreads } from './feed-checks.js';

const ref = (marketId: number) => ({ marketId, venue: 'test', marketType: 'spot' as const, symbol: marketId === 1 ? 'BTCUSDT' : 'ETHUSDT' });

function status(marketId: number, state: FeedState, reason = ''): StatusEvent {
  return { kind: 'status', ...ref(marketId), state, reason, node: '', epoch: 0, time: 0, sequence: 0 };
}

function spread(marketId: number, sequence: number, bid: string | null, ask: string | null): SpreadEvent {
  return {
    kind: 'spread',
    ...ref(marketId),
    bidPrice: bid,
    bidSize: bid === null ? null : '1',
    askPrice: ask,
    askSize: ask === null ? null : '1',
    midPrice: null,
    exchangeTime: 0,
    receiveTime: 0,
    sequence,
  };
}

function trade(marketId: number, sequence: number, tradeId: string): TradeEvent {
  return { kind: 'trade', ...ref(marketId), tradeId, side: 'buy', price: '1', size: '1', exchangeTime: 0, receiveTime: 0, sequence };
}

/** Two markets interleaved; market 1 goes through a resync, every Spread of both is sound. */
const CLEAN: readonly FeedEvent[] = [
  status(1, 'starting'),
  status(2, 'starting'),
  status(1, 'syncing'),
  status(2, 'syncing'),
  status(1, 'live'),
  spread(1, 1, '100.0', '100.1'),
  status(2, 'live'),
  spread(2, 1, '2000', '2000.5'),
  trade(1, 1, 'a'),
  spread(1, 2, '100.05', '100.1'),
  status(1, 'resyncing', 'sequence gap: expected 3, got 4..4'),
  spread(2, 2, '2000.25', '2000.5'),
  trade(1, 2, 'b'),
  status(1, 'live'),
  spread(1, 3, '99.9', '100.10'),
  trade(2, 1, 'c'),
];

describe('feed checks', () => {
  it('a clean story: nothing unsound, and the story, spreads and trades of each market', () => {
    expect(unsoundSpreads(CLEAN, 1)).toEqual([]);
    expect(unsoundSpreads(CLEAN, 2)).toEqual([]);
    expect(unsoundSpreads(CLEAN, 1, { bothSides: true })).toEqual([]);
    expect(unsoundSpreads(CLEAN, 3)).toEqual([]);
    expect(statusStory(CLEAN, 1)).toEqual([
      ['starting', ''],
      ['syncing', ''],
      ['live', ''],
      ['resyncing', 'sequence gap: expected 3, got 4..4'],
      ['live', ''],
    ]);
    expect(statusStory(CLEAN, 2).map(([s]) => s)).toEqual(['starting', 'syncing', 'live']);
    expect(spreadsOf(CLEAN, 1).map((s) => s.sequence)).toEqual([1, 2, 3]);
    expect(spreadsOf(CLEAN, 2).map((s) => s.bidPrice)).toEqual(['2000', '2000.25']);
    expect(tradesOf(CLEAN, 1).map((t) => t.tradeId)).toEqual(['a', 'b']);
    expect(tradesOf(CLEAN, 2).map((t) => t.tradeId)).toEqual(['c']);
  });

  it('afterLive: the events after the n-th live Status of the market, empty when there is none', () => {
    expect(spreadsOf(afterLive(CLEAN, 1, 1), 1).map((s) => s.sequence)).toEqual([1, 2, 3]);
    expect(spreadsOf(afterLive(CLEAN, 1, 2), 1).map((s) => s.sequence)).toEqual([3]);
    expect(afterLive(CLEAN, 1, 2)).toEqual(CLEAN.slice(-2));
    expect(afterLive(CLEAN, 1, 3)).toEqual([]);
    expect(afterLive(CLEAN, 2, 2)).toEqual([]);
  });

  it('a Spread while the latest Status is not live (or before any Status) is reported', () => {
    const before = spread(1, 1, '1', '2');
    const whileResyncing = spread(1, 3, '1', '2');
    const whileStale = spread(1, 4, '1', '2');
    const events: FeedEvent[] = [
      before,
      status(1, 'live'),
      spread(1, 2, '1', '2'),
      status(1, 'resyncing', 'gap'),
      // Another market's live Status does not make market 1 live.
      status(2, 'live'),
      whileResyncing,
      status(1, 'stale', 'no data'),
      whileStale,
      status(1, 'live'),
      spread(1, 5, '1', '2'),
    ];
    expect(unsoundSpreads(events, 1)).toEqual([
      { spread: before, why: 'published before any Status' },
      { spread: whileResyncing, why: 'published while resyncing' },
      { spread: whileStale, why: 'published while stale' },
    ]);
  });

  it('a crossed or locked Spread is reported, compared exactly as decimals', () => {
    const crossed = spread(1, 2, '100.10', '100.09');
    const locked = spread(1, 3, '100.1', '100.10000');
    const events: FeedEvent[] = [
      status(1, 'live'),
      // Close enough to fool a double; still bid < ask.
      spread(1, 1, '0.30000000000000000001', '0.30000000000000000002'),
      crossed,
      locked,
      // Fewer digits on the ask, still greater: no lexical comparison.
      spread(1, 4, '9.99', '10'),
      spread(1, 5, '1e-8', '0.00000002'),
    ];
    expect(unsoundSpreads(events, 1)).toEqual([
      { spread: crossed, why: 'crossed: bid 100.10 > ask 100.09' },
      { spread: locked, why: 'locked: bid 100.1 = ask 100.10000' },
    ]);
  });

  it('a sequence that is not 1, 2, 3, … is reported where it breaks', () => {
    const skipped = spread(1, 3, '1', '2');
    const repeated = spread(1, 3, '1', '2');
    const events: FeedEvent[] = [status(1, 'live'), spread(1, 1, '1', '2'), skipped, spread(1, 4, '1', '2'), repeated];
    expect(unsoundSpreads(events, 1)).toEqual([
      { spread: skipped, why: 'sequence 3 where 2 was due' },
      { spread: repeated, why: 'sequence 3 where 5 was due' },
    ]);
    const late = spread(1, 2, '1', '2');
    expect(unsoundSpreads([status(1, 'live'), late], 1)).toEqual([{ spread: late, why: 'sequence 2 where 1 was due' }]);
  });

  it('an empty side is reported only with bothSides; an unreadable price always', () => {
    const noBid = spread(1, 1, null, '2');
    const noAsk = spread(1, 2, '1', null);
    const garbage = spread(1, 3, '1', 'abc');
    const events: FeedEvent[] = [status(1, 'live'), noBid, noAsk, garbage];
    expect(unsoundSpreads(events, 1)).toEqual([{ spread: garbage, why: 'unreadable price: bid "1", ask "abc"' }]);
    expect(unsoundSpreads(events, 1, { bothSides: true })).toEqual([
      { spread: noBid, why: 'empty side: bid null, ask 2' },
      { spread: noAsk, why: 'empty side: bid 1, ask null' },
      { spread: garbage, why: 'unreadable price: bid "1", ask "abc"' },
    ]);
  });

  it('a Spread wrong in several ways is reported once with every reason', () => {
    const bad = spread(1, 7, '5', '4');
    expect(unsoundSpreads([status(1, 'syncing'), bad], 1)).toEqual([{ spread: bad, why: 'published while syncing; sequence 7 where 1 was due; crossed: bid 5 > ask 4' }]);
  });

  it('collectingLogger keeps every line in order, with its level, message and fields', () => {
    const logger = collectingLogger();
    logger.info({ marketId: 1 }, 'subscribed');
    logger.warn({ frame: 'garbage', markets: [1, 2] }, 'malformed frame');
    logger.error({}, 'boom');
    expect(logger.lines).toEqual([
      { level: 'info', message: 'subscribed', fields: { marketId: 1 } },
      { level: 'warn', message: 'malformed frame', fields: { frame: 'garbage', markets: [1, 2] } },
      { level: 'error', message: 'boom', fields: {} },
    ]);
  });
});

describe('states', () => {
  it("is the market's Status states in order, from events or from a run", () => {
    const events = [status(1, 'starting'), status(2, 'starting'), status(1, 'syncing'), status(1, 'live', 'x'), spread(1, 1, '1', '2')];
    expect(states(events, 1)).toEqual(['starting', 'syncing', 'live']);
    expect(states({ events }, 2)).toEqual(['starting']);
    expect(states({ events }, 3)).toEqual([]);
  });
});

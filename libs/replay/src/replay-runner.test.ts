import type { FeedSpec, VenueAdapter } from '@level4/feed';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { collectingLogger } from './feed-checks.js';
import type { ReplayedFeeds, ReplayFeedsOptions } from './replay-feeds.js';

const calls: ReplayFeedsOptions[] = [];
vi.mock('./replay-feeds.js', () => ({
  replayFeeds: async (options: ReplayFeedsOptions) => {
    calls.push(options);
    return { events: [] } as unknown as ReplayedFeeds;
  },
}));

const { bookSide, clientFrames, replayRunner } = await import('./replay-runner.js');

const BTC: FeedSpec = { id: 1, venue: 'test', type: 'spot', base: 'BTC', quote: 'USDT' };
const ETH: FeedSpec = { id: 2, venue: 'test', type: 'spot', base: 'ETH', quote: 'USDT' };
const adapter = (() => ({}) as VenueAdapter) as (urls: Record<string, string>) => VenueAdapter;
const other = (() => ({}) as VenueAdapter) as (urls: Record<string, string>) => VenueAdapter;
const INSTRUMENTS = { url: '/instruments', body: '[]' };
const capture = [{ t: 1, kind: 'ws', dir: 'open', url: 'wss://x/ws' }] as const;

describe('replayRunner', () => {
  beforeEach(() => void calls.splice(0));

  const run = replayRunner({
    urls: { ws: 'wss://x/ws' },
    adapter,
    markets: [BTC],
    routes: [INSTRUMENTS],
    timing: { reconnectMinMs: 20, resyncTimeoutMs: 300 },
    timeoutMs: 8_000,
    replay: { waitForRequests: true, settleMs: 50 },
  });

  it("fills a run's options from the runner's: markets, routes, timing, timeout, replay options, no faults", async () => {
    await run({ capture: [...capture] });
    expect(calls).toEqual([
      {
        capture,
        urls: { ws: 'wss://x/ws' },
        adapter,
        markets: [BTC],
        replay: { waitForRequests: true, settleMs: 50, routes: [INSTRUMENTS], faults: [] },
        timing: { reconnectMinMs: 20, resyncTimeoutMs: 300 },
        timeoutMs: 8_000,
      },
    ]);
  });

  it("a run's own values win; timing is laid over the runner's, routes and adapter replace them", async () => {
    const until = () => true;
    const logger = collectingLogger();
    const routes = [{ url: '/instruments', body: '[1]' }];
    await run({
      capture: [...capture],
      markets: [BTC, ETH],
      faults: [{ kind: 'drop', afterFrames: 2 }],
      routes,
      pace: 'real',
      timing: { livenessMs: 300, resyncTimeoutMs: 600 },
      logger,
      until,
      timeoutMs: 1_000,
      quietMs: 50,
      adapter: other,
    });
    expect(calls[0]).toEqual({
      capture,
      urls: { ws: 'wss://x/ws' },
      adapter: other,
      markets: [BTC, ETH],
      replay: { waitForRequests: true, settleMs: 50, routes, faults: [{ kind: 'drop', afterFrames: 2 }], pace: 'real' },
      timing: { reconnectMinMs: 20, resyncTimeoutMs: 600, livenessMs: 300 },
      logger,
      until,
      quietMs: 50,
      timeoutMs: 1_000,
    });
  });

  it('a runner without defaults passes on only what the run names, and refuses a run without markets', async () => {
    const bare = replayRunner({ urls: { ws: 'wss://x/ws' }, adapter });
    await bare({ capture: [...capture], markets: [ETH] });
    expect(calls[0]).toEqual({ capture, urls: { ws: 'wss://x/ws' }, adapter, markets: [ETH], replay: { faults: [] }, timing: {} });
    expect(() => bare({ capture: [...capture] })).toThrow('names no markets');
  });
});

describe('bookSide and clientFrames', () => {
  it("reads one side of a market's book, best first, and throws for a market without a book", () => {
    const sides = { bid: [{ price: '100', size: '1' }, { price: '99', size: '2' }], ask: [{ price: '101', size: '3' }] };
    const book = { levels: (side: 'bid' | 'ask') => sides[side].values() };
    const r = { engine: { book: (id: number) => (id === 1 ? book : undefined) } } as unknown as ReplayedFeeds;
    expect(bookSide(r, 1, 'bid')).toEqual([
      ['100', '1'],
      ['99', '2'],
    ]);
    expect(bookSide(r, 1, 'ask')).toEqual([['101', '3']]);
    expect(() => bookSide(r, 2, 'bid')).toThrow('no book for market 2');
  });

  it('parses the frames one connection sent, in order', () => {
    const received = [
      { connection: 1, data: '{"op":"subscribe"}' },
      { connection: 2, data: '{"op":"ping"}' },
      { connection: 1, data: '{"op":"unsubscribe"}' },
    ];
    const r = { server: { received } } as unknown as ReplayedFeeds;
    expect(clientFrames(r, 1)).toEqual([{ op: 'subscribe' }, { op: 'unsubscribe' }]);
    expect(clientFrames<{ op: string }>(r, 2).map((f) => f.op)).toEqual(['ping']);
    expect(clientFrames(r, 3)).toEqual([]);
  });
});

import {
  FeedEngine,
  silentLogger,
  type EngineTiming,
  type FeedEvent,
  type FeedInfo,
  type FeedLogger,
  type FeedSpec,
  type VenueAdapter,
} from '@level4/feed';
import type { CaptureLine } from './capture.js';
import { startReplay, type ReplayOptions, type ReplayServer } from './replay-server.js';

export interface ReplayFeedsOptions {
  readonly capture: readonly CaptureLine[];
  /** The venue's default base URLs (e.g. BINANCE_URLS) and how to build its adapter from base URLs. */
  readonly urls: Readonly<Record<string, string>>;
  readonly adapter: (urls: Record<string, string>) => VenueAdapter;
  readonly markets: readonly FeedSpec[];
  /** Replay server options other than the capture (pace, faults, paths, routes). */
  readonly replay?: Omit<ReplayOptions, 'capture'>;
  readonly timing?: Partial<EngineTiming>;
  readonly logger?: FeedLogger;
  /** Done when this holds (checked on every event), or else when the replay has been sent and the feed went quiet. */
  readonly until?: (events: readonly FeedEvent[]) => boolean;
  /** Quiet period that ends a replay with no `until` (default 300 ms). */
  readonly quietMs?: number;
  /** Give up waiting after this long (default 20 s): the result is returned as it stands. */
  readonly timeoutMs?: number;
}

export interface ReplayedFeeds {
  readonly server: ReplayServer;
  readonly engine: FeedEngine;
  readonly events: readonly FeedEvent[];
  /** Feed state and counters when the replay ended, by market id. */
  readonly feeds: ReadonlyMap<number, FeedInfo>;
  /** Whether `until` held (true without `until`, unless the timeout hit first). */
  readonly completed: boolean;
  close(): Promise<void>;
}

/**
 * Runs a recorded session through the real feed engine: a replay server stands in for the venue,
 * the adapter's base URLs are pointed at it, the markets are started, and the events are collected
 * until the session is over. The conformance tests of every venue package use it.
 *
 * ```ts
 * const run = await replayFeeds({ capture, urls: BINANCE_URLS, adapter: (urls) => createBinanceAdapter({ urls }),
 *   markets: [{ id: 1, venue: 'binance', type: 'spot', base: 'NKN', quote: 'USDT' }] });
 * run.feeds.get(1)?.counters.gaps; // 0
 * await run.close();
 * ```
 */
export async function replayFeeds(options: ReplayFeedsOptions): Promise<ReplayedFeeds> {
  const server = await startReplay({ ...options.replay, capture: options.capture });
  const events: FeedEvent[] = [];
  let lastEventAt = Date.now();
  let satisfied = options.until === undefined;
  let wake: (() => void) | undefined;
  const engine = new FeedEngine({
    adapters: [options.adapter(localUrls(options.urls, server))],
    logger: options.logger ?? silentLogger,
    timing: options.timing,
    onEvent: (event) => {
      events.push(event);
      lastEventAt = Date.now();
      if (!satisfied && options.until?.(events)) {
        satisfied = true;
        wake?.();
      }
    },
  });
  const close = async () => {
    await engine.close();
    await server.close();
  };
  try {
    for (const market of options.markets) await engine.start(market);
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    const quietMs = options.quietMs ?? 300;
    let done = false;
    void server.sessionsDone().then(() => (done = true));
    while (Date.now() < deadline) {
      if (options.until ? satisfied : done && Date.now() - lastEventAt >= quietMs) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 25);
      });
    }
  } catch (error) {
    await close();
    throw error;
  }
  const feeds = new Map(options.markets.map((m) => [m.id, engine.feed(m.id)] as const).filter((e): e is [number, FeedInfo] => e[1] !== undefined));
  return { server, engine, events, feeds, completed: satisfied, close };
}

/** Every base URL with its scheme and host replaced by the replay server's (the path is kept). */
export function localUrls(urls: Readonly<Record<string, string>>, server: ReplayServer): Record<string, string> {
  const local: Record<string, string> = {};
  for (const [name, url] of Object.entries(urls)) {
    const parsed = new URL(url);
    const base = parsed.protocol === 'ws:' || parsed.protocol === 'wss:' ? server.wsBase : server.httpBase;
    const path = parsed.pathname === '/' ? '' : parsed.pathname;
    local[name] = `${base}${path}${parsed.search}`;
  }
  return local;
}

import type { EngineTiming, FeedEvent, FeedLogger, FeedSpec, VenueAdapter } from '@level4/feed';
import type { CaptureLine } from './capture.js';
import { replayFeeds, type ReplayedFeeds } from './replay-feeds.js';
import type { Fault, ReplayOptions } from './replay-server.js';

/** What every run of one venue's tests shares (see `replayRunner`). */
export interface ReplayRunnerOptions {
  /** The venue's default base URLs (e.g. BINANCE_URLS) and how to build its adapter from base URLs. */
  readonly urls: Readonly<Record<string, string>>;
  readonly adapter: (urls: Record<string, string>) => VenueAdapter;
  /** The markets a run starts when it names none. */
  readonly markets?: readonly FeedSpec[];
  /** HTTP answers every run serves (typically the venue's instrument list), unless the run names its own. */
  readonly routes?: ReplayOptions['routes'];
  /** Engine timing of every run; a run's `timing` is laid over it. */
  readonly timing?: Partial<EngineTiming>;
  /** Give up waiting after this long (replayFeeds' default: 20 s). */
  readonly timeoutMs?: number;
  /** Further replay server options for every run (`waitForRequests`, `settleMs`, `paths`, `pace`). */
  readonly replay?: Omit<ReplayOptions, 'capture' | 'routes' | 'faults'>;
}

/** One run: a capture and what to break in it; everything else defaults to the runner's. */
export interface ReplayRun {
  readonly capture: readonly CaptureLine[];
  readonly markets?: readonly FeedSpec[];
  readonly faults?: readonly Fault[];
  /** Replaces the runner's routes. */
  readonly routes?: ReplayOptions['routes'];
  readonly pace?: ReplayOptions['pace'];
  /** Laid over the runner's timing: `{ livenessMs: 300 }` changes that alone. */
  readonly timing?: Partial<EngineTiming>;
  readonly logger?: FeedLogger;
  readonly until?: (events: readonly FeedEvent[]) => boolean;
  readonly timeoutMs?: number;
  readonly quietMs?: number;
  /** Replaces the runner's adapter (e.g. one with a changed limit). */
  readonly adapter?: (urls: Record<string, string>) => VenueAdapter;
}

export type ReplayRunner = (run: ReplayRun) => Promise<ReplayedFeeds>;

/**
 * `replayFeeds` with one venue's settings fixed, for tests that run many small hand-written
 * sessions against the same venue: each run names only its capture and what differs.
 *
 * ```ts
 * const run = replayRunner({ urls: BYBIT_URLS, adapter: (urls) => createBybitAdapter({ urls }),
 *   markets: [BTC_MARKET], routes: [INSTRUMENTS], timing: TIMING, timeoutMs: 8_000 });
 * const r = await run({ capture, faults: [{ kind: 'skip', connection: 1, frames: 3 }], timing: { livenessMs: 300 } });
 * ```
 */
export function replayRunner(defaults: ReplayRunnerOptions): ReplayRunner {
  return (run) => {
    const markets = run.markets ?? defaults.markets;
    if (markets === undefined) throw new Error('replayRunner: the run names no markets and the runner has none');
    const routes = run.routes ?? defaults.routes;
    const pace = run.pace ?? defaults.replay?.pace;
    const timeoutMs = run.timeoutMs ?? defaults.timeoutMs;
    return replayFeeds({
      capture: run.capture,
      urls: defaults.urls,
      adapter: run.adapter ?? defaults.adapter,
      markets,
      replay: { ...defaults.replay, ...(routes ? { routes } : {}), faults: run.faults ?? [], ...(pace ? { pace } : {}) },
      timing: { ...defaults.timing, ...run.timing },
      ...(run.logger ? { logger: run.logger } : {}),
      ...(run.until ? { until: run.until } : {}),
      ...(run.quietMs === undefined ? {} : { quietMs: run.quietMs }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
  };
}

/** Every level of one side of a market's book when the run ended, best first, as `[price, size]`. */
export function bookSide(run: Pick<ReplayedFeeds, 'engine'>, marketId: number, side: 'bid' | 'ask'): string[][] {
  const book = run.engine.book(marketId);
  if (!book) throw new Error(`no book for market ${marketId}`);
  return [...book.levels(side)].map((l) => [l.price, l.size]);
}

/**
 * The frames the client sent on one connection (1-based), parsed as JSON. They may trail the
 * events (venues limit the client's rate): wait for them with vitest's `vi.waitFor`.
 */
export function clientFrames<T = Record<string, unknown>>(run: Pick<ReplayedFeeds, 'server'>, connection: number): T[] {
  return run.server.received.filter((x) => x.connection === connection).map((x) => JSON.parse(x.data) as T);
}

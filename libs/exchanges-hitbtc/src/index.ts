import type { Endpoint, Instrument, MarketType, SyncRule, VenueAdapter } from '@level4/feed';
import { instrumentsUrl, parseInstruments } from './instruments.js';
import { BOOK_CHANNEL, parseFrame, TRADES_CHANNEL } from './parse.js';

export { HITBTC_TYPES, instrumentsUrl, parseInstruments } from './instruments.js';
export { BOOK_CHANNEL, parseFrame, TRADES_CHANNEL } from './parse.js';

/** HitBTC's public hosts (API v3): one market-data socket for spot and futures, one REST base. */
export const HITBTC_URLS = {
  ws: 'wss://api.hitbtc.com/api/3/ws/public',
  rest: 'https://api.hitbtc.com/api/3',
} as const;

export interface HitbtcOptions {
  /** Base URLs to use instead of HitBTC's (a replay server, the demo hosts). */
  readonly urls?: Partial<Record<keyof typeof HITBTC_URLS, string>>;
}

/**
 * Same rule for spot and futures: `orderbook/full` sends the whole book as a `snapshot` after
 * subscribe; each `update`'s `s` must be the previous `s` + 1 (spec §4, §6). Full depth: no window.
 */
const SYNC: SyncRule = Object.freeze({ snapshot: 'message', sequence: 'next' });

/**
 * 10 client frames a second on /ws/public (spec §3); one frame with 20–30 symbols was accepted, so
 * 20 per request; 100 connections per IP leave room for 50 full-depth books per connection.
 */
const LIMITS = Object.freeze({ marketsPerConnection: 50, marketsPerRequest: 20, framesPerSecond: 10 });

const MARKET_TYPES = Object.freeze(['spot', 'futures'] as const);

export function createHitbtcAdapter(options: HitbtcOptions = {}): VenueAdapter {
  const given = options.urls ?? {};
  const urls = Object.freeze({
    ws: given.ws ?? HITBTC_URLS.ws,
    rest: given.rest ?? HITBTC_URLS.rest,
  });
  // One socket URL for both types; the engine still opens one connection per type.
  const endpoint: readonly Endpoint[] = Object.freeze([Object.freeze({ url: urls.ws, channels: Object.freeze(['book', 'trades'] as const) })]);

  /**
   * One frame per channel, both with the engine's request id:
   * `{"method":"subscribe","ch":"orderbook/full","params":{"symbols":["BTCUSDT"]},"id":7}` and
   * `{"method":"subscribe","ch":"trades","params":{"symbols":["BTCUSDT"],"limit":0},"id":7}`
   * (`limit: 0`: no trade history in the trades snapshot).
   */
  const request = (method: 'subscribe' | 'unsubscribe', target: Endpoint, instruments: readonly Instrument[], id: number): string[] => {
    if (instruments.length === 0) return [];
    if (instruments.length > LIMITS.marketsPerRequest) {
      throw new RangeError(`hitbtc: ${instruments.length} markets in one ${method} request (at most ${LIMITS.marketsPerRequest})`);
    }
    const symbols = instruments.map((i) => i.symbol);
    const frames: string[] = [];
    for (const channel of target.channels) {
      if (channel === 'book') frames.push(JSON.stringify({ method, ch: BOOK_CHANNEL, params: { symbols }, id }));
      else if (method === 'subscribe') frames.push(JSON.stringify({ method, ch: TRADES_CHANNEL, params: { symbols, limit: 0 }, id }));
      else frames.push(JSON.stringify({ method, ch: TRADES_CHANNEL, params: { symbols }, id }));
    }
    return frames;
  };

  return {
    venue: 'hitbtc',
    marketTypes: MARKET_TYPES,
    urls,
    limits: LIMITS,
    // The server pings every 30 s (answered by the socket library): 45 s of silence is stale (spec §8).
    livenessMs: 45_000,
    instrumentsUrl: (type, cursor) => instrumentsUrl(urls, type, cursor),
    parseInstruments,
    endpoints: (type: MarketType) => {
      if (type !== 'spot' && type !== 'futures') throw new Error(`hitbtc: no market type ${JSON.stringify(type)}`);
      return endpoint;
    },
    subscribe: (target, instruments, id) => request('subscribe', target, instruments, id),
    unsubscribe: (target, instruments, id) => request('unsubscribe', target, instruments, id),
    parse: parseFrame,
    sync: () => SYNC,
  };
}

/** The adapter on HitBTC's own hosts. */
export const hitbtc: VenueAdapter = createHitbtcAdapter();

import type { Endpoint, Instrument, MarketType, SyncRule, VenueAdapter } from '@level4/feed';
import { instrumentsUrl, parseInstruments } from './instruments.js';
import { BOOK_CHANNEL, parseFrame, TRADES_CHANNEL } from './parse.js';

export { instrumentsUrl, parseInstruments } from './instruments.js';
export { BOOK_CHANNEL, parseFrame, TRADES_CHANNEL } from './parse.js';

/** Poloniex's public hosts (spot API v3): the public market-data socket and the REST base. */
export const POLONIEX_URLS = {
  spotWs: 'wss://ws.poloniex.com/ws/public',
  spotRest: 'https://api.poloniex.com',
} as const;

export interface PoloniexOptions {
  /** Base URLs to use instead of Poloniex's (a replay server). */
  readonly urls?: Partial<Record<keyof typeof POLONIEX_URLS, string>>;
}

/**
 * `book_lv2` sends a 20-level snapshot per symbol after subscribe (and may send one again later:
 * it replaces the book); each update's `lastId` must equal the previous message's `id` (spec §4,
 * §6: equality only, not + 1). The book is the top 20 levels per side: the engine keeps 20.
 */
const SYNC: SyncRule = Object.freeze({ snapshot: 'message', sequence: 'previous', depth: 20 });

/**
 * 500 requests a second per connection (spec §3), kept well below; the largest subscribe seen
 * carried 11 symbols (the limit is undocumented), so 20 a request; 2000 connections per IP leave
 * room for 50 top-20 books per connection.
 */
const LIMITS = Object.freeze({ marketsPerConnection: 50, marketsPerRequest: 20, framesPerSecond: 50 });

const MARKET_TYPES = Object.freeze(['spot'] as const);

/** `{"event":"ping"}` at least every 30 s or the server drops the session silently (spec §8): every 20 s. */
const PING = '{"event":"ping"}';

export function createPoloniexAdapter(options: PoloniexOptions = {}): VenueAdapter {
  const given = options.urls ?? {};
  const urls = Object.freeze({
    spotWs: given.spotWs ?? POLONIEX_URLS.spotWs,
    spotRest: given.spotRest ?? POLONIEX_URLS.spotRest,
  });
  const endpoint: readonly Endpoint[] = Object.freeze([Object.freeze({ url: urls.spotWs, channels: Object.freeze(['book', 'trades'] as const) })]);

  /**
   * One frame per channel: `{"event":"subscribe","channel":["book_lv2"],"symbols":["BTC_USDT"]}`
   * and the same for `trades`. Poloniex has no request id: `request` is not sent.
   */
  const request = (event: 'subscribe' | 'unsubscribe', target: Endpoint, instruments: readonly Instrument[]): string[] => {
    if (instruments.length === 0) return [];
    if (instruments.length > LIMITS.marketsPerRequest) {
      throw new RangeError(`poloniex: ${instruments.length} markets in one ${event} request (at most ${LIMITS.marketsPerRequest})`);
    }
    const symbols = instruments.map((i) => i.symbol);
    const frames: string[] = [];
    for (const channel of target.channels) {
      frames.push(JSON.stringify({ event, channel: [channel === 'book' ? BOOK_CHANNEL : TRADES_CHANNEL], symbols }));
    }
    return frames;
  };

  return {
    venue: 'poloniex',
    marketTypes: MARKET_TYPES,
    urls,
    limits: LIMITS,
    // With an application ping every 20 s, its pong (a message) proves the data path: 30 s of silence is stale.
    livenessMs: 30_000,
    keepalive: Object.freeze({ intervalMs: 20_000, frame: () => PING }),
    instrumentsUrl: (type, cursor) => instrumentsUrl(urls, type, cursor),
    parseInstruments,
    endpoints: (type: MarketType) => {
      if (type !== 'spot') throw new Error(`poloniex: no market type ${JSON.stringify(type)}`);
      return endpoint;
    },
    subscribe: (target, instruments) => request('subscribe', target, instruments),
    unsubscribe: (target, instruments) => request('unsubscribe', target, instruments),
    parse: parseFrame,
    sync: () => SYNC,
  };
}

/** The adapter on Poloniex's own hosts. */
export const poloniex: VenueAdapter = createPoloniexAdapter();

import type { Channel, Endpoint, Instrument, Keepalive, MarketType, SyncRule, VenueAdapter, VenueLimits } from '@level4/feed';
import { instrumentsUrl, parseInstruments } from './instruments.js';
import { parseFrame, parseSnapshot } from './parse.js';

export { instrumentsUrl, parseInstruments, type BitstampRestUrls } from './instruments.js';
export { parseFrame, parseSnapshot } from './parse.js';

/** Every Bitstamp base URL level4 uses: WebSocket API v2 and HTTP API v2 (spot only). */
export const BITSTAMP_URLS = {
  spotWs: 'wss://ws.bitstamp.net',
  spotRest: 'https://www.bitstamp.net',
} as const;

export type BitstampUrls = Readonly<Record<keyof typeof BITSTAMP_URLS, string>>;

export interface BitstampOptions {
  /** Base URLs to replace (a replay server in tests). */
  readonly urls?: Partial<Record<keyof typeof BITSTAMP_URLS, string>>;
}

/**
 * Bitstamp documents no per-connection channel cap and no frame rate (spec §3, UNCONFIRMED):
 * 20 channels on one socket is what a recording proves, i.e. 10 markets (book + trades). One
 * market per request: every subscribe frame holds one channel, and its answer names no request.
 */
const LIMITS: VenueLimits = { marketsPerConnection: 10, marketsPerRequest: 1, framesPerSecond: 20 };

/**
 * `diff_order_book` has no sequence number: the REST snapshot's `microtimestamp` S is the book's
 * sequence, diffs with `microtimestamp <= S` are in it, and the oldest buffered diff must be at or
 * before S (spec §4). Full depth: no trimming.
 */
const SYNC: SyncRule = { snapshot: 'rest', sequence: 'time' };

/** `bts:heartbeat` every 30 s; its answer proves the data path (spec §8). */
const KEEPALIVE: Keepalive = { intervalMs: 30_000, frame: () => '{"event":"bts:heartbeat"}' };

export function createBitstampAdapter(options: BitstampOptions = {}): VenueAdapter {
  const urls: Record<keyof typeof BITSTAMP_URLS, string> = { ...BITSTAMP_URLS };
  for (const [name, url] of Object.entries(options.urls ?? {})) {
    if (url !== undefined) urls[name as keyof typeof BITSTAMP_URLS] = url;
  }

  const endpoints: Record<MarketType, readonly Endpoint[]> = {
    spot: [{ url: urls.spotWs, channels: ['book', 'trades'] }],
    futures: [],
    inverse: [],
  };

  return {
    venue: 'bitstamp',
    marketTypes: ['spot'],
    urls,
    limits: LIMITS,
    // Two heartbeat answers missed: the socket is dead.
    livenessMs: 60_000,
    keepalive: KEEPALIVE,
    // No maxConnectionMs: the documented 90-day connection age (spec §8, UNCONFIRMED) is past what a
    // Node timer can hold (2^31 - 1 ms, about 24.8 days); a venue close is reconnected anyway.
    instrumentsUrl: (type, cursor) => instrumentsUrl(urls, type, cursor),
    parseInstruments,
    endpoints: (type) => endpoints[type],
    subscribe: (endpoint, instruments) => control('bts:subscribe', endpoint, instruments),
    unsubscribe: (endpoint, instruments) => control('bts:unsubscribe', endpoint, instruments),
    parse: parseFrame,
    sync: () => SYNC,
    snapshotUrl: (instrument) => `${urls.spotRest}/api/v2/order_book/${encodeURIComponent(instrument.symbol)}/`,
    parseSnapshot,
  };
}

/** The channel of one market: `diff_order_book_btcusd` (full-depth diffs), `live_trades_btcusd`. */
export function channelName(instrument: Instrument, channel: Channel): string {
  // Pair names are lower case in channel names; upper case is rejected (spec §9).
  const symbol = instrument.symbol.toLowerCase();
  return channel === 'book' ? `diff_order_book_${symbol}` : `live_trades_${symbol}`;
}

/** One frame per channel (Bitstamp takes one channel per message); there is no request id to carry. */
function control(event: 'bts:subscribe' | 'bts:unsubscribe', endpoint: Endpoint, instruments: readonly Instrument[]): readonly string[] {
  const frames: string[] = [];
  for (const instrument of instruments) {
    for (const channel of endpoint.channels) frames.push(JSON.stringify({ event, data: { channel: channelName(instrument, channel) } }));
  }
  return frames;
}

/** Bitstamp with the production URLs. */
export const bitstamp: VenueAdapter = createBitstampAdapter();

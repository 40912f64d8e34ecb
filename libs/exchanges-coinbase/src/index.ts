import type { Endpoint, Instrument, MarketType, SyncRule, VenueAdapter } from '@level4/feed';
import { instrumentsUrl, parseInstruments } from './instruments.js';
import { parseFrame } from './parse.js';

export { instrumentsUrl, parseInstruments } from './instruments.js';
export { parseFrame } from './parse.js';

/** Coinbase Advanced Trade's public hosts: the market-data socket and the brokerage REST base. */
export const COINBASE_URLS = {
  spotWs: 'wss://advanced-trade-ws.coinbase.com',
  rest: 'https://api.coinbase.com/api/v3/brokerage',
} as const;

export interface CoinbaseOptions {
  /** Base URLs to use instead of Coinbase's (a replay server, say). */
  readonly urls?: Partial<Record<keyof typeof COINBASE_URLS, string>>;
}

/**
 * The whole book arrives on the socket after subscribe (`l2_data` snapshot); updates carry no
 * per-product sequence. Integrity comes from the connection's `sequence_num` (a gap reconnects the
 * socket: every market on it resyncs), the crossed-book check, and the `ticker` top comparison.
 */
const SYNC: SyncRule = Object.freeze({ snapshot: 'message', sequence: 'none' });

/**
 * 8 unauthenticated client messages/s per IP (spec §3): one connection sends at most 5 a second,
 * each market subscribe frame carries all products of the batch (a third-party client puts ~30
 * products on a connection; the maximum is undocumented).
 */
const LIMITS = Object.freeze({ marketsPerConnection: 30, marketsPerRequest: 30, framesPerSecond: 5 });

/** Coinbase channels per level4 channel: the book with the venue's own top of book to check it against. */
const CHANNELS = Object.freeze({ book: Object.freeze(['level2', 'ticker']), trades: Object.freeze(['market_trades']) });

const HEARTBEATS = '{"type":"subscribe","channel":"heartbeats"}';

export function createCoinbaseAdapter(options: CoinbaseOptions = {}): VenueAdapter {
  const given = options.urls ?? {};
  const urls = Object.freeze({
    spotWs: given.spotWs ?? COINBASE_URLS.spotWs,
    rest: given.rest ?? COINBASE_URLS.rest,
  });
  const spot: readonly Endpoint[] = Object.freeze([Object.freeze({ url: urls.spotWs, channels: Object.freeze(['book', 'trades'] as const) })]);

  /** `{"type":"subscribe","product_ids":["BTC-USD","ETH-USD"],"channel":"level2"}`: one channel per frame, no request id. */
  const request = (type: 'subscribe' | 'unsubscribe', target: Endpoint, instruments: readonly Instrument[]): string[] => {
    if (instruments.length === 0) return [];
    if (instruments.length > LIMITS.marketsPerRequest) {
      throw new RangeError(`coinbase: ${instruments.length} markets in one ${type} request (at most ${LIMITS.marketsPerRequest})`);
    }
    const product_ids = instruments.map((i) => i.symbol);
    const frames: string[] = [];
    for (const channel of target.channels) {
      for (const name of CHANNELS[channel]) frames.push(JSON.stringify({ type, product_ids, channel: name }));
    }
    return frames;
  };

  return {
    venue: 'coinbase',
    marketTypes: Object.freeze(['spot'] as const),
    urls,
    limits: LIMITS,
    // Heartbeats come every second; none for 10 s means the socket is dead (spec §8). A keepalive
    // makes the engine ping on schedule and count only the venue's frames as life: a server that
    // still answers pings but sends no heartbeats is stale.
    livenessMs: 10_000,
    keepalive: Object.freeze({ intervalMs: 5_000 }),
    instrumentsUrl: (type, cursor) => instrumentsUrl(urls, type, cursor),
    parseInstruments,
    endpoints: (type: MarketType) => {
      if (type !== 'spot') throw new Error(`coinbase: no market type ${JSON.stringify(type)} (spot only)`);
      return spot;
    },
    // Subscribed once per connection, before any market (spec §6, §8).
    openFrames: () => [HEARTBEATS],
    subscribe: (target, instruments) => request('subscribe', target, instruments),
    unsubscribe: (target, instruments) => request('unsubscribe', target, instruments),
    parse: parseFrame,
    sync: () => SYNC,
  };
}

/** The adapter on Coinbase's own hosts. */
export const coinbase: VenueAdapter = createCoinbaseAdapter();

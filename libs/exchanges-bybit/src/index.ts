import type { Endpoint, Instrument, MarketType, SyncRule, VenueAdapter } from '@level4/feed';
import { instrumentsUrl, parseInstruments } from './instruments.js';
import { parseFrame } from './parse.js';

export { BYBIT_CATEGORIES, instrumentsUrl, parseInstruments } from './instruments.js';
export { parseFrame } from './parse.js';

/** Bybit's public hosts (V5): one WebSocket per category, one REST host for all. */
export const BYBIT_URLS = {
  spotWs: 'wss://stream.bybit.com/v5/public/spot',
  futuresWs: 'wss://stream.bybit.com/v5/public/linear',
  inverseWs: 'wss://stream.bybit.com/v5/public/inverse',
  rest: 'https://api.bybit.com',
} as const;

export interface BybitOptions {
  /** Base URLs to use instead of Bybit's (a replay server, testnet). */
  readonly urls?: Partial<Record<keyof typeof BYBIT_URLS, string>>;
}

/** The deepest book stream that still brings its own snapshot (spec §3); the engine keeps 1000 levels. */
const BOOK_DEPTH = 1000;

/**
 * Same rule for every category: the snapshot arrives on the socket after subscribe (and again
 * whenever Bybit decides, u = 1 included), and each delta's `u` follows the previous one by 1.
 */
const SYNC: SyncRule = Object.freeze({ snapshot: 'message', sequence: 'next', depth: BOOK_DEPTH });

/** Spot takes at most 10 args per request: 5 markets x (book + trades). */
const LIMITS = Object.freeze({ marketsPerConnection: 200, marketsPerRequest: 5, framesPerSecond: 10 });

export function createBybitAdapter(options: BybitOptions = {}): VenueAdapter {
  const given = options.urls ?? {};
  const urls = Object.freeze({
    spotWs: given.spotWs ?? BYBIT_URLS.spotWs,
    futuresWs: given.futuresWs ?? BYBIT_URLS.futuresWs,
    inverseWs: given.inverseWs ?? BYBIT_URLS.inverseWs,
    rest: given.rest ?? BYBIT_URLS.rest,
  });
  const endpoint = (url: string): readonly Endpoint[] => Object.freeze([Object.freeze({ url, channels: Object.freeze(['book', 'trades'] as const) })]);
  const endpoints: Record<MarketType, readonly Endpoint[]> = {
    spot: endpoint(urls.spotWs),
    futures: endpoint(urls.futuresWs),
    inverse: endpoint(urls.inverseWs),
  };

  /** `{"req_id":"7","op":"subscribe","args":["orderbook.1000.BTCUSDT","publicTrade.BTCUSDT"]}` */
  const request = (op: 'subscribe' | 'unsubscribe', target: Endpoint, instruments: readonly Instrument[], id: number): string[] => {
    if (instruments.length === 0) return [];
    if (instruments.length > LIMITS.marketsPerRequest) {
      throw new RangeError(`bybit: ${instruments.length} markets in one ${op} request (at most ${LIMITS.marketsPerRequest})`);
    }
    const args: string[] = [];
    for (const { symbol } of instruments) {
      for (const channel of target.channels) args.push(channel === 'book' ? `orderbook.${BOOK_DEPTH}.${symbol}` : `publicTrade.${symbol}`);
    }
    return [JSON.stringify({ req_id: String(id), op, args })];
  };

  return {
    venue: 'bybit',
    marketTypes: Object.freeze(['spot', 'futures', 'inverse'] as const),
    urls,
    limits: LIMITS,
    livenessMs: 60_000,
    keepalive: Object.freeze({ intervalMs: 20_000, frame: () => '{"op":"ping"}' }),
    instrumentsUrl: (type, cursor) => instrumentsUrl(urls, type, cursor),
    parseInstruments,
    endpoints: (type) => {
      const found = endpoints[type];
      if (found === undefined) throw new Error(`bybit: no market type ${JSON.stringify(type)}`);
      return found;
    },
    subscribe: (target, instruments, id) => request('subscribe', target, instruments, id),
    unsubscribe: (target, instruments, id) => request('unsubscribe', target, instruments, id),
    parse: parseFrame,
    sync: () => SYNC,
  };
}

/** The adapter on Bybit's own hosts. */
export const bybit: VenueAdapter = createBybitAdapter();

import type { Endpoint, Instrument, MarketType, SyncRule, VenueAdapter } from '@level4/feed';
import { instrumentsUrl, parseInstruments } from './instruments.js';
import { parseFrame } from './parse.js';

export { assetCode, instrumentsUrl, parseInstruments } from './instruments.js';
export { numberText, parseFrame } from './parse.js';

/** BitMEX's public hosts: one realtime socket for every instrument type, one REST base. */
export const BITMEX_URLS = {
  ws: 'wss://ws.bitmex.com/realtime',
  rest: 'https://www.bitmex.com/api/v1',
} as const;

export interface BitmexOptions {
  /** Base URLs to use instead of BitMEX's (a replay server, testnet). */
  readonly urls?: Partial<Record<keyof typeof BITMEX_URLS, string>>;
}

/**
 * Same rule for every type: `orderBookL2` sends the whole book as a `partial` after subscribe
 * (spec §4); its levels have ids, and there is no sequence number and no checksum (spec §6): the
 * checks are the id map (an update or delete of an unknown id), the crossed book, and BitMEX's
 * `quote` table compared with the rebuilt top of book.
 */
const SYNC: SyncRule = Object.freeze({ snapshot: 'message', sequence: 'none', levelIds: true });

/**
 * BitMEX documents no topic limit per connection and does not rate-limit subscribes (spec §3);
 * it does limit new connections, so markets are packed densely. A request carries 10 markets
 * (30 topics).
 */
const LIMITS = Object.freeze({ marketsPerConnection: 100, marketsPerRequest: 10, framesPerSecond: 5 });

/** The tables of each channel: the full-depth book with BitMEX's top of book to check it, and trades. */
const TOPICS = { book: ['orderBookL2', 'quote'], trades: ['trade'] } as const;

export function createBitmexAdapter(options: BitmexOptions = {}): VenueAdapter {
  const given = options.urls ?? {};
  const urls = Object.freeze({
    ws: given.ws ?? BITMEX_URLS.ws,
    rest: given.rest ?? BITMEX_URLS.rest,
  });
  const endpoints: readonly Endpoint[] = Object.freeze([Object.freeze({ url: urls.ws, channels: Object.freeze(['book', 'trades'] as const) })]);
  const marketTypes: readonly MarketType[] = Object.freeze(['spot', 'futures', 'inverse'] as const);

  /** `{"op":"subscribe","args":["orderBookL2:XBTUSD","quote:XBTUSD","trade:XBTUSD"]}`: BitMEX takes no request id. */
  const request = (op: 'subscribe' | 'unsubscribe', target: Endpoint, instruments: readonly Instrument[]): string[] => {
    if (instruments.length === 0) return [];
    if (instruments.length > LIMITS.marketsPerRequest) {
      throw new RangeError(`bitmex: ${instruments.length} markets in one ${op} request (at most ${LIMITS.marketsPerRequest})`);
    }
    const args: string[] = [];
    for (const { symbol } of instruments) {
      for (const channel of target.channels) for (const table of TOPICS[channel]) args.push(`${table}:${symbol}`);
    }
    return [JSON.stringify({ op, args })];
  };

  return {
    venue: 'bitmex',
    marketTypes,
    urls,
    limits: LIMITS,
    // No keepalive frame: the engine's WebSocket pings after a third of this silence (BitMEX
    // answers ping frames, spec §8: ping after 5 s of silence, reconnect 5 s later without a pong).
    livenessMs: 15_000,
    instrumentsUrl: (type, cursor) => instrumentsUrl(urls, type, cursor),
    parseInstruments,
    endpoints: (type) => {
      if (!marketTypes.includes(type)) throw new Error(`bitmex: no market type ${JSON.stringify(type)}`);
      return endpoints;
    },
    subscribe: (target, instruments) => request('subscribe', target, instruments),
    unsubscribe: (target, instruments) => request('unsubscribe', target, instruments),
    parse: parseFrame,
    sync: () => SYNC,
  };
}

/** The adapter on BitMEX's own hosts. */
export const bitmex: VenueAdapter = createBitmexAdapter();

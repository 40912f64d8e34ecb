import type { Endpoint, Instrument, MarketType, SyncRule, VenueAdapter } from '@level4/feed';
import { verifyChecksum } from './checksum.js';
import { instrumentsUrl, parseInstruments } from './instruments.js';
import { parseFrame } from './parse.js';

export { bookChecksum, CHECKSUM_LEVELS, checksumText, crc32, verifyChecksum, type ChecksumBook } from './checksum.js';
export { instrumentsUrl, normalizeAsset, parseInstruments } from './instruments.js';
export { parseFrame } from './parse.js';

/**
 * Kraken's public hosts: spot WebSocket v2 and its REST host; Kraken Futures (linear and inverse
 * contracts on the same socket and REST host).
 */
export const KRAKEN_URLS = {
  spotWs: 'wss://ws.kraken.com/v2',
  spotRest: 'https://api.kraken.com',
  futuresWs: 'wss://futures.kraken.com/ws/v1',
  futuresRest: 'https://futures.kraken.com',
} as const;

export interface KrakenOptions {
  /** Base URLs to use instead of Kraken's (a replay server, the v2 beta host). */
  readonly urls?: Partial<Record<keyof typeof KRAKEN_URLS, string>>;
}

/** Spot book depth subscribed: the deepest v2 offers (spec §3); the engine keeps exactly this many. */
export const SPOT_BOOK_DEPTH = 1000;

/**
 * Spot v2: the snapshot arrives on the socket after subscribe; no sequence, every snapshot and
 * update carries a CRC32 of the top 10 levels (`verify`); the book is truncated to the subscribed
 * depth after every message, as Kraken's is (spec §5, §6).
 */
const SPOT_SYNC: SyncRule = Object.freeze({ snapshot: 'message', sequence: 'none', depth: SPOT_BOOK_DEPTH });

/** Futures: `book_snapshot` on the socket (whole book, `seq`), then one `book` per level with `seq` + 1. */
const FUTURES_SYNC: SyncRule = Object.freeze({ snapshot: 'message', sequence: 'next' });

/** No published connection limits (spec §3): conservative packing, a few client frames a second. */
const LIMITS = Object.freeze({ marketsPerConnection: 100, marketsPerRequest: 10, framesPerSecond: 5 });

export function createKrakenAdapter(options: KrakenOptions = {}): VenueAdapter {
  const given = options.urls ?? {};
  const urls = Object.freeze({
    spotWs: given.spotWs ?? KRAKEN_URLS.spotWs,
    spotRest: given.spotRest ?? KRAKEN_URLS.spotRest,
    futuresWs: given.futuresWs ?? KRAKEN_URLS.futuresWs,
    futuresRest: given.futuresRest ?? KRAKEN_URLS.futuresRest,
  });
  const endpoint = (url: string): readonly Endpoint[] => Object.freeze([Object.freeze({ url, channels: Object.freeze(['book', 'trades'] as const) })]);
  const endpoints: Record<MarketType, readonly Endpoint[]> = {
    spot: endpoint(urls.spotWs),
    futures: endpoint(urls.futuresWs),
    inverse: endpoint(urls.futuresWs),
  };
  const spotSocket = (target: Endpoint) => target.url === urls.spotWs;

  const request = (op: 'subscribe' | 'unsubscribe', target: Endpoint, instruments: readonly Instrument[], id: number): string[] => {
    if (instruments.length === 0) return [];
    if (instruments.length > LIMITS.marketsPerRequest) {
      throw new RangeError(`kraken: ${instruments.length} markets in one ${op} request (at most ${LIMITS.marketsPerRequest})`);
    }
    const symbols = instruments.map((i) => i.symbol);
    const frames: string[] = [];
    for (const channel of target.channels) {
      if (spotSocket(target)) {
        // {"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":1000,"snapshot":true},"req_id":7}
        const params =
          channel === 'book'
            ? op === 'subscribe'
              ? { channel: 'book', symbol: symbols, depth: SPOT_BOOK_DEPTH, snapshot: true }
              : { channel: 'book', symbol: symbols, depth: SPOT_BOOK_DEPTH }
            : op === 'subscribe'
              ? { channel: 'trade', symbol: symbols, snapshot: false }
              : { channel: 'trade', symbol: symbols };
        frames.push(JSON.stringify({ method: op, params, req_id: id }));
      } else {
        // {"event":"subscribe","feed":"book","product_ids":["PI_XBTUSD"]}: Futures has no request id.
        frames.push(JSON.stringify({ event: op, feed: channel === 'book' ? 'book' : 'trade', product_ids: symbols }));
      }
    }
    return frames;
  };

  return {
    venue: 'kraken',
    marketTypes: Object.freeze(['spot', 'futures', 'inverse'] as const),
    urls,
    limits: LIMITS,
    // Spot sends a heartbeat a second; Futures' heartbeat feed is subscribed on open. Quiet sockets
    // are probed with WebSocket pings after a third of this (the engine's own).
    livenessMs: 15_000,
    // Kraken Futures drops a client that has not pinged for 60 s, busy or not (spec: WebSocket ping
    // frames); spot does not mind them.
    keepalive: Object.freeze({ intervalMs: 30_000 }),
    instrumentsUrl: (type, cursor) => instrumentsUrl(urls, type, cursor),
    parseInstruments,
    endpoints: (type) => {
      const found = endpoints[type];
      if (found === undefined) throw new Error(`kraken: no market type ${JSON.stringify(type)}`);
      return found;
    },
    openFrames: (target) => (spotSocket(target) ? [] : ['{"event":"subscribe","feed":"heartbeat"}']),
    subscribe: (target, instruments, id) => request('subscribe', target, instruments, id),
    unsubscribe: (target, instruments, id) => request('unsubscribe', target, instruments, id),
    parse: parseFrame,
    sync: (type) => (type === 'spot' ? SPOT_SYNC : FUTURES_SYNC),
    verify: (book, check) => verifyChecksum(book, check),
  };
}

/** The adapter on Kraken's own hosts. */
export const kraken: VenueAdapter = createKrakenAdapter();

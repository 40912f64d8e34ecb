import type { Endpoint, Instrument, MarketType, SyncRule, VenueAdapter } from '@level4/feed';
import { verifyChecksum } from './checksum.js';
import { instrumentsUrl, parseInstruments } from './instruments.js';
import { parseFrame } from './parse.js';

export { CHECKSUM_LEVELS, checksumText, crc32, verifyChecksum, type CheckedBook } from './checksum.js';
export { BITFINEX_ASSET_ALIASES, BITFINEX_PAIR_LISTS, instrumentsUrl, parseInstruments, splitPair } from './instruments.js';
export { INFO_MAINTENANCE_END, INFO_MAINTENANCE_START, INFO_RESTART, parseFrame } from './parse.js';

/** Bitfinex's public hosts (WebSocket v2): one socket for spot and perpetuals, one REST host. */
export const BITFINEX_URLS = {
  ws: 'wss://api-pub.bitfinex.com/ws/2',
  rest: 'https://api-pub.bitfinex.com',
} as const;

export interface BitfinexOptions {
  /** Base URLs to use instead of Bitfinex's (a replay server). */
  readonly urls?: Partial<Record<keyof typeof BITFINEX_URLS, string>>;
}

/** `conf` flags (spec §3): SEQ_ALL (65536) + OB_CHECKSUM (131072). Never DEC_S/TIME_S: they change the number text. */
export const BITFINEX_CONF_FLAGS = 65536 + 131072;

/** The longest book Bitfinex serves (`len`), P0 precision, real time. */
export const BOOK_LENGTH = 250;

/**
 * The snapshot arrives on the socket after subscribe; the book messages carry no sequence of their
 * own (the SEQ_ALL number counts the whole connection: the engine checks it as `connection-sequence`),
 * so integrity comes from that counter, the `cs` checksums and the crossed-book check. The engine
 * keeps the subscribed length.
 */
const SYNC: SyncRule = Object.freeze({ snapshot: 'message', sequence: 'none', depth: BOOK_LENGTH });

/**
 * 25 channels per connection (spec §3): 12 markets x (book + trades). One market per request, so
 * that an ack or an error (matched by `subId`) concerns exactly one market. The frame rate is not
 * documented: 10 frames/s is a cautious guess.
 */
const LIMITS = Object.freeze({ marketsPerConnection: 12, marketsPerRequest: 1, framesPerSecond: 10 });

export function createBitfinexAdapter(options: BitfinexOptions = {}): VenueAdapter {
  const given = options.urls ?? {};
  const urls = Object.freeze({ ws: given.ws ?? BITFINEX_URLS.ws, rest: given.rest ?? BITFINEX_URLS.rest });
  const endpoints: readonly Endpoint[] = Object.freeze([Object.freeze({ url: urls.ws, channels: Object.freeze(['book', 'trades'] as const) })]);
  const conf = JSON.stringify({ event: 'conf', flags: BITFINEX_CONF_FLAGS });

  /** One frame per channel: `{"event":"subscribe","channel":"book","symbol":"tBTCUSD","prec":"P0","freq":"F0","len":"250","subId":"7"}`. */
  const subscribe = (target: Endpoint, instruments: readonly Instrument[], id: number): string[] => {
    if (instruments.length > LIMITS.marketsPerRequest) {
      throw new RangeError(`bitfinex: ${instruments.length} markets in one subscribe request (at most ${LIMITS.marketsPerRequest})`);
    }
    const subId = String(id);
    const frames: string[] = [];
    for (const { symbol } of instruments) {
      for (const channel of target.channels) {
        frames.push(
          channel === 'book'
            ? JSON.stringify({ event: 'subscribe', channel, symbol, prec: 'P0', freq: 'F0', len: String(BOOK_LENGTH), subId })
            : JSON.stringify({ event: 'subscribe', channel, symbol, subId }),
        );
      }
    }
    return frames;
  };

  return {
    venue: 'bitfinex',
    marketTypes: Object.freeze(['spot', 'futures'] as const),
    urls,
    limits: LIMITS,
    // Every idle channel sends a heartbeat about every 15 s (spec §8).
    livenessMs: 40_000,
    instrumentsUrl: (type, cursor) => instrumentsUrl(urls, type, cursor),
    parseInstruments,
    endpoints: (type: MarketType) => {
      if (type !== 'spot' && type !== 'futures') throw new Error(`bitfinex: no market type ${JSON.stringify(type)}`);
      return endpoints;
    },
    openFrames: () => [conf],
    subscribe,
    // Bitfinex unsubscribes by `chanId` (the engine passes the ids its acks bound to the market);
    // with none bound yet there is nothing to unsubscribe and the engine reconnects instead.
    unsubscribe: (_endpoint, _instruments, _request, channels = []) => channels.map((chanId) => JSON.stringify({ event: 'unsubscribe', chanId })),
    parse: parseFrame,
    sync: () => SYNC,
    verify: (book, check) => verifyChecksum(book, check),
  };
}

/** The adapter on Bitfinex's hosts. */
export const bitfinex: VenueAdapter = createBitfinexAdapter();

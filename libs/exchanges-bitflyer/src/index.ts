import type { Endpoint, Instrument, MarketType, SyncRule, VenueAdapter } from '@level4/feed';
import { verifyMid } from './checksum.js';
import { BITFLYER_TICKS, instrumentsUrl, parseInstruments, SPOT_ONLY } from './instruments.js';
import { BOARD_CHANNEL, EXECUTIONS_CHANNEL, parseFrame, SNAPSHOT_CHANNEL } from './parse.js';

export { checkMid, midPriceMatches, verifyMid } from './checksum.js';
export { BITFLYER_TICKS, instrumentsUrl, nonSpotReason, parseInstruments, SPOT_ONLY } from './instruments.js';
export { parseFrame } from './parse.js';

/** bitFlyer Lightning's public hosts: the realtime JSON-RPC socket and the REST API. */
export const BITFLYER_URLS = {
  spotWs: 'wss://ws.lightstream.bitflyer.com/json-rpc',
  rest: 'https://api.bitflyer.com',
} as const;

export interface BitflyerOptions {
  /** Base URLs to use instead of bitFlyer's (a replay server). */
  readonly urls?: Partial<Record<keyof typeof BITFLYER_URLS, string>>;
}

/**
 * The book comes from the `lightning_board_snapshot_*` channel (after subscribe, then about every
 * 5 s), each one replacing the book; diffs carry no sequence. Integrity: the crossed-book check and
 * `mid_price` on every board message (`verify`).
 */
const SYNC: SyncRule = Object.freeze({ snapshot: 'message', sequence: 'none' });

/**
 * Three channels a market (snapshot, diff, executions); no documented cap, the 2021 recording ran 40
 * channels on one socket: 16 markets (48 channels) per connection. One market per request, so a
 * refused channel fails exactly its market.
 */
const LIMITS = Object.freeze({ marketsPerConnection: 16, marketsPerRequest: 1, framesPerSecond: 10 });

export function createBitflyerAdapter(options: BitflyerOptions = {}): VenueAdapter {
  const given = options.urls ?? {};
  const urls = Object.freeze({
    spotWs: given.spotWs ?? BITFLYER_URLS.spotWs,
    rest: given.rest ?? BITFLYER_URLS.rest,
  });
  const spot: readonly Endpoint[] = Object.freeze([Object.freeze({ url: urls.spotWs, channels: Object.freeze(['book', 'trades'] as const) })]);

  /**
   * One JSON-RPC batch per request: the market's channels in order (snapshot before diffs, spec
   * §4), each with the request id. bitFlyer answers the batch with an array, read as one ack (or
   * the first error).
   */
  const request = (method: 'subscribe' | 'unsubscribe', target: Endpoint, instruments: readonly Instrument[], id: number): string[] => {
    if (instruments.length === 0) return [];
    if (instruments.length > LIMITS.marketsPerRequest) {
      throw new RangeError(`bitflyer: ${instruments.length} markets in one ${method} request (at most ${LIMITS.marketsPerRequest})`);
    }
    const calls: string[] = [];
    for (const { symbol } of instruments) {
      const channels: string[] = [];
      for (const channel of target.channels) {
        if (channel === 'book') channels.push(`${SNAPSHOT_CHANNEL}${symbol}`, `${BOARD_CHANNEL}${symbol}`);
        else channels.push(`${EXECUTIONS_CHANNEL}${symbol}`);
      }
      for (const channel of channels) calls.push(JSON.stringify({ jsonrpc: '2.0', id, method, params: { channel } }));
    }
    return [`[${calls.join(',')}]`];
  };

  return {
    venue: 'bitflyer',
    marketTypes: Object.freeze(['spot'] as const),
    urls,
    limits: LIMITS,
    // Snapshots come about every 5 s per product: 30 s of silence is a dead socket (spec §8).
    livenessMs: 30_000,
    instrumentsUrl: (type, cursor) => instrumentsUrl(urls, type, cursor),
    parseInstruments,
    endpoints: (type: MarketType) => {
      if (type !== 'spot') throw new Error(`bitflyer: no ${JSON.stringify(type)} markets: ${SPOT_ONLY}`);
      return spot;
    },
    subscribe: (target, instruments, id) => request('subscribe', target, instruments, id),
    unsubscribe: (target, instruments, id) => request('unsubscribe', target, instruments, id),
    parse: parseFrame,
    sync: () => SYNC,
    verify: (book, check, instrument) => verifyMid(book, check, tickOf(instrument)),
  };
}

/** The instrument's tick, or the configured one when the instrument carries none usable. */
function tickOf(instrument: Instrument): string {
  const tick = instrument.tickSize;
  if (tick !== '' && /[1-9]/.test(tick)) return tick;
  return BITFLYER_TICKS[instrument.symbol] ?? '0';
}

/** The adapter on bitFlyer's own hosts. */
export const bitflyer: VenueAdapter = createBitflyerAdapter();

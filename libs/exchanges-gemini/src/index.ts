import type { Endpoint, Instrument, SyncRule, VenueAdapter } from '@level4/feed';
import { instrumentsUrl, parseInstruments, type GeminiApi } from './instruments.js';
import { parseFrame, parseV2Frame, PING_ID } from './parse.js';

export { GEMINI_QUOTES, instrumentsUrl, parseInstruments, splitSymbol, type GeminiApi } from './instruments.js';
export { parseFrame, parseV2Frame, PING_ID } from './parse.js';

/**
 * Gemini's public hosts: the WebSocket API (`spotWs`, Gemini's production market-data API), Market
 * Data v2 (`spotWsV2`, the fallback) and the one REST host.
 */
export const GEMINI_URLS = {
  spotWs: 'wss://ws.gemini.com',
  spotWsV2: 'wss://api.gemini.com/v2/marketdata',
  rest: 'https://api.gemini.com',
} as const;

export interface GeminiOptions {
  /** Base URLs to use instead of Gemini's (a replay server, the sandbox). */
  readonly urls?: Partial<Record<keyof typeof GEMINI_URLS, string>>;
  /**
   * Which market-data API to speak (default `'ws'`):
   * - `'ws'`: the WebSocket API at `spotWs`, opened with `?snapshot=-1`; `{s}@depth@100ms` +
   *   `{s}@trade`; the first `depthUpdate` is the whole book, update ids `U..u` chain (gap -> resync).
   * - `'v2'`: Market Data v2 at `spotWsV2`; one `l2` subscription carries book and trades; the first
   *   `l2_updates` is the whole book; no sequence numbers (integrity from crossed-book checks and
   *   heartbeats). The only API with a real recorded session so far.
   */
  readonly api?: GeminiApi;
}

/** WebSocket API: the first `depthUpdate` after subscribe is the book; then `U` must be at most the book's `u` + 1. */
const WS_SYNC: SyncRule = Object.freeze({ snapshot: 'first-delta', sequence: 'next' });
/** v2: the first `l2_updates` (with its `trades` history) is a snapshot message; nothing to chain. */
const V2_SYNC: SyncRule = Object.freeze({ snapshot: 'message', sequence: 'none' });

/** Neither API documents its limits (spec §3.1 UNCONFIRMED): modest values. */
const LIMITS = Object.freeze({ marketsPerConnection: 50, marketsPerRequest: 10, framesPerSecond: 5 });

/** The depth stream: every changed level, conflated to 100 ms (`@depth` alone is 1 s). */
const depthStream = (symbol: string) => `${symbol}@depth@100ms`;
const tradeStream = (symbol: string) => `${symbol}@trade`;

/** `wss://ws.gemini.com` -> `wss://ws.gemini.com?snapshot=-1`: the connection parameter that makes the first depth frame the whole book. */
function withSnapshot(url: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}snapshot=-1`;
}

export function createGeminiAdapter(options: GeminiOptions = {}): VenueAdapter {
  const given = options.urls ?? {};
  const api: GeminiApi = options.api ?? 'ws';
  if (api !== 'ws' && api !== 'v2') throw new Error(`gemini: no API ${JSON.stringify(api)} (use 'ws' or 'v2')`);
  const urls = Object.freeze({
    spotWs: given.spotWs ?? GEMINI_URLS.spotWs,
    spotWsV2: given.spotWsV2 ?? GEMINI_URLS.spotWsV2,
    rest: given.rest ?? GEMINI_URLS.rest,
  });
  const channels = Object.freeze(['book', 'trades'] as const);
  const endpoints: readonly Endpoint[] = Object.freeze([
    Object.freeze({ url: api === 'ws' ? withSnapshot(urls.spotWs) : urls.spotWsV2, channels }),
  ]);

  const checked = (op: string, instruments: readonly Instrument[]): boolean => {
    if (instruments.length > LIMITS.marketsPerRequest) {
      throw new RangeError(`gemini: ${instruments.length} markets in one ${op} request (at most ${LIMITS.marketsPerRequest})`);
    }
    return instruments.length > 0;
  };

  /** `{"id":7,"method":"subscribe","params":["btcusd@depth@100ms","btcusd@trade"]}` */
  const wsRequest = (method: 'subscribe' | 'unsubscribe', target: Endpoint, instruments: readonly Instrument[], id: number): string[] => {
    if (!checked(method, instruments)) return [];
    const params: string[] = [];
    for (const { symbol } of instruments) {
      for (const channel of target.channels) params.push(channel === 'book' ? depthStream(symbol) : tradeStream(symbol));
    }
    return params.length === 0 ? [] : [JSON.stringify({ id, method, params })];
  };

  /**
   * `{"type":"subscribe","subscriptions":[{"name":"l2","symbols":["BTCUSD"]}]}`. One `l2` carries
   * book and trades (subscribing a symbol twice breaks one of them, spec §5); v2 has no request id.
   */
  const v2Request = (type: 'subscribe' | 'unsubscribe', target: Endpoint, instruments: readonly Instrument[]): string[] => {
    if (!checked(type, instruments) || target.channels.length === 0) return [];
    return [JSON.stringify({ type, subscriptions: [{ name: 'l2', symbols: instruments.map((i) => i.symbol) }] })];
  };

  const common = {
    venue: 'gemini',
    marketTypes: Object.freeze(['spot'] as const),
    urls,
    limits: LIMITS,
    instrumentsUrl: (type: Parameters<VenueAdapter['instrumentsUrl']>[0], cursor?: string) => instrumentsUrl(urls, type, cursor),
    parseInstruments: (type: Parameters<VenueAdapter['parseInstruments']>[0], body: string) => parseInstruments(type, body, api),
    endpoints: (type: string) => {
      if (type !== 'spot') throw new Error(`gemini: no market type ${JSON.stringify(type)} (spot only)`);
      return endpoints;
    },
  };

  if (api === 'v2') {
    return {
      ...common,
      // Gemini sends a heartbeat every 5 s: three missed ones make the socket stale (spec §4.6).
      livenessMs: 15_000,
      subscribe: (target, instruments) => v2Request('subscribe', target, instruments),
      unsubscribe: (target, instruments) => v2Request('unsubscribe', target, instruments),
      parse: parseV2Frame,
      sync: () => V2_SYNC,
    };
  }
  return {
    ...common,
    // Depth frames come only when levels change: a ping every 15 s keeps a quiet socket provably
    // alive, and 30 s without any frame makes it stale (spec §3.5).
    livenessMs: 30_000,
    keepalive: Object.freeze({ intervalMs: 15_000, frame: () => `{"id":"${PING_ID}","method":"ping"}` }),
    subscribe: (target, instruments, id) => wsRequest('subscribe', target, instruments, id),
    unsubscribe: (target, instruments, id) => wsRequest('unsubscribe', target, instruments, id),
    parse: parseFrame,
    sync: () => WS_SYNC,
  };
}

/** The adapter on Gemini's own hosts, speaking the WebSocket API. */
export const gemini: VenueAdapter = createGeminiAdapter();

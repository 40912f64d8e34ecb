import type { Channel, Endpoint, Instrument, MarketType, SyncRule, VenueAdapter, VenueLimits } from '@level4/feed';
import { instrumentsUrl, parseInstruments } from './instruments.js';
import { parseFrame, parseSnapshot } from './parse.js';

export { instrumentsUrl, parseInstruments, type BinanceRestUrls } from './instruments.js';
export { parseFrame, parseSnapshot } from './parse.js';

/** Every Binance base URL level4 uses: spot, USD-M futures (`futures`) and COIN-M futures (`inverse`). */
export const BINANCE_URLS = {
  spotWs: 'wss://stream.binance.com:9443',
  spotRest: 'https://api.binance.com',
  futuresWs: 'wss://fstream.binance.com',
  futuresRest: 'https://fapi.binance.com',
  inverseWs: 'wss://dstream.binance.com',
  inverseRest: 'https://dapi.binance.com',
} as const;

export type BinanceUrls = Readonly<Record<keyof typeof BINANCE_URLS, string>>;

export interface BinanceOptions {
  /** Base URLs to replace (a replay server in tests, `data-stream.binance.vision` for spot, ...). */
  readonly urls?: Partial<Record<keyof typeof BINANCE_URLS, string>>;
}

/**
 * 1024 streams per connection and two streams per market (book + trades) allow 512 markets; 400
 * leaves room. Spot allows 5 client frames/s (USD-M and COIN-M 10): 5 is safe on all three.
 */
const LIMITS: VenueLimits = { marketsPerConnection: 400, marketsPerRequest: 50, framesPerSecond: 5 };

/** Spot chains deltas by `U == previous u + 1`; futures ids are venue-wide, so they chain by `pu`. */
const SPOT_SYNC: SyncRule = { snapshot: 'rest', sequence: 'next' };
const FUTURES_SYNC: SyncRule = { snapshot: 'rest', sequence: 'previous' };

export function createBinanceAdapter(options: BinanceOptions = {}): VenueAdapter {
  const urls: Record<keyof typeof BINANCE_URLS, string> = { ...BINANCE_URLS };
  for (const [name, url] of Object.entries(options.urls ?? {})) {
    if (url !== undefined) urls[name as keyof typeof BINANCE_URLS] = url;
  }

  const endpoints: Record<MarketType, readonly Endpoint[]> = {
    spot: [{ url: `${urls.spotWs}/stream`, channels: ['book', 'trades'] }],
    // Since the 2026 URL split, USD-M depth flows only on /public and aggTrade only on /market.
    futures: [
      { url: `${urls.futuresWs}/public/stream`, channels: ['book'] },
      { url: `${urls.futuresWs}/market/stream`, channels: ['trades'] },
    ],
    inverse: [{ url: `${urls.inverseWs}/stream`, channels: ['book', 'trades'] }],
  };

  const snapshotUrl = (instrument: Instrument): string => {
    const symbol = encodeURIComponent(instrument.symbol);
    switch (instrument.type) {
      case 'spot':
        return `${urls.spotRest}/api/v3/depth?symbol=${symbol}&limit=5000`;
      case 'futures':
        return `${urls.futuresRest}/fapi/v1/depth?symbol=${symbol}&limit=1000`;
      case 'inverse':
        return `${urls.inverseRest}/dapi/v1/depth?symbol=${symbol}&limit=1000`;
    }
  };

  return {
    venue: 'binance',
    marketTypes: ['spot', 'futures', 'inverse'],
    urls,
    limits: LIMITS,
    // A minute without any frame: spot's server pings every 20 s (futures' every 3 min, so a
    // futures socket relies on its markets' depth and trade traffic).
    livenessMs: 60_000,
    // Every connection is closed at the 24 h mark (spec §8).
    maxConnectionMs: 24 * 60 * 60_000,
    // No keepalive: Binance sends WebSocket protocol pings, which the socket answers itself.
    instrumentsUrl: (type, cursor) => instrumentsUrl(urls, type, cursor),
    parseInstruments,
    endpoints: (type) => endpoints[type],
    subscribe: (endpoint, instruments, request) => control('SUBSCRIBE', endpoint, instruments, request),
    unsubscribe: (endpoint, instruments, request) => control('UNSUBSCRIBE', endpoint, instruments, request),
    parse: parseFrame,
    sync: (type) => (type === 'spot' ? SPOT_SYNC : FUTURES_SYNC),
    snapshotUrl,
    parseSnapshot,
  };
}

/** The stream name of one market's channel, e.g. `btcusdt@depth@100ms`, `btcusdt@trade`, `btcusd_perp@aggTrade`. */
export function streamName(instrument: Instrument, channel: Channel): string {
  const symbol = instrument.symbol.toLowerCase();
  if (channel === 'book') return `${symbol}@depth@100ms`;
  // Spot has one event per trade; futures document only the aggregated stream.
  return instrument.type === 'spot' ? `${symbol}@trade` : `${symbol}@aggTrade`;
}

/** One control frame for every stream of these markets on the endpoint; acked by `{"result":null,"id":request}`. */
function control(method: 'SUBSCRIBE' | 'UNSUBSCRIBE', endpoint: Endpoint, instruments: readonly Instrument[], request: number): readonly string[] {
  if (instruments.length === 0) return [];
  const params: string[] = [];
  for (const instrument of instruments) {
    for (const channel of endpoint.channels) params.push(streamName(instrument, channel));
  }
  return [JSON.stringify({ method, params, id: request })];
}

/** Binance with the production URLs. */
export const binance: VenueAdapter = createBinanceAdapter();

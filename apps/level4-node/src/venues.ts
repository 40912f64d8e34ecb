import { BINANCE_URLS, createBinanceAdapter } from '@level4/exchanges-binance';
import { BITFINEX_URLS, createBitfinexAdapter } from '@level4/exchanges-bitfinex';
import { BITFLYER_URLS, createBitflyerAdapter } from '@level4/exchanges-bitflyer';
import { BITMEX_URLS, createBitmexAdapter } from '@level4/exchanges-bitmex';
import { BITSTAMP_URLS, createBitstampAdapter } from '@level4/exchanges-bitstamp';
import { BYBIT_URLS, createBybitAdapter } from '@level4/exchanges-bybit';
import { COINBASE_URLS, createCoinbaseAdapter } from '@level4/exchanges-coinbase';
import { createGeminiAdapter, GEMINI_URLS } from '@level4/exchanges-gemini';
import { createHitbtcAdapter, HITBTC_URLS } from '@level4/exchanges-hitbtc';
import { createKrakenAdapter, KRAKEN_URLS } from '@level4/exchanges-kraken';
import { createPoloniexAdapter, POLONIEX_URLS } from '@level4/exchanges-poloniex';
import type { VenueAdapter } from '@level4/feed';

interface VenueEntry {
  /** The names of the base URLs the adapter accepts (VENUE_URLS keys). */
  readonly urlNames: readonly string[];
  readonly create: (urls: Readonly<Record<string, string>>) => VenueAdapter;
}

/** Every venue this node can run: the one place that knows the adapter packages. */
export const VENUES: Readonly<Record<string, VenueEntry>> = {
  binance: { urlNames: Object.keys(BINANCE_URLS), create: (urls) => createBinanceAdapter({ urls }) },
  bitfinex: { urlNames: Object.keys(BITFINEX_URLS), create: (urls) => createBitfinexAdapter({ urls }) },
  bitflyer: { urlNames: Object.keys(BITFLYER_URLS), create: (urls) => createBitflyerAdapter({ urls }) },
  bitmex: { urlNames: Object.keys(BITMEX_URLS), create: (urls) => createBitmexAdapter({ urls }) },
  bitstamp: { urlNames: Object.keys(BITSTAMP_URLS), create: (urls) => createBitstampAdapter({ urls }) },
  bybit: { urlNames: Object.keys(BYBIT_URLS), create: (urls) => createBybitAdapter({ urls }) },
  coinbase: { urlNames: Object.keys(COINBASE_URLS), create: (urls) => createCoinbaseAdapter({ urls }) },
  gemini: { urlNames: Object.keys(GEMINI_URLS), create: (urls) => createGeminiAdapter({ urls }) },
  hitbtc: { urlNames: Object.keys(HITBTC_URLS), create: (urls) => createHitbtcAdapter({ urls }) },
  kraken: { urlNames: Object.keys(KRAKEN_URLS), create: (urls) => createKrakenAdapter({ urls }) },
  poloniex: { urlNames: Object.keys(POLONIEX_URLS), create: (urls) => createPoloniexAdapter({ urls }) },
};

/** URL names per venue, for validating VENUE_URLS. */
export const VENUE_URL_NAMES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(Object.entries(VENUES).map(([v, e]) => [v, e.urlNames]));

/** One adapter per venue, with the configured URL overrides. */
export function createAdapters(urls: Readonly<Record<string, Readonly<Record<string, string>>>>): VenueAdapter[] {
  return Object.entries(VENUES).map(([venue, entry]) => entry.create(urls[venue] ?? {}));
}

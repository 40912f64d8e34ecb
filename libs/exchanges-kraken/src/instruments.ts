import type { Instrument, InstrumentPage, MarketType } from '@level4/feed';

/**
 * Instrument lists: spot from REST `GET /0/public/AssetPairs` (one page, keyed by the REST pair
 * name), Kraken Futures (linear and inverse alike) from `GET /derivatives/api/v3/instruments`.
 */
export function instrumentsUrl(urls: { readonly spotRest: string; readonly futuresRest: string }, type: MarketType, _cursor?: string): string {
  return type === 'spot' ? `${urls.spotRest}/0/public/AssetPairs` : `${urls.futuresRest}/derivatives/api/v3/instruments`;
}

/**
 * Kraken's legacy asset codes -> the common codes WebSocket v2 uses (spec §2: v2 says BTC where
 * REST `wsname` and Futures symbols say XBT; XDG is DOGE).
 */
const ASSETS: Readonly<Record<string, string>> = { XBT: 'BTC', XDG: 'DOGE' };

/** Asset code -> level4's (upper case, XBT -> BTC). */
export function normalizeAsset(code: string): string {
  const upper = code.toUpperCase();
  return ASSETS[upper] ?? upper;
}

/** AssetPairs statuses whose book trades: orders can still match (`post_only`, `cancel_only` cannot). */
const SPOT_TRADING = new Set(['online', 'limit_only', 'reduce_only']);

interface AssetPair {
  readonly wsname?: unknown;
  readonly status?: unknown;
  readonly tick_size?: unknown;
  readonly pair_decimals?: unknown;
}

/** Decimal places -> the price increment as text: 2 -> "0.01", 0 -> "1". */
function increment(decimals: number): string {
  return decimals === 0 ? '1' : `0.${'0'.repeat(decimals - 1)}1`;
}

function parseAssetPairs(body: string): InstrumentPage {
  let parsed: { error?: unknown; result?: unknown };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    throw new Error('kraken: AssetPairs body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error('kraken: AssetPairs body is not an object');
  if (Array.isArray(parsed.error) && parsed.error.length > 0) throw new Error(`kraken: AssetPairs failed: ${parsed.error.join(', ')}`);
  const result = parsed.result;
  if (typeof result !== 'object' || result === null || Array.isArray(result)) throw new Error('kraken: AssetPairs without "result"');
  const instruments: Instrument[] = [];
  for (const [name, entry] of Object.entries(result as Record<string, AssetPair>)) {
    const wsname = entry?.wsname;
    // Pairs without a WebSocket name (dark pool `.d` pairs) are not on the socket.
    if (typeof wsname !== 'string') continue;
    const [left, right, extra] = wsname.split('/');
    if (left === undefined || right === undefined || extra !== undefined || left === '' || right === '') continue;
    const base = normalizeAsset(left);
    const quote = normalizeAsset(right);
    let tickSize: string;
    if (typeof entry.tick_size === 'string') tickSize = entry.tick_size;
    else if (typeof entry.pair_decimals === 'number' && Number.isInteger(entry.pair_decimals) && entry.pair_decimals >= 0) tickSize = increment(entry.pair_decimals);
    else throw new Error(`kraken: AssetPairs entry ${name} without "tick_size" or "pair_decimals"`);
    // Older answers have no status: every pair listed then was online.
    const status = typeof entry.status === 'string' ? entry.status : 'online';
    instruments.push({ venue: 'kraken', type: 'spot', symbol: `${base}/${quote}`, base, quote, tickSize, trading: SPOT_TRADING.has(status), status });
  }
  return { instruments };
}

/** Futures symbol prefix -> level4 market type and whether the contract is dated (spec §2). */
const PREFIXES: Readonly<Record<string, { readonly type: MarketType; readonly dated: boolean }>> = {
  PF: { type: 'futures', dated: false },
  FF: { type: 'futures', dated: true },
  PI: { type: 'inverse', dated: false },
  FI: { type: 'inverse', dated: true },
};

/** Quote currencies a Futures pair may end with, longest first. */
const QUOTES = ['USDT', 'USDC', 'USD', 'EUR', 'GBP'];

interface FuturesEntry {
  readonly symbol?: unknown;
  readonly tickSize?: unknown;
  readonly contractSize?: unknown;
  readonly tradeable?: unknown;
  readonly lastTradingTime?: unknown;
  readonly base?: unknown;
  readonly quote?: unknown;
}

/** `tickSize`/`contractSize` numbers kept as the text the venue wrote (`0.0001`, not `1e-4`). */
const NUMBER_FIELDS = /"(tickSize|contractSize)":(-?\d[\d.eE+-]*)/g;

function parseFuturesInstruments(type: MarketType, body: string): InstrumentPage {
  let parsed: { result?: unknown; error?: unknown; instruments?: unknown };
  try {
    parsed = JSON.parse(body.replace(NUMBER_FIELDS, '"$1":"$2"')) as typeof parsed;
  } catch {
    throw new Error('kraken: futures instruments body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error('kraken: futures instruments body is not an object');
  if (parsed.result !== 'success') throw new Error(`kraken: futures instruments failed: ${String(parsed.error ?? parsed.result)}`);
  if (!Array.isArray(parsed.instruments)) throw new Error('kraken: futures instruments without "instruments"');
  const instruments: Instrument[] = [];
  for (const entry of parsed.instruments as FuturesEntry[]) {
    const raw = entry?.symbol;
    if (typeof raw !== 'string') throw new Error(`kraken: futures instrument without "symbol": ${JSON.stringify(entry)}`);
    // WebSocket data names products in upper case (spec §2): the instrument uses that spelling.
    const symbol = raw.toUpperCase();
    const [prefix, pair, date] = symbol.split('_');
    const kind = PREFIXES[prefix ?? ''];
    // Other market types, index and reference rates (IN_, RR_), vanilla (PV_, FV_): skipped.
    if (kind === undefined || kind.type !== type || pair === undefined) continue;
    const { tickSize, contractSize } = entry;
    if (typeof tickSize !== 'string' || typeof contractSize !== 'string') {
      throw new Error(`kraken: futures instrument ${symbol} without "tickSize" or "contractSize"`);
    }
    let base: string;
    let quote: string;
    if (typeof entry.base === 'string' && typeof entry.quote === 'string') {
      base = entry.base;
      quote = entry.quote;
    } else {
      const q = QUOTES.find((x) => pair.endsWith(x) && pair.length > x.length);
      if (q === undefined) continue;
      base = pair.slice(0, -q.length);
      quote = q;
    }
    let expiry: number | undefined;
    if (kind.dated) {
      expiry = typeof entry.lastTradingTime === 'string' ? Date.parse(entry.lastTradingTime) : Number.NaN;
      if (Number.isNaN(expiry) || date === undefined) continue;
    }
    const trading = entry.tradeable === true;
    const common = { venue: 'kraken', type, symbol, base: normalizeAsset(base), quote: normalizeAsset(quote), tickSize, contractSize };
    const status = trading ? 'tradeable' : 'not tradeable';
    instruments.push(expiry === undefined ? { ...common, trading, status } : { ...common, expiry, trading, status });
  }
  return { instruments };
}

/** An instrument list body -> instruments. Throws on a failed call or a body of another shape. */
export function parseInstruments(type: MarketType, body: string): InstrumentPage {
  return type === 'spot' ? parseAssetPairs(body) : parseFuturesInstruments(type, body);
}

import type { Instrument, InstrumentPage, MarketType } from '@level4/feed';

/** Bybit's `category` for each level4 market type. */
export const BYBIT_CATEGORIES = { spot: 'spot', futures: 'linear', inverse: 'inverse' } as const satisfies Record<
  MarketType,
  string
>;

/**
 * Contract types level4 maps, per market type, and whether they are dated. Anything else (a new
 * contract type Bybit adds) is skipped, not guessed at.
 */
const CONTRACT_TYPES: Partial<Record<MarketType, Readonly<Record<string, boolean>>>> = {
  futures: { LinearPerpetual: false, LinearFutures: true },
  inverse: { InversePerpetual: false, InverseFutures: true },
};

/**
 * One page of `GET /v5/market/instruments-info`. Linear and inverse have more symbols than one
 * page holds, so follow `next` (Bybit's `nextPageCursor`) until it is absent.
 */
export function instrumentsUrl(urls: { readonly rest: string }, type: MarketType, cursor?: string): string {
  const url = `${urls.rest}/v5/market/instruments-info?category=${BYBIT_CATEGORIES[type]}&limit=1000`;
  return cursor === undefined ? url : `${url}&cursor=${encodeURIComponent(cursor)}`;
}

interface Body {
  readonly retCode?: unknown;
  readonly retMsg?: unknown;
  readonly result?: { readonly category?: unknown; readonly list?: unknown; readonly nextPageCursor?: unknown } | null;
}

interface Entry {
  readonly symbol?: unknown;
  readonly baseCoin?: unknown;
  readonly quoteCoin?: unknown;
  readonly status?: unknown;
  readonly contractType?: unknown;
  readonly deliveryTime?: unknown;
  readonly priceFilter?: { readonly tickSize?: unknown } | null;
}

/** An instruments-info body -> instruments. Throws on a failed call or a body of another shape. */
export function parseInstruments(type: MarketType, body: string): InstrumentPage {
  const category = BYBIT_CATEGORIES[type];
  let parsed: Body;
  try {
    parsed = JSON.parse(body) as Body;
  } catch {
    throw new Error(`bybit: instruments-info (${category}) body is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`bybit: instruments-info (${category}) body is not an object`);
  if (parsed.retCode !== 0) {
    throw new Error(`bybit: instruments-info (${category}) failed: retCode ${String(parsed.retCode)}, ${String(parsed.retMsg)}`);
  }
  const result = parsed.result;
  if (typeof result !== 'object' || result === null || !Array.isArray(result.list)) {
    throw new Error(`bybit: instruments-info (${category}) without "result.list"`);
  }
  if (result.category !== undefined && result.category !== category) {
    throw new Error(`bybit: instruments-info for category ${String(result.category)}, expected ${category}`);
  }
  const contracts = CONTRACT_TYPES[type];
  const instruments: Instrument[] = [];
  for (const entry of result.list as Entry[]) {
    let dated = false;
    if (contracts !== undefined) {
      const known = contracts[String(entry.contractType)];
      if (known === undefined) continue;
      dated = known;
    }
    const { symbol, baseCoin, quoteCoin, status } = entry;
    const tickSize = entry.priceFilter?.tickSize;
    if (
      typeof symbol !== 'string' ||
      typeof baseCoin !== 'string' ||
      typeof quoteCoin !== 'string' ||
      typeof status !== 'string' ||
      typeof tickSize !== 'string'
    ) {
      throw new Error(
        `bybit: instruments-info (${category}) entry without symbol, baseCoin, quoteCoin, status or priceFilter.tickSize: ${JSON.stringify(entry)}`,
      );
    }
    const base = baseCoin.toUpperCase();
    const quote = quoteCoin.toUpperCase();
    const trading = status === 'Trading';
    if (contracts === undefined) {
      instruments.push({ venue: 'bybit', type, symbol, base, quote, tickSize, trading, status });
      continue;
    }
    // Linear sizes are in base coin, inverse sizes in USD contracts: one unit of size either way.
    const expiry = dated ? Number(entry.deliveryTime) : 0;
    instruments.push(
      expiry > 0
        ? { venue: 'bybit', type, symbol, base, quote, tickSize, contractSize: '1', expiry, trading, status }
        : { venue: 'bybit', type, symbol, base, quote, tickSize, contractSize: '1', trading, status },
    );
  }
  const next = result.nextPageCursor;
  return typeof next === 'string' && next !== '' ? { instruments, next } : { instruments };
}

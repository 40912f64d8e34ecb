import type { Instrument, InstrumentPage, MarketType } from '@level4/feed';

/** The REST hosts the instrument lists live on (a subset of `BINANCE_URLS`). */
export type BinanceRestUrls = Readonly<Record<'spotRest' | 'futuresRest' | 'inverseRest', string>>;

/** exchangeInfo of the market type; one page holds every symbol, so `cursor` is never used. */
export function instrumentsUrl(urls: BinanceRestUrls, type: MarketType, _cursor?: string): string {
  switch (type) {
    case 'spot':
      return `${urls.spotRest}/api/v3/exchangeInfo`;
    case 'futures':
      return `${urls.futuresRest}/fapi/v1/exchangeInfo`;
    case 'inverse':
      return `${urls.inverseRest}/dapi/v1/exchangeInfo`;
  }
}

/** Perpetuals have no expiry (USD-M still sends a far-future `deliveryDate`, ignored). */
const PERPETUAL = new Set(['PERPETUAL']);
/**
 * Dated contracts expire at `deliveryDate`. A `*_DELIVERING` type is a contract being settled
 * or delisted: it does end at `deliveryDate`, so it is dated too.
 */
const DATED = new Set([
  'CURRENT_MONTH',
  'NEXT_MONTH',
  'CURRENT_QUARTER',
  'NEXT_QUARTER',
  'CURRENT_QUARTER_DELIVERING',
  'NEXT_QUARTER_DELIVERING',
  'PERPETUAL_DELIVERING',
]);

type Entry = Record<string, unknown>;

/**
 * exchangeInfo body -> instruments. Entries that cannot be mapped (an unknown contract type, no
 * PRICE_FILTER, missing assets) are skipped; a body without a `symbols` array throws.
 */
export function parseInstruments(type: MarketType, body: string): InstrumentPage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error(`binance: ${type} exchangeInfo is not JSON`);
  }
  const symbols = typeof json === 'object' && json !== null ? (json as Entry).symbols : undefined;
  if (!Array.isArray(symbols)) {
    const error = json as Entry | null;
    const detail = error && 'code' in error && 'msg' in error ? `: code ${String(error.code)}: ${String(error.msg)}` : '';
    throw new Error(`binance: ${type} exchangeInfo without "symbols" array${detail}`);
  }
  const instruments: Instrument[] = [];
  for (const entry of symbols) {
    if (typeof entry !== 'object' || entry === null) continue;
    const instrument = type === 'spot' ? spot(entry as Entry) : contract(type, entry as Entry);
    if (instrument) instruments.push(instrument);
  }
  return { instruments };
}

function spot(e: Entry): Instrument | undefined {
  const { symbol, status, baseAsset, quoteAsset } = e;
  const tickSize = priceTick(e.filters);
  if (!isText(symbol) || !isText(status) || !isText(baseAsset) || !isText(quoteAsset) || tickSize === undefined) return undefined;
  return {
    venue: 'binance',
    type: 'spot',
    symbol,
    base: baseAsset.toUpperCase(),
    quote: quoteAsset.toUpperCase(),
    tickSize,
    trading: status === 'TRADING',
    status,
  };
}

/** USD-M (`status`, sizes in base asset) and COIN-M (`contractStatus`, sizes in contracts of `contractSize` USD). */
function contract(type: 'futures' | 'inverse', e: Entry): Instrument | undefined {
  const { symbol, baseAsset, quoteAsset, contractType, deliveryDate } = e;
  const status = type === 'inverse' ? e.contractStatus : e.status;
  const tickSize = priceTick(e.filters);
  if (!isText(symbol) || !isText(status) || !isText(baseAsset) || !isText(quoteAsset) || tickSize === undefined) return undefined;
  if (!isText(contractType)) return undefined;
  let expiry: number | undefined;
  if (DATED.has(contractType)) {
    if (typeof deliveryDate !== 'number' || !Number.isSafeInteger(deliveryDate)) return undefined;
    expiry = deliveryDate;
  } else if (!PERPETUAL.has(contractType)) {
    return undefined; // a product line this adapter does not know yet
  }
  // USD-M quantities are in base asset, i.e. one contract = 1 base unit.
  const size = type === 'inverse' ? e.contractSize : '1';
  if (typeof size !== 'number' && !isText(size)) return undefined;
  const instrument: Instrument = {
    venue: 'binance',
    type,
    symbol,
    base: baseAsset.toUpperCase(),
    quote: quoteAsset.toUpperCase(),
    tickSize,
    contractSize: String(size),
    trading: status === 'TRADING',
    status,
  };
  return expiry === undefined ? instrument : { ...instrument, expiry };
}

/** `filters[]` entry `PRICE_FILTER` -> `tickSize` text. */
function priceTick(filters: unknown): string | undefined {
  if (!Array.isArray(filters)) return undefined;
  for (const f of filters as Entry[]) {
    if (f && f.filterType === 'PRICE_FILTER') return isText(f.tickSize) ? f.tickSize : undefined;
  }
  return undefined;
}

function isText(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

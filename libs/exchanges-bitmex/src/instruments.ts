import type { Instrument, InstrumentPage, MarketType } from '@level4/feed';
import { numberText } from './parse.js';

/**
 * BitMEX instrument types (`typ`, spec §1) level4 maps. Anything else (indices `MRCXXX`, prediction
 * markets, options, a type BitMEX adds later) is skipped, not guessed at.
 */
const SPOT = 'IFXXXP';
const PERPETUAL = 'FFWCSX';
const DATED = 'FFCCSX';

/** BitMEX writes Bitcoin as XBT (and satoshis as XBt); level4 names it BTC (spec §2). */
export function assetCode(code: string): string {
  const upper = code.toUpperCase();
  return upper === 'XBT' ? 'BTC' : upper;
}

/**
 * `GET /api/v1/instrument/active`: every active instrument of every type in one list (no pages);
 * the market type is told apart by `typ` and `isInverse` when the body is read.
 */
export function instrumentsUrl(urls: { readonly rest: string }, _type: MarketType, _cursor?: string): string {
  return `${urls.rest}/instrument/active`;
}

interface Entry {
  readonly symbol?: unknown;
  readonly rootSymbol?: unknown;
  readonly underlying?: unknown;
  readonly quoteCurrency?: unknown;
  readonly typ?: unknown;
  readonly state?: unknown;
  readonly tickSize?: unknown;
  readonly isInverse?: unknown;
  readonly isQuanto?: unknown;
  readonly underlyingToPositionMultiplier?: unknown;
  readonly expiry?: unknown;
}

/** The level4 market type of an entry, or undefined for instruments level4 does not map. */
function typeOf(entry: Entry): MarketType | undefined {
  if (entry.typ === SPOT) return 'spot';
  if (entry.typ !== PERPETUAL && entry.typ !== DATED) return undefined;
  // Inverse (XBTUSD: priced in USD, margined and settled in XBT) vs linear and quanto contracts.
  return entry.isInverse === true ? 'inverse' : 'futures';
}

/**
 * What one contract is, as decimal text: `1 / underlyingToPositionMultiplier` of the base asset for
 * linear contracts (spec §2), one unit of the quote currency (1 USD) for inverse ones. Quanto
 * contracts (a fixed settlement-currency amount per point of price) have no base-asset size: absent.
 */
function contractSizeOf(entry: Entry): string | undefined {
  if (entry.isInverse === true) return '1';
  const multiplier = entry.underlyingToPositionMultiplier;
  if (typeof multiplier === 'number' && multiplier > 0) return reciprocal(multiplier);
  return entry.isQuanto === true ? undefined : '1';
}

/** 1 / m as exact decimal text when m is a power of ten (BitMEX's multipliers are), else its shortest round-trip text. */
function reciprocal(m: number): string {
  const digits = String(m);
  if (/^10*$/.test(digits)) return digits.length === 1 ? '1' : `0.${'0'.repeat(digits.length - 2)}1`;
  return numberText(1 / m);
}

/** An `instrument/active` body -> the instruments of one market type. Throws on a body of another shape. */
export function parseInstruments(type: MarketType, body: string): InstrumentPage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error('bitmex: instrument/active body is not JSON');
  }
  if (!Array.isArray(parsed)) {
    const error = typeof parsed === 'object' && parsed !== null ? (parsed as { error?: { message?: unknown } }).error : undefined;
    if (error !== undefined) throw new Error(`bitmex: instrument/active failed: ${String(error.message ?? JSON.stringify(error))}`);
    throw new Error('bitmex: instrument/active body is not an array');
  }
  const instruments: Instrument[] = [];
  for (const entry of parsed as Entry[]) {
    if (typeof entry !== 'object' || entry === null) throw new Error(`bitmex: instrument/active entry is not an object: ${JSON.stringify(entry)}`);
    if (typeOf(entry) !== type) continue;
    const { symbol, quoteCurrency, state, tickSize } = entry;
    const root = typeof entry.underlying === 'string' && entry.underlying !== '' ? entry.underlying : entry.rootSymbol;
    if (typeof symbol !== 'string' || typeof root !== 'string' || typeof quoteCurrency !== 'string' || typeof state !== 'string' || typeof tickSize !== 'number') {
      throw new Error(`bitmex: instrument/active entry without symbol, underlying, quoteCurrency, state or tickSize: ${JSON.stringify(entry)}`);
    }
    const common = {
      venue: 'bitmex',
      type,
      symbol,
      base: assetCode(root),
      quote: assetCode(quoteCurrency),
      tickSize: numberText(tickSize),
    } as const;
    const trading = state === 'Open';
    if (type === 'spot') {
      instruments.push({ ...common, trading, status: state });
      continue;
    }
    const contractSize = contractSizeOf(entry);
    const expiry = entry.typ === DATED && typeof entry.expiry === 'string' ? Date.parse(entry.expiry) : Number.NaN;
    instruments.push({
      ...common,
      ...(contractSize === undefined ? {} : { contractSize }),
      ...(Number.isFinite(expiry) ? { expiry } : {}),
      trading,
      status: state,
    });
  }
  return { instruments };
}

import type { Instrument, InstrumentPage, MarketType } from '@level4/feed';

/** HitBTC's `type` field of a symbol for each level4 market type it has (no inverse contracts). */
export const HITBTC_TYPES = { spot: 'spot', futures: 'futures' } as const satisfies Partial<Record<MarketType, string>>;

/**
 * `GET /api/3/public/symbol`: every symbol of every type in one unpaginated object, keyed by
 * symbol (spec §2). The same list serves spot and futures; `parseInstruments` keeps one type.
 */
export function instrumentsUrl(urls: { readonly rest: string }, type: MarketType, _cursor?: string): string {
  if (!(type in HITBTC_TYPES)) throw new Error(`hitbtc: no market type ${JSON.stringify(type)}`);
  return `${urls.rest}/public/symbol`;
}

interface Entry {
  readonly type?: unknown;
  readonly base_currency?: unknown;
  readonly quote_currency?: unknown;
  readonly underlying?: unknown;
  readonly status?: unknown;
  readonly tick_size?: unknown;
  readonly expiry?: unknown;
}

/** The status of a symbol that trades; only such symbols are subscribed (spec §2). */
const WORKING = 'working';

/** A symbol list body -> the instruments of one market type. Throws on an error answer or a body of another shape. */
export function parseInstruments(type: MarketType, body: string): InstrumentPage {
  const wanted = (HITBTC_TYPES as Partial<Record<MarketType, string>>)[type];
  if (wanted === undefined) throw new Error(`hitbtc: no market type ${JSON.stringify(type)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error('hitbtc: symbol list body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('hitbtc: symbol list body is not an object');
  const failure = (parsed as { error?: { code?: unknown; message?: unknown } }).error;
  if (typeof failure === 'object' && failure !== null) {
    throw new Error(`hitbtc: symbol list failed: ${String(failure.code)} ${String(failure.message)}`);
  }
  const instruments: Instrument[] = [];
  for (const [symbol, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null) throw new Error(`hitbtc: symbol list entry ${symbol} is not an object`);
    const entry = value as Entry;
    if (entry.type !== wanted) continue;
    const { status, tick_size: tickSize, quote_currency: quoteCurrency } = entry;
    // Futures may name their base only as `underlying` (field names UNCONFIRMED in the spec).
    const baseCurrency = typeof entry.base_currency === 'string' && entry.base_currency !== '' ? entry.base_currency : entry.underlying;
    if (typeof status !== 'string' || typeof tickSize !== 'string') {
      throw new Error(`hitbtc: symbol list entry ${symbol} without status or tick_size: ${JSON.stringify(entry)}`);
    }
    if (typeof baseCurrency !== 'string' || baseCurrency === '' || typeof quoteCurrency !== 'string' || quoteCurrency === '') continue;
    const base = baseCurrency.toUpperCase();
    const quote = quoteCurrency.toUpperCase();
    const trading = status === WORKING;
    if (type === 'spot') {
      instruments.push({ venue: 'hitbtc', type, symbol, base, quote, tickSize, trading, status });
      continue;
    }
    // Futures sizes are in base currency units (spec §2): one unit of size. `_PERP` = perpetual.
    const expiry = expiryOf(entry.expiry);
    if (expiry === null) continue; // a dated contract whose delivery time cannot be read
    instruments.push(
      expiry === undefined || symbol.endsWith('_PERP')
        ? { venue: 'hitbtc', type, symbol, base, quote, tickSize, contractSize: '1', trading, status }
        : { venue: 'hitbtc', type, symbol, base, quote, tickSize, contractSize: '1', expiry, trading, status },
    );
  }
  return { instruments };
}

/** `expiry` of a futures symbol: absent/null = perpetual; ms or RFC 3339 text = dated; null = unreadable. */
function expiryOf(value: unknown): number | undefined | null {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? (/^\d+$/.test(value) ? Number(value) : Date.parse(value)) : Number.NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

import type { Instrument, InstrumentPage, MarketType } from '@level4/feed';

/**
 * `GET /markets`: every spot market in one unpaginated array (spec §2). Poloniex spot is the only
 * market type level4 reads (futures v3 is a different API).
 */
export function instrumentsUrl(urls: { readonly spotRest: string }, type: MarketType, _cursor?: string): string {
  if (type !== 'spot') throw new Error(`poloniex: no market type ${JSON.stringify(type)}`);
  return `${urls.spotRest}/markets`;
}

interface Entry {
  readonly symbol?: unknown;
  readonly baseCurrencyName?: unknown;
  readonly quoteCurrencyName?: unknown;
  readonly state?: unknown;
  readonly symbolTradeLimit?: { readonly priceScale?: unknown } | null;
}

/** The state of a market that trades; only such markets are subscribed (spec §2). */
const NORMAL = 'NORMAL';

/** A market list body -> the spot instruments. Throws on an error answer or a body of another shape. */
export function parseInstruments(type: MarketType, body: string): InstrumentPage {
  if (type !== 'spot') throw new Error(`poloniex: no market type ${JSON.stringify(type)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error('poloniex: market list body is not JSON');
  }
  if (!Array.isArray(parsed)) {
    const failure = parsed as { code?: unknown; message?: unknown } | null;
    if (typeof failure === 'object' && failure !== null && failure.message !== undefined) {
      throw new Error(`poloniex: market list failed: ${String(failure.code)} ${String(failure.message)}`);
    }
    throw new Error('poloniex: market list body is not an array');
  }
  const instruments: Instrument[] = [];
  for (const value of parsed as unknown[]) {
    if (typeof value !== 'object' || value === null) throw new Error(`poloniex: market list entry is not an object: ${JSON.stringify(value)}`);
    const { symbol, baseCurrencyName, quoteCurrencyName, state, symbolTradeLimit } = value as Entry;
    if (typeof symbol !== 'string' || symbol === '' || typeof state !== 'string') {
      throw new Error(`poloniex: market list entry without symbol or state: ${JSON.stringify(value).slice(0, 200)}`);
    }
    if (typeof baseCurrencyName !== 'string' || baseCurrencyName === '' || typeof quoteCurrencyName !== 'string' || quoteCurrencyName === '') continue;
    const tickSize = tickOf(symbolTradeLimit?.priceScale);
    if (tickSize === undefined) continue; // no price scale: the tick cannot be told
    instruments.push({
      venue: 'poloniex',
      type,
      symbol,
      base: baseCurrencyName.toUpperCase(),
      quote: quoteCurrencyName.toUpperCase(),
      tickSize,
      trading: state === NORMAL,
      status: state,
    });
  }
  return { instruments };
}

/** `priceScale` (decimals) -> tick as text: 2 -> "0.01", 0 -> "1". */
function tickOf(scale: unknown): string | undefined {
  if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > 20) return undefined;
  return scale === 0 ? '1' : `0.${'0'.repeat(scale - 1)}1`;
}

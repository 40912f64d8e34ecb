import type { Instrument, InstrumentPage, MarketType } from '@level4/feed';

/**
 * Bitfinex's configuration list of trading pairs for each level4 market type (spec §2): spot pairs
 * (`exchange`) and derivatives perpetuals (`futures`, the docs' name). Names come without the `t`.
 */
export const BITFINEX_PAIR_LISTS = { spot: 'exchange', futures: 'futures' } as const satisfies Partial<Record<MarketType, string>>;

/**
 * Bitfinex asset codes that differ from the usual ones (spec §2). Only the aliases the spec names;
 * any other code passes through upper case.
 */
export const BITFINEX_ASSET_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  UST: 'USDT',
  BCHN: 'BCH',
  IOT: 'IOTA',
  DSH: 'DASH',
});

/** `GET /v2/conf/pub:list:pair:<list>`: one request, the whole list (no pages). */
export function instrumentsUrl(urls: { readonly rest: string }, type: MarketType, _cursor?: string): string {
  const list = (BITFINEX_PAIR_LISTS as Partial<Record<MarketType, string>>)[type];
  if (list === undefined) throw new Error(`bitfinex: no market type ${JSON.stringify(type)}`);
  return `${urls.rest}/v2/conf/pub:list:pair:${list}`;
}

/** A normalized asset code. */
function asset(code: string): string {
  const upper = code.toUpperCase();
  return BITFINEX_ASSET_ALIASES[upper] ?? upper;
}

/**
 * A pair name without the `t` -> its base and quote codes as Bitfinex writes them, or undefined
 * when the name cannot be split (not 6 letters and no colon).
 */
export function splitPair(name: string): [base: string, quote: string] | undefined {
  const colon = name.indexOf(':');
  if (colon > 0) {
    const base = name.slice(0, colon);
    const quote = name.slice(colon + 1);
    return base !== '' && quote !== '' && !quote.includes(':') ? [base, quote] : undefined;
  }
  return name.length === 6 ? [name.slice(0, 3), name.slice(3)] : undefined;
}

/**
 * A `pub:list:pair:*` body (`[["BTCUSD","AAVE:USD",...]]`) -> instruments. Everything listed is
 * trading (the list has no status); test pairs (`TEST...`) and names that cannot be split are
 * skipped; perpetuals must be `<BASE>F0:<QUOTE>F0`. Bitfinex has no per-pair tick (prices have 5
 * significant digits), so `tickSize` is `'0'`. Throws on a body of another shape.
 */
export function parseInstruments(type: MarketType, body: string): InstrumentPage {
  const list = (BITFINEX_PAIR_LISTS as Partial<Record<MarketType, string>>)[type];
  if (list === undefined) throw new Error(`bitfinex: no market type ${JSON.stringify(type)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error(`bitfinex: pub:list:pair:${list} body is not JSON`);
  }
  if (!Array.isArray(parsed) || !Array.isArray(parsed[0])) {
    throw new Error(`bitfinex: pub:list:pair:${list} body is not a list of pair names ([[...]])`);
  }
  const instruments: Instrument[] = [];
  for (const name of parsed[0] as unknown[]) {
    if (typeof name !== 'string') throw new Error(`bitfinex: pub:list:pair:${list} entry is not a pair name: ${JSON.stringify(name)}`);
    if (name.startsWith('TEST')) continue;
    const pair = splitPair(name);
    if (pair === undefined) continue;
    const symbol = `t${name}`;
    if (type === 'spot') {
      instruments.push({ venue: 'bitfinex', type, symbol, base: asset(pair[0]), quote: asset(pair[1]), tickSize: '0', trading: true, status: 'listed' });
      continue;
    }
    const [base, quote] = pair;
    if (!base.endsWith('F0') || !quote.endsWith('F0')) continue;
    // Perpetual sizes are in base units (spec §5): one unit of size is one base coin.
    instruments.push({
      venue: 'bitfinex',
      type,
      symbol,
      base: asset(base.slice(0, -2)),
      quote: asset(quote.slice(0, -2)),
      tickSize: '0',
      contractSize: '1',
      trading: true,
      status: 'listed',
    });
  }
  return { instruments };
}

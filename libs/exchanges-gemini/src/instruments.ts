import type { Instrument, InstrumentPage, MarketType } from '@level4/feed';

/**
 * Which of Gemini's two public WebSocket market-data APIs an adapter speaks (spec §0):
 * - `ws`: the WebSocket API at `wss://ws.gemini.com` (Gemini's production API, update ids with a gap rule);
 * - `v2`: Market Data v2 at `wss://api.gemini.com/v2/marketdata` (no sequence numbers).
 * They differ in the symbol's case: `btcusd` on `ws`, `BTCUSD` on `v2`.
 */
export type GeminiApi = 'ws' | 'v2';

/**
 * Quote currencies Gemini lists, longest first so that `btcgusd` is BTC/GUSD and `ethusdt` ETH/USDT
 * (spec §2: symbol = base + quote, some quotes have 4 letters).
 */
export const GEMINI_QUOTES: readonly string[] = Object.freeze(
  ['RLUSD', 'GUSD', 'USDT', 'USDC', 'USD', 'DAI', 'BTC', 'ETH', 'EUR', 'GBP', 'SGD', 'AUD', 'CAD', 'LTC', 'BCH'].sort((a, b) => b.length - a.length),
);

/**
 * `GET /v1/symbols` (the list), or with `cursor` = a symbol, `GET /v1/symbols/details/{symbol}`.
 * The engine reads the list only (see the README: the contract cannot chain one details request per
 * symbol); the details URL is here for callers that page by hand.
 */
export function instrumentsUrl(urls: { readonly rest: string }, _type: MarketType, cursor?: string): string {
  return cursor === undefined ? `${urls.rest}/v1/symbols` : `${urls.rest}/v1/symbols/details/${encodeURIComponent(cursor.toLowerCase())}`;
}

/** `btcgusd` -> `['BTC', 'GUSD']`; undefined when no known quote ends the symbol. */
export function splitSymbol(symbol: string): readonly [base: string, quote: string] | undefined {
  const upper = symbol.toUpperCase();
  for (const quote of GEMINI_QUOTES) {
    if (upper.length > quote.length && upper.endsWith(quote)) return [upper.slice(0, -quote.length), quote];
  }
  return undefined;
}

interface Details {
  readonly symbol?: unknown;
  readonly base_currency?: unknown;
  readonly quote_currency?: unknown;
  readonly quote_increment?: unknown;
  readonly status?: unknown;
}

/**
 * An instrument list body -> instruments. Reads both Gemini bodies:
 * - `/v1/symbols` (`["btcusd","ethbtc",...]`): base/quote split by the known quotes (symbols no
 *   known quote ends, and perpetuals `...perp`, are skipped); the list carries no tick size and no
 *   status, so `tickSize` is `''` (unknown) and every listed symbol counts as trading (status `listed`).
 * - `/v1/symbols/details/{symbol}`: one instrument, tick size = `quote_increment` (not `tick_size`,
 *   which is the quantity step, spec §2), `trading` = status `open`.
 * `api` picks the symbol's case: lower on the WebSocket API, upper on v2.
 */
export function parseInstruments(type: MarketType, body: string, api: GeminiApi = 'ws'): InstrumentPage {
  if (type !== 'spot') throw new Error(`gemini: no market type ${JSON.stringify(type)} (spot only)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error('gemini: instrument list body is not JSON');
  }
  const cased = (symbol: string) => (api === 'v2' ? symbol.toUpperCase() : symbol.toLowerCase());
  if (Array.isArray(parsed)) {
    const instruments: Instrument[] = [];
    for (const entry of parsed) {
      if (typeof entry !== 'string') throw new Error(`gemini: /v1/symbols entry is not a symbol: ${JSON.stringify(entry)}`);
      if (entry.toLowerCase().endsWith('perp')) continue;
      const pair = splitSymbol(entry);
      if (pair === undefined) continue;
      instruments.push({ venue: 'gemini', type, symbol: cased(entry), base: pair[0], quote: pair[1], tickSize: '', trading: true, status: 'listed' });
    }
    return { instruments };
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error('gemini: instrument list body is neither a symbol list nor symbol details');
  const details = parsed as Details;
  const { symbol, base_currency: base, quote_currency: quote, status } = details;
  if (typeof symbol !== 'string' || typeof base !== 'string' || typeof quote !== 'string' || typeof status !== 'string') {
    throw new Error(`gemini: symbol details without symbol, base_currency, quote_currency or status: ${body.slice(0, 200)}`);
  }
  const tickSize = numberText(body, 'quote_increment');
  if (tickSize === undefined) throw new Error(`gemini: symbol details of ${symbol} without a numeric "quote_increment"`);
  return {
    instruments: [
      { venue: 'gemini', type, symbol: cased(symbol), base: base.toUpperCase(), quote: quote.toUpperCase(), tickSize, trading: status === 'open', status },
    ],
  };
}

const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/;

/**
 * The decimal text of a JSON number field as Gemini wrote it, exponent expanded (`1E-8` ->
 * `0.00000001`), never via a float.
 */
function numberText(body: string, field: string): string | undefined {
  const key = `"${field}":`;
  const at = body.indexOf(key);
  if (at < 0) return undefined;
  const match = NUMBER.exec(body.slice(at + key.length).trimStart());
  return match === null ? undefined : expand(match[0]);
}

/** `1E-8` -> `0.00000001`, `2.5e3` -> `2500`; plain decimals unchanged. */
function expand(text: string): string {
  const e = text.search(/[eE]/);
  if (e < 0) return text;
  const exponent = Number(text.slice(e + 1));
  let digits = text.slice(0, e);
  const negative = digits.startsWith('-');
  if (negative) digits = digits.slice(1);
  const dot = digits.indexOf('.');
  const intPart = dot < 0 ? digits : digits.slice(0, dot);
  const fraction = dot < 0 ? '' : digits.slice(dot + 1);
  const all = intPart + fraction;
  const point = intPart.length + exponent;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${all}`;
  else if (point >= all.length) out = all + '0'.repeat(point - all.length);
  else out = `${all.slice(0, point)}.${all.slice(point)}`;
  out = out.replace(/^0+(?=\d)/, '');
  if (out.includes('.')) out = out.replace(/0+$/, '').replace(/\.$/, '');
  return negative ? `-${out}` : out;
}

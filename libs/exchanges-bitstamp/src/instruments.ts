import type { Instrument, InstrumentPage, MarketType } from '@level4/feed';

/** The REST host the instrument list lives on (a subset of `BITSTAMP_URLS`). */
export type BitstampRestUrls = Readonly<Record<'spotRest', string>>;

/** `GET /api/v2/markets/`: one page holds every market, so `cursor` is never used. Spot only. */
export function instrumentsUrl(urls: BitstampRestUrls, type: MarketType, _cursor?: string): string {
  if (type !== 'spot') throw new Error(`bitstamp: no ${type} markets (spot only)`);
  return `${urls.spotRest}/api/v2/markets/`;
}

type Entry = Record<string, unknown>;

/**
 * Markets body -> instruments. Reads `/api/v2/markets/` (`market_symbol`, `base_currency`,
 * `counter_currency`, `market_type`) and the legacy `/api/v2/trading-pairs-info/` (`url_symbol`,
 * `name` "BTC/USD"). The symbol is built from base + quote in lower case and must equal the
 * venue's own (never guessed); tick size = 10^-counter_decimals; trading = `trading` "Enabled".
 * Entries that cannot be mapped, and markets that are not spot (perpetuals), are skipped; a body
 * that is not an array throws.
 */
export function parseInstruments(type: MarketType, body: string): InstrumentPage {
  if (type !== 'spot') throw new Error(`bitstamp: no ${type} markets (spot only)`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('bitstamp: markets list is not JSON');
  }
  if (!Array.isArray(json)) {
    const error = typeof json === 'object' && json !== null ? (json as Entry) : undefined;
    const reason = error?.reason ?? error?.message ?? error?.error;
    throw new Error(`bitstamp: markets list is not an array${reason === undefined ? '' : `: ${JSON.stringify(reason)}`}`);
  }
  const instruments: Instrument[] = [];
  for (const entry of json) {
    if (typeof entry !== 'object' || entry === null) continue;
    const instrument = market(entry as Entry);
    if (instrument) instruments.push(instrument);
  }
  return { instruments };
}

function market(e: Entry): Instrument | undefined {
  // Perpetuals share the list (and the socket) with market_type other than SPOT: out of scope.
  if (e.market_type !== undefined && e.market_type !== 'SPOT') return undefined;
  const symbol = e.market_symbol ?? e.url_symbol;
  let base = e.base_currency;
  let quote = e.counter_currency;
  if (base === undefined && quote === undefined && isText(e.name)) [base, quote] = e.name.split('/');
  const status = e.trading;
  const decimals = e.counter_decimals;
  if (!isText(symbol) || !isText(base) || !isText(quote) || !isText(status)) return undefined;
  if (typeof decimals !== 'number' || !Number.isSafeInteger(decimals) || decimals < 0 || decimals > 30) return undefined;
  if (`${base}${quote}`.toLowerCase() !== symbol) return undefined;
  return {
    venue: 'bitstamp',
    type: 'spot',
    symbol,
    base: base.toUpperCase(),
    quote: quote.toUpperCase(),
    tickSize: tick(decimals),
    trading: status === 'Enabled',
    status,
  };
}

/** 10^-decimals as decimal text: 2 -> `0.01`, 0 -> `1`. */
function tick(decimals: number): string {
  return decimals === 0 ? '1' : `0.${'0'.repeat(decimals - 1)}1`;
}

function isText(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

import type { Instrument, InstrumentPage, MarketType } from '@level4/feed';

/**
 * Price ticks of bitFlyer's spot products. `/v1/markets` carries none (spec §2): these are the
 * decimals observed in bitFlyer's data, kept as configuration. A spot product not listed here has
 * no tick to check `mid_price` against and is skipped.
 */
export const BITFLYER_TICKS: Readonly<Record<string, string>> = Object.freeze({
  BTC_JPY: '1',
  ETH_JPY: '1',
  XRP_JPY: '0.01',
  XLM_JPY: '0.001',
  MONA_JPY: '0.001',
  BCH_BTC: '0.00001',
});

/** What level4 tells a caller who names a bitFlyer product that is not spot. */
export const SPOT_ONLY = 'bitFlyer support is spot only';

/**
 * `GET /v1/markets`: every product of bitFlyer Japan in one answer (no pages). Only `spot` exists
 * for this venue; other market types are refused.
 */
export function instrumentsUrl(urls: { readonly rest: string }, type: MarketType, _cursor?: string): string {
  if (type !== 'spot') throw new Error(`bitflyer: no ${JSON.stringify(type)} markets: ${SPOT_ONLY}`);
  return `${urls.rest}/v1/markets`;
}

interface Entry {
  readonly product_code?: unknown;
  readonly market_type?: unknown;
  readonly alias?: unknown;
}

/**
 * A `/v1/markets` body -> the spot instruments. `market_type: "Spot"` entries trade; `FX_BTC_JPY`
 * (Crypto CFD, market type `FX`) and the `Futures` products share channel names with spot, so they
 * are listed as never trading, their status saying why (see {@link nonSpotReason}): a market spec
 * naming one is refused with that reason, and BTC/JPY still resolves to the spot BTC_JPY.
 */
export function parseInstruments(type: MarketType, body: string): InstrumentPage {
  if (type !== 'spot') throw new Error(`bitflyer: no ${JSON.stringify(type)} markets: ${SPOT_ONLY}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error('bitflyer: /v1/markets body is not JSON');
  }
  if (!Array.isArray(parsed)) throw new Error('bitflyer: /v1/markets body is not an array of products');
  const instruments: Instrument[] = [];
  for (const entry of parsed as Entry[]) {
    const { product_code: symbol, market_type: marketType } = (entry ?? {}) as Entry;
    if (typeof symbol !== 'string' || typeof marketType !== 'string') {
      throw new Error(`bitflyer: /v1/markets entry without "product_code" or "market_type": ${JSON.stringify(entry)}`);
    }
    if (marketType !== 'Spot') {
      // Listed as not trading, with the reason: a spec naming it is refused with that reason.
      const reason = nonSpotReason(symbol);
      if (reason !== undefined) instruments.push(nonSpot(symbol, reason, type));
      continue;
    }
    const tickSize = BITFLYER_TICKS[symbol];
    const parts = symbol.split('_');
    if (tickSize === undefined || parts.length !== 2 || parts[0] === '' || parts[1] === '') continue;
    const base = (parts[0] as string).toUpperCase();
    const quote = (parts[1] as string).toUpperCase();
    // The list has no state: a listed spot product trades (its board state is not in this list).
    instruments.push({ venue: 'bitflyer', type, symbol, base, quote, tickSize, trading: true, status: marketType });
  }
  return { instruments };
}

/** A CFD or futures product, as an instrument that never trades here (its base/quote when readable). */
function nonSpot(symbol: string, reason: string, type: MarketType): Instrument {
  const assets = /^(?:FX_)?([A-Z]{3,4})_?(JPY|USD|EUR)/.exec(symbol.toUpperCase());
  return {
    venue: 'bitflyer',
    type,
    symbol,
    base: assets?.[1] ?? symbol,
    quote: assets?.[2] ?? '',
    tickSize: '',
    trading: false,
    status: reason.replace(/^bitflyer: /, ''),
  };
}

/**
 * Why a product code is not a spot market level4 serves, or undefined when it may be one:
 * `FX_BTC_JPY` (Crypto CFD) and dated futures (`BTCJPY17DEC2021`, aliases `BTCJPY_MAT1WK`...).
 */
export function nonSpotReason(symbol: string): string | undefined {
  const code = symbol.toUpperCase();
  if (code.startsWith('FX_')) return `bitflyer: ${symbol} is bitFlyer Crypto CFD, not spot: ${SPOT_ONLY}`;
  if (/^[A-Z]+\d{2}[A-Z]{3}\d{4}$/.test(code) || /_MAT(1WK|2WK|3M)$/.test(code)) return `bitflyer: ${symbol} is a Lightning Futures contract, not spot: ${SPOT_ONLY}`;
  return undefined;
}

import type { Instrument, InstrumentPage, MarketType } from '@level4/feed';

/**
 * The public product list, `GET /api/v3/brokerage/market/products?product_type=SPOT` (spec §2). It
 * answers every product in one page (`pagination.has_next: false`; 920 products in the 2026-08-09
 * recording), so there is no cursor to follow.
 */
export function instrumentsUrl(urls: { readonly rest: string }, type: MarketType, _cursor?: string): string {
  if (type !== 'spot') throw new Error(`coinbase: no market type ${JSON.stringify(type)} (spot only)`);
  return `${urls.rest}/market/products?product_type=SPOT`;
}

interface Body {
  readonly products?: unknown;
}

interface Product {
  readonly product_id?: unknown;
  readonly base_currency_id?: unknown;
  readonly quote_currency_id?: unknown;
  readonly price_increment?: unknown;
  readonly status?: unknown;
  readonly trading_disabled?: unknown;
  readonly is_disabled?: unknown;
  readonly product_type?: unknown;
  readonly alias?: unknown;
}

/**
 * A products body -> spot instruments. Futures and perpetuals listed on the same API (`FUTURE`) are
 * skipped. Trading = `online`, not disabled, and not an alias: an aliased product (`BTC-USDC` with
 * `alias: "BTC-USD"`) streams the other product's book on the market-data socket, so level4 does
 * not subscribe it (its status says whose alias it is).
 */
export function parseInstruments(type: MarketType, body: string): InstrumentPage {
  if (type !== 'spot') throw new Error(`coinbase: no market type ${JSON.stringify(type)} (spot only)`);
  let parsed: Body;
  try {
    parsed = JSON.parse(body) as Body;
  } catch {
    throw new Error('coinbase: products body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.products)) {
    throw new Error('coinbase: products body without a "products" array');
  }
  const instruments: Instrument[] = [];
  for (const product of parsed.products as Product[]) {
    if (typeof product !== 'object' || product === null) throw new Error(`coinbase: product entry is not an object: ${JSON.stringify(product)}`);
    if (product.product_type !== 'SPOT') continue;
    const { product_id: symbol, base_currency_id: base, quote_currency_id: quote, price_increment: tickSize, status } = product;
    if (typeof symbol !== 'string' || typeof base !== 'string' || typeof quote !== 'string' || typeof tickSize !== 'string' || typeof status !== 'string') {
      throw new Error(
        `coinbase: product without product_id, base_currency_id, quote_currency_id, price_increment or status: ${JSON.stringify(product)}`,
      );
    }
    const alias = typeof product.alias === 'string' ? product.alias : '';
    const open = status === 'online' && product.trading_disabled !== true && product.is_disabled !== true;
    instruments.push({
      venue: 'coinbase',
      type,
      symbol,
      base: base.toUpperCase(),
      quote: quote.toUpperCase(),
      tickSize,
      trading: open && alias === '',
      status: alias === '' ? status : `${status}, alias of ${alias} (its market data is ${alias}'s)`,
    });
  }
  return { instruments };
}

import type { Instrument, MarketSpec } from './adapter.js';

/** Why a market spec does not name one tradable instrument; the message says what to fix. */
export class MarketError extends Error {
  override readonly name = 'MarketError';
  constructor(
    message: string,
    /** `not-listed`: the venue lists no such instrument; `invalid`: the spec is ambiguous, contradictory, or names a halted market. */
    readonly reason: 'not-listed' | 'invalid' = 'invalid',
  ) {
    super(message);
  }
}

/**
 * Picks the instrument a market spec names. With `symbol`, that symbol (case-insensitive);
 * otherwise the instrument with that base and quote, preferring the perpetual among contracts.
 * Throws MarketError when none or several match, or when the venue does not let it trade.
 */
export function resolveInstrument(instruments: readonly Instrument[], spec: MarketSpec): Instrument {
  const name = spec.symbol
    ? `${spec.venue} ${spec.type} symbol ${spec.symbol}`
    : `${spec.venue} ${spec.type} ${spec.base}/${spec.quote}`;
  let found: Instrument | undefined;
  if (spec.symbol) {
    const wanted = spec.symbol.toUpperCase();
    found = instruments.find((i) => i.symbol.toUpperCase() === wanted);
    if (found && spec.base && spec.quote && (found.base !== spec.base.toUpperCase() || found.quote !== spec.quote.toUpperCase())) {
      throw new MarketError(`${name} is ${found.base}/${found.quote}, not ${spec.base}/${spec.quote}`);
    }
  } else {
    const base = spec.base.toUpperCase();
    const quote = spec.quote.toUpperCase();
    const matches = instruments.filter((i) => i.base === base && i.quote === quote);
    const perpetual = matches.filter((i) => i.expiry === undefined);
    // One that trades beats ones that do not (a venue may list a CFD or a halted twin with the same assets).
    const trading = (list: readonly Instrument[]) => list.filter((i) => i.trading);
    const only = (list: readonly Instrument[]) => (list.length === 1 ? list[0] : undefined);
    found = only(trading(perpetual)) ?? only(perpetual) ?? only(matches) ?? only(trading(matches));
    if (found === undefined && matches.length > 1) {
      const symbols = matches.map((i) => i.symbol).join(', ');
      throw new MarketError(`${name} matches ${matches.length} instruments (${symbols}); name one with symbol`);
    }
  }
  if (!found) throw new MarketError(`${name}: no such instrument on the venue`, 'not-listed');
  if (!found.trading) throw new MarketError(`${name} (${found.symbol}) is not trading: venue status ${found.status}`);
  return found;
}

import { describe, expect, it } from 'vitest';
import type { Instrument, MarketSpec } from './adapter.js';
import { MarketError, resolveInstrument } from './instrument.js';

const instrument = (symbol: string, base: string, quote: string, extra: Partial<Instrument> = {}): Instrument => ({
  venue: 'test',
  type: 'futures',
  symbol,
  base,
  quote,
  tickSize: '0.1',
  trading: true,
  status: 'Trading',
  ...extra,
});

const list: Instrument[] = [
  instrument('BTCUSDT_260626', 'BTC', 'USDT', { expiry: Date.UTC(2026, 5, 26) }),
  instrument('BTCUSDT', 'BTC', 'USDT'),
  instrument('BTCUSDT_260925', 'BTC', 'USDT', { expiry: Date.UTC(2026, 8, 25) }),
  instrument('ETHUSDT_260626', 'ETH', 'USDT', { expiry: Date.UTC(2026, 5, 26) }),
  instrument('ETHUSDT_260925', 'ETH', 'USDT', { expiry: Date.UTC(2026, 8, 25) }),
  instrument('SOLUSDT', 'SOL', 'USDT', { trading: false, status: 'Settling' }),
];

const spec = (base: string, quote: string, symbol?: string): MarketSpec => ({ venue: 'test', type: 'futures', base, quote, ...(symbol ? { symbol } : {}) });

/** The MarketError `resolveInstrument` throws for this spec. */
function refusal(s: MarketSpec): MarketError {
  try {
    resolveInstrument(list, s);
  } catch (error) {
    expect(error).toBeInstanceOf(MarketError);
    return error as MarketError;
  }
  throw new Error(`expected ${JSON.stringify(s)} to be refused`);
}

describe('resolveInstrument', () => {
  it('prefers the one instrument that trades among several with the same assets (a CFD listed beside the spot market)', () => {
    const spotAndCfd = [instrument('FX_BTC_JPY', 'BTC', 'JPY', { trading: false, status: 'CFD, not spot' }), instrument('BTC_JPY', 'BTC', 'JPY')];
    expect(resolveInstrument(spotAndCfd, spec('BTC', 'JPY')).symbol).toBe('BTC_JPY');
    expect(() => resolveInstrument(spotAndCfd, spec('BTC', 'JPY', 'FX_BTC_JPY'))).toThrow('test futures symbol FX_BTC_JPY (FX_BTC_JPY) is not trading: venue status CFD, not spot');
  });

  it('finds a market by base and quote, in any case, preferring the perpetual among contracts', () => {
    expect(resolveInstrument(list, spec('btc', 'usdt')).symbol).toBe('BTCUSDT');
    expect(resolveInstrument(list, spec('BTC', 'USDT')).symbol).toBe('BTCUSDT');
  });

  it('a single dated contract needs no symbol', () => {
    const dated = [instrument('XRPUSDT_260626', 'XRP', 'USDT', { expiry: 1 })];
    expect(resolveInstrument(dated, spec('XRP', 'USDT')).symbol).toBe('XRPUSDT_260626');
  });

  it('finds a market by the venue symbol, in any case', () => {
    expect(resolveInstrument(list, spec('BTC', 'USDT', 'btcusdt_260925')).symbol).toBe('BTCUSDT_260925');
    expect(resolveInstrument(list, spec('', '', 'ETHUSDT_260626')).symbol).toBe('ETHUSDT_260626');
  });

  it('refuses a symbol whose base/quote contradict the spec, naming both', () => {
    const error = refusal(spec('ETH', 'USDT', 'BTCUSDT'));
    expect(error.message).toContain('BTC/USDT');
    expect(error.message).toContain('ETH/USDT');
  });

  it('refuses a market the venue does not list', () => {
    expect(refusal(spec('DOGE', 'USDT')).message).toMatch(/DOGE\/USDT: no such instrument/);
    expect(refusal(spec('BTC', 'USDT', 'BTCUSDT_270101')).message).toMatch(/symbol BTCUSDT_270101: no such instrument/);
  });

  it('refuses several dated contracts without a perpetual, listing their symbols', () => {
    const error = refusal(spec('ETH', 'USDT'));
    expect(error.message).toContain('ETHUSDT_260626, ETHUSDT_260925');
    expect(error.message).toMatch(/name one with symbol/);
  });

  it('refuses a market that is not trading, naming the venue status', () => {
    const error = refusal(spec('SOL', 'USDT'));
    expect(error.message).toContain('SOLUSDT');
    expect(error.message).toContain('venue status Settling');
  });
});

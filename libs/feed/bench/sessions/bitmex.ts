// eslint-disable-next-line @nx/enforce-module-boundaries -- the benchmark drives the pipeline with real adapters
import { createBitmexAdapter } from '@level4/exchanges-bitmex';
import type { Session } from './session.js';

/**
 * The consistent BitMEX recording: XBTUSD (inverse), SOLUSDT and XRPU21 on one socket. The bench
 * replays every frame on one MarketSync per symbol; the market type only names the session.
 */
export const sessions: readonly Session[] = [
  {
    name: 'bitmex orderBookL2',
    venue: 'bitmex',
    file: 'bitmex/bitmex_2021-07-22_orderBookL2_trade_quote_legacy-rows.jsonl',
    type: 'inverse',
    adapter: createBitmexAdapter(),
  },
];

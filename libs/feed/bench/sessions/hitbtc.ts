// eslint-disable-next-line @nx/enforce-module-boundaries -- the benchmark drives the pipeline with real adapters
import { createHitbtcAdapter } from '@level4/exchanges-hitbtc';
import { TARGET_NS_PER_LEVEL, type Session } from './session.js';

/** The one consistent HitBTC v3 book recording: a full ETHBTC snapshot (323 levels) and its update (in-band, timed). */
export const sessions: readonly Session[] = [
  { name: 'hitbtc spot', venue: 'hitbtc', file: 'hitbtc/hitbtc_v3_2023-04-12_orderbook-full_ETHBTC.jsonl', type: 'spot', adapter: createHitbtcAdapter(), targetNsPerLevel: TARGET_NS_PER_LEVEL },
];

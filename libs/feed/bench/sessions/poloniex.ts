// eslint-disable-next-line @nx/enforce-module-boundaries -- the benchmark drives the pipeline with real adapters
import { createPoloniexAdapter } from '@level4/exchanges-poloniex';
import { TARGET_NS_PER_LEVEL, type Session } from './session.js';

/** The one consistent Poloniex spot v3 recording: 11 top-20 `book_lv2` books (in-band snapshots, 283 updates) and trades. */
export const sessions: readonly Session[] = [
  {
    name: 'poloniex spot',
    venue: 'poloniex',
    file: 'poloniex/poloniex_spot_v3_2022-08-21_book_lv2_trades_11symbols.jsonl',
    type: 'spot',
    adapter: createPoloniexAdapter(),
    targetNsPerLevel: TARGET_NS_PER_LEVEL,
  },
];

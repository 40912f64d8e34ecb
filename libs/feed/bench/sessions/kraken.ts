// eslint-disable-next-line @nx/enforce-module-boundaries -- the benchmark drives the pipeline with real adapters
import { createKrakenAdapter } from '@level4/exchanges-kraken';
import type { Session } from './session.js';

// The consistent Kraken book recordings this adapter speaks (the v1 spot recording is the legacy API).
export const sessions: readonly Session[] = [
  { name: 'kraken spot v2', venue: 'kraken', file: 'kraken/kraken_spot_v2_2024-10-03_book10_ALGOUSD.jsonl', type: 'spot', adapter: createKrakenAdapter() },
  { name: 'kraken futures inverse', venue: 'kraken', file: 'kraken/kraken_futures_v1_2021-07-22_book_trade_ticker.jsonl', type: 'inverse', adapter: createKrakenAdapter() },
];

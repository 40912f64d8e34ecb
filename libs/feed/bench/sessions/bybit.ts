// eslint-disable-next-line @nx/enforce-module-boundaries -- the benchmark drives the pipeline with real adapters
import { createBybitAdapter } from '@level4/exchanges-bybit';
import type { Session } from './session.js';

export const sessions: readonly Session[] = [
  { name: 'bybit linear', venue: 'bybit', file: 'bybit/linear_XRPUSDT_ob500_2024-12-01.jsonl', type: 'futures', adapter: createBybitAdapter() },
  { name: 'bybit spot', venue: 'bybit', file: 'bybit/spot_BTCUSDT_ob200_2023-12-24_rbot.jsonl', type: 'spot', adapter: createBybitAdapter() },
];

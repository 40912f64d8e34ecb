// eslint-disable-next-line @nx/enforce-module-boundaries -- the benchmark drives the pipeline with real adapters
import { BINANCE_URLS, createBinanceAdapter } from '@level4/exchanges-binance';
import { TARGET_NS_PER_LEVEL, type Session } from './session.js';

export const sessions: readonly Session[] = [
  { name: 'binance spot', venue: 'binance', file: 'binance/spot_2021-10-12_cryptofeed.jsonl', type: 'spot', adapter: createBinanceAdapter({ urls: BINANCE_URLS }), targetNsPerLevel: TARGET_NS_PER_LEVEL },
  { name: 'binance usd-m', venue: 'binance', file: 'binance/usdm_2021-07-22_cryptofeed.jsonl', type: 'futures', adapter: createBinanceAdapter(), targetNsPerLevel: TARGET_NS_PER_LEVEL },
  { name: 'binance coin-m', venue: 'binance', file: 'binance/coinm_2021-07-22_cryptofeed.jsonl', type: 'inverse', adapter: createBinanceAdapter(), targetNsPerLevel: TARGET_NS_PER_LEVEL },
];

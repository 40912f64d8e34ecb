// eslint-disable-next-line @nx/enforce-module-boundaries -- the benchmark drives the pipeline with real adapters
import { createCoinbaseAdapter } from '@level4/exchanges-coinbase';
import type { Session } from './session.js';

export const sessions: readonly Session[] = [
  // One socket, BTC-USD and ETH-USD: in-band snapshots of 46,000 levels (5 MB frame) and 23,334 levels, then 773 updates.
  {
    name: 'coinbase spot',
    venue: 'coinbase',
    file: 'coinbase/coinbase_advanced-trade_2026-08-09_level2_market_trades_ticker_heartbeats_BTCUSD_ETHUSD.jsonl',
    type: 'spot',
    adapter: createCoinbaseAdapter(),
  },
];

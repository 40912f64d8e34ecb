// eslint-disable-next-line @nx/enforce-module-boundaries -- the benchmark drives the pipeline with real adapters
import { createBitfinexAdapter } from '@level4/exchanges-bitfinex';
import type { Session } from './session.js';

export const sessions: readonly Session[] = [
  {
    name: 'bitfinex spot (SEQ_ALL, 6 books)',
    venue: 'bitfinex',
    file: 'bitfinex/bitfinex_2021-04-17_seqall_book_P0_len100_trades_ticker.jsonl',
    type: 'spot',
    adapter: createBitfinexAdapter(),
  },
  {
    name: 'bitfinex spot checksum (tXRPBTC)',
    venue: 'bitfinex',
    file: 'bitfinex/bitfinex_checksum_tXRPBTC_P0_len25_from-bitfinex-api-go-test.jsonl',
    type: 'spot',
    adapter: createBitfinexAdapter(),
  },
];

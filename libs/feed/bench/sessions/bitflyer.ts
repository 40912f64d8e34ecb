// eslint-disable-next-line @nx/enforce-module-boundaries -- the benchmark drives the pipeline with real adapters
import { createBitflyerAdapter } from '@level4/exchanges-bitflyer';
import type { Session } from './session.js';

export const sessions: readonly Session[] = [
  {
    name: 'bitflyer spot',
    venue: 'bitflyer',
    file: 'bitflyer/bitflyer_spot_jsonrpc_2021-12-12_board_snapshot_executions_ticker_ETHJPY_XRPJPY_BCHBTC.jsonl',
    type: 'spot',
    adapter: createBitflyerAdapter(),
  },
];

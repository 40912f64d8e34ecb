// eslint-disable-next-line @nx/enforce-module-boundaries -- the benchmark drives the pipeline with real adapters
import { createGeminiAdapter } from '@level4/exchanges-gemini';
import { TARGET_NS_PER_LEVEL, type Session } from './session.js';

/** The one consistent Gemini recording is Market Data v2 (no WebSocket API recording exists yet). */
export const sessions: readonly Session[] = [
  {
    name: 'gemini v2 spot',
    venue: 'gemini',
    file: 'gemini/gemini_marketdata-v2_2021-06-24_l2_10symbols.jsonl',
    type: 'spot',
    adapter: createGeminiAdapter({ api: 'v2' }),
    targetNsPerLevel: TARGET_NS_PER_LEVEL,
  },
];

/**
 * `level4 replay`: a recording through the node pipeline without a venue or a broker (`--out -`),
 * the offline demo and the way to inspect a recorded session.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FeedEvent } from '@level4/feed';
import { canonicalDecimal } from '@level4/orderbook';
import { describe, expect, it } from 'vitest';
import { BINANCE_SPOT, fixtures } from './support.js';

const run = promisify(execFile);

describe.skipIf(fixtures === undefined)('level4 replay', () => {
  it('writes the events of a recorded session as JSON lines, ending at the recorded best prices', async () => {
    const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
    const markets = BINANCE_SPOT.markets.flatMap((m, i) => ['--market', `${i + 1}:binance:spot:${m.symbol}`]);
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', '--conditions=@level4/source', cli, 'replay', join(fixtures!, BINANCE_SPOT.file), ...markets, '--out', '-', '--quiet-ms', '300'], {
      maxBuffer: 64 * 1024 * 1024,
      env: { PATH: process.env['PATH'] ?? '' },
    });
    const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as FeedEvent);
    for (const [i, m] of BINANCE_SPOT.markets.entries()) {
      const spreads = events.filter((e) => e.kind === 'spread' && e.marketId === i + 1);
      const last = spreads.at(-1);
      expect(last?.kind === 'spread' && canonicalDecimal(last.bidPrice!)).toBe(canonicalDecimal(m.bid));
      expect(last?.kind === 'spread' && canonicalDecimal(last.askPrice!)).toBe(canonicalDecimal(m.ask));
      const states = events.filter((e) => e.kind === 'status' && e.marketId === i + 1).map((e) => (e.kind === 'status' ? e.state : ''));
      expect(states).toEqual(['starting', 'syncing', 'live', 'stopped']);
    }
    // Progress goes to stderr (every 10 % when stderr is not a terminal), then a summary.
    expect(stderr).toContain('replay: 100%');
    expect(stderr).toMatch(/replay: \d+ events\n$/);
  });

  it('explains a bad market argument', async () => {
    const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
    const failed = await run(process.execPath, ['--import', 'tsx', '--conditions=@level4/source', cli, 'replay', 'x.jsonl', '--market', 'binance:BTCUSDT'], { env: { PATH: process.env['PATH'] ?? '' } }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 2, stderr: 'level4 replay: --market "binance:BTCUSDT": expected <id>:<venue>:<type>:<symbol>, e.g. 1:binance:spot:BTCUSDT\n' });
  });
});

/**
 * What a user sees when they get it wrong: every kind of bad request answered with its status code
 * and a message that says what to fix, while the feeds already running stay live and untouched; and
 * bad configuration refused at start with one line naming the variable.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { connectControl, MarketType, type ControlApi, type Market } from '@level4/rpc';
import type { ServiceError } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { describe, expect, inject, it } from 'vitest';
import { BINANCE_SPOT, binanceSpotCapture, fixtures, freePort, freshTopics, startTestNode } from './support.js';

const brokers = inject('kafkaBrokers');
const SPOT = MarketType.MARKET_TYPE_SPOT;
const answer = (p: Promise<unknown>) => p.then(() => 'OK', (e: ServiceError) => `${status[e.code]}: ${e.details}`);
const market = (m: Partial<Market>): Market => ({ id: 50, venue: 'binance', marketType: SPOT, base: 'BTC', quote: 'USDT', symbol: '', ...m });

describe.skipIf(fixtures === undefined)('bad requests to a running node', () => {
  it('are answered with the right code and message, and running feeds are not disturbed', async () => {
    const t = await startTestNode(await binanceSpotCapture(), brokers, { MAX_DATA_FEEDS: '4', RPC_TOKEN: 'op-token' });
    const api: ControlApi = connectControl(`127.0.0.1:${t.node.rpcPort}`, { token: 'op-token' });
    try {
      const [nkn, blz, lrc, rune] = BINANCE_SPOT.markets;
      // The node's four feeds, started at once as the recording was made (one subscription).
      await Promise.all(BINANCE_SPOT.markets.map((m, i) => api.startFeed({ market: market({ id: i + 1, base: m.base, quote: m.quote }) })));

      const start = (m: Partial<Market> | undefined) => answer(api.startFeed({ market: m === undefined ? undefined : market(m) }));
      expect(await start(undefined)).toBe('INVALID_ARGUMENT: market is required: { id, venue, market_type, base, quote, symbol? }');
      expect(await start({ venue: 'mtgox' })).toBe(
        'INVALID_ARGUMENT: market.venue "mtgox" is not a venue; accepted: binance, bitfinex, bitflyer, bitmex, bitstamp, bybit, coinbase, gemini, hitbtc, kraken, poloniex',
      );
      expect(await start({ marketType: MarketType.MARKET_TYPE_UNSPECIFIED })).toBe(
        'INVALID_ARGUMENT: market.market_type 0 is not a binance market type; accepted for binance: MARKET_TYPE_SPOT, MARKET_TYPE_FUTURES, MARKET_TYPE_INVERSE (all types: MARKET_TYPE_SPOT, MARKET_TYPE_FUTURES, MARKET_TYPE_INVERSE)',
      );
      expect(await start({ venue: 'bitstamp', marketType: MarketType.MARKET_TYPE_FUTURES })).toBe(
        'INVALID_ARGUMENT: market.market_type MARKET_TYPE_FUTURES is not a bitstamp market type; accepted for bitstamp: MARKET_TYPE_SPOT (all types: MARKET_TYPE_SPOT, MARKET_TYPE_FUTURES, MARKET_TYPE_INVERSE)',
      );
      expect(await start({ base: '', quote: '' })).toBe('INVALID_ARGUMENT: market.base and market.quote are required unless market.symbol names the venue symbol');
      expect(await start({ id: 250_000 })).toBe("INVALID_ARGUMENT: market.id 250000 is too large: ids are 0-100000 (the id is the market's Kafka partition)");
      expect(await start({ id: 1, base: 'ETH' })).toBe('ALREADY_EXISTS: market id 1 is already running on node test-node');
      expect(await start({ id: 5, base: 'ETH' })).toBe('RESOURCE_EXHAUSTED: the cluster is full: 4 of 4 feeds in use on 1 node (test-node 4/4); stop a feed, raise MAX_DATA_FEEDS or add a node');

      expect(await answer(api.stopFeed({ marketId: 99 }))).toBe('NOT_FOUND: market id 99 is not running in the cluster');
      expect(await answer(api.getFeed({ marketId: 99 }))).toBe('NOT_FOUND: market id 99 is not running in the cluster');
      expect(await answer(api.getBook({ marketId: 99, depth: 5 }))).toBe('NOT_FOUND: market id 99 is not running in the cluster');

      await t.settled();
      expect(await answer(api.getBook({ marketId: 1, depth: 1_000_000 }))).toBe('INVALID_ARGUMENT: depth 1000000 is too large (at most 5000)');
      const anonymous = connectControl(`127.0.0.1:${t.node.rpcPort}`);
      expect(await answer(anonymous.listFeeds())).toBe('UNAUTHENTICATED: missing or wrong bearer token (metadata "authorization: Bearer <token>")');
      anonymous.close();

      // None of it touched the running feeds: all live, never resynced, reconnected or failed.
      const { feeds } = await api.listFeeds();
      expect(feeds).toHaveLength(4);
      for (const f of feeds) {
        expect(f.state).toBe(3 /* LIVE */);
        expect(f.counters).toMatchObject({ resyncs: 0, reconnects: 0, gaps: 0, malformedFrames: 0, venueErrors: 0 });
      }
      for (const [id, m] of [
        [1, nkn],
        [2, blz],
        [3, lrc],
        [4, rune],
      ] as const) {
        const book = await api.getBook({ marketId: id, depth: 1 });
        expect(Number(book.bids[0]!.price)).toBe(Number(m.bid));
      }
      // The stop works, and the freed slot takes starts again: checked against the venue's list.
      expect((await api.stopFeed({ marketId: 4 })).feed?.state).toBe(6 /* STOPPED */);
      expect(await answer(api.getFeed({ marketId: 4 }))).toBe('NOT_FOUND: market id 4 is not running in the cluster');
      expect(await start({ id: 5, base: 'NOSUCH' })).toBe('NOT_FOUND: binance spot NOSUCH/USDT: no such instrument on the venue');
      expect(await start({ id: 9, base: nkn.base, quote: nkn.quote })).toBe('ALREADY_EXISTS: binance spot NKNUSDT is already running as market id 1 on node test-node');
    } finally {
      api.close();
      await t.close();
    }
  });
});

/** Runs the `level4` command from source, as a user would run the built one. */
function level4(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@level4/source', cli, ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('bad configuration', () => {
  it('stops the node at start with one line naming the variable (exit code 2)', async () => {
    const cases: [Record<string, string>, string[], string][] = [
      [{ MAX_DATA_FEEDS: 'lots' }, [], 'level4: configuration error: MAX_DATA_FEEDS (--max-data-feeds): "lots" is not a number of feeds (1-10000)\n'],
      [{}, ['--rpc-port', '99999'], 'level4: configuration error: RPC_PORT (--rpc-port): "99999" is not a port (0-65535)\n'],
      [{ KAFKA_BROKERS: 'kafka' }, [], 'level4: configuration error: KAFKA_BROKERS (--kafka-brokers): "kafka" is not host:port\n'],
    ];
    for (const [env, flags, line] of cases) {
      const run = await level4(['node', ...flags], env);
      expect(run.stderr).toBe(line);
      expect(run.code).toBe(2);
    }
    const unknown = await level4(['node', '--rpc-prot', '1'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^level4: Unknown option '--rpc-prot'/);
  });

  it('runs a node that answers the CLI and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const env = {
      NODE_NAME: 'cli-node',
      RPC_HOST: '127.0.0.1',
      RPC_PORT: String(port),
      METRICS_PORT: '0',
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_FEEDS: `${freshTopics().feeds}`,
      GOSSIP_HOST: '127.0.0.1',
      GOSSIP_PORT: '0',
      LOG_LEVEL: 'info',
    };
    const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@level4/source', cli, 'node'], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 30_000;
      while (!logs.includes('level4 node started') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      // JSON log lines (pino), one per event.
      const started = logs.split('\n').map((l) => (l ? (JSON.parse(l) as { msg: string; node: string }) : undefined)).find((l) => l?.msg === 'level4 node started');
      expect(started?.node).toBe('cli-node');
      expect(logs).toContain('set RPC_TOKEN to require a bearer token');

      const nodes = await level4(['nodes', 'ls', '--address', `127.0.0.1:${port}`], {});
      expect(nodes.stdout).toMatch(/^NAME +ADDRESS +FEEDS +STATE +GOSSIP +VERSION +STARTED\ncli-node +127\.0\.0\.1:\d+ +0\/25 +alive +127\.0\.0\.1:\d+ +0\.1\.0 /);
      const json = await level4(['feeds', 'ls', '--json', '--address', `127.0.0.1:${port}`], {});
      expect(JSON.parse(json.stdout)).toEqual([]);
      const missing = await level4(['book', '7', '--address', `127.0.0.1:${port}`], {});
      expect(missing).toMatchObject({ code: 1, stderr: 'level4: NOT_FOUND: market id 7 is not running in the cluster\n' });
      const badType = await level4(['feeds', 'start', '1', 'binance', 'perp', 'BTC', 'USDT', '--address', `127.0.0.1:${port}`], {});
      expect(badType).toMatchObject({ code: 2, stderr: 'level4: market type must be spot, futures or inverse, got "perp"\nRun "level4 help" for usage.\n' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(logs).toContain('"msg":"level4 node stopped"');
  });
});

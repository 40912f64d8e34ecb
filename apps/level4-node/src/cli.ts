#!/usr/bin/env node
/**
 * The `level4` command: `level4 node` runs a node; the other commands talk to any node over gRPC.
 * Exit codes: 0 done, 1 the call or the run failed, 2 bad usage or configuration.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connectControl, GrpcStatus, MarketType, type ControlApi } from '@level4/rpc';
import { pino } from 'pino';
import { ConfigError, loadConfig, SETTINGS } from './config.js';
import { bookTable, feedDetail, feedsTable, nodesTable } from './format.js';
import { startNode } from './node.js';
import { replayCommand, REPLAY_USAGE } from './replay.js';
import { VENUE_URL_NAMES } from './venues.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

class UsageError extends Error {}

const settingsHelp = Object.values(SETTINGS)
  .map((s) => `  --${s.flag.padEnd(24)} ${s.env.padEnd(22)} ${s.help}${'default' in s ? ` [${s.default}]` : ''}`)
  .join('\n');

const USAGE = `level4 ${VERSION}: live level-2 order books of crypto venues, published to Kafka.

Usage:
  level4 node [flags]                       run a node (flags mirror environment variables)
  level4 feeds start <id> <venue> <type> <base> <quote> [--symbol S]
  level4 feeds stop <id>
  level4 feeds ls
  level4 feeds get <id>
  level4 nodes ls
  level4 book <id> [--depth N]
  level4 replay <capture.jsonl> --market <id>:<venue>:<type>:<symbol> [...] [--out -] [--speed fast|real|N]
  level4 help | version

Client flags (feeds, nodes, book):
  --address host:port   the node to ask (LEVEL4_ADDRESS) [127.0.0.1:50051]
  --token T             bearer token (RPC_TOKEN)
  --tls                 use TLS with the system's roots; --tls-ca FILE to trust a certificate
  --json                JSON instead of tables

Node flags and environment:
${settingsHelp}
`;

const TYPES: Record<string, MarketType> = { spot: MarketType.MARKET_TYPE_SPOT, futures: MarketType.MARKET_TYPE_FUTURES, inverse: MarketType.MARKET_TYPE_INVERSE };

function marketId(raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw)) throw new UsageError(`market id must be a non-negative integer, got ${JSON.stringify(raw ?? '')}`);
  return Number(raw);
}

async function runNode(args: string[]): Promise<number> {
  const options = Object.fromEntries(Object.values(SETTINGS).map((s) => [s.flag, { type: 'string' as const }]));
  let flags: Record<string, string | undefined>;
  try {
    flags = parseArgs({ args, options, allowPositionals: false, strict: true }).values as Record<string, string | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let config;
  try {
    config = loadConfig(process.env, flags, VENUE_URL_NAMES);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`level4: configuration error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, base: { node: config.nodeName }, timestamp: pino.stdTimeFunctions.isoTime });
  let node;
  try {
    node = await startNode(config, { logger, version: VERSION });
  } catch (error) {
    logger.fatal({ err: error }, 'level4 node could not start');
    return 1;
  }
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception: exiting');
    process.exit(1);
  });
  const running = node;
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'signal received');
      process.removeAllListeners('SIGINT');
      process.removeAllListeners('SIGTERM');
      // A second signal while shutting down: exit at once.
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      void running.close().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

interface ClientFlags {
  readonly api: ControlApi;
  readonly json: boolean;
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | undefined>;
}

function client(args: string[], extra: Record<string, { type: 'string' | 'boolean' }> = {}): ClientFlags {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { address: { type: 'string' }, token: { type: 'string' }, tls: { type: 'boolean' }, 'tls-ca': { type: 'string' }, json: { type: 'boolean' }, ...extra },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const address = (v['address'] as string | undefined) ?? process.env['LEVEL4_ADDRESS'] ?? '127.0.0.1:50051';
  const token = (v['token'] as string | undefined) ?? process.env['RPC_TOKEN'];
  const ca = v['tls-ca'] as string | undefined;
  const tls = ca !== undefined ? { ca: readFileSync(ca) } : v['tls'] === true ? (true as const) : undefined;
  const api = connectControl(address, { ...(token ? { token } : {}), ...(tls ? { tls } : {}) });
  return { api, json: v['json'] === true, positionals: parsed.positionals, values: v };
}

const print = (json: boolean, value: unknown, text: () => string) => process.stdout.write(`${json ? JSON.stringify(value, null, 2) : text()}\n`);

async function runClient(command: string, args: string[]): Promise<number> {
  if (command === 'feeds') {
    const [sub, ...rest] = args;
    const c = client(rest, sub === 'start' ? { symbol: { type: 'string' } } : {});
    try {
      if (sub === 'start') {
        const [id, venue, type, base, quote] = c.positionals;
        const symbol = (c.values['symbol'] as string | undefined) ?? '';
        if (venue === undefined || type === undefined) throw new UsageError('feeds start <id> <venue> <spot|futures|inverse> <base> <quote> [--symbol S]');
        const marketType = TYPES[type];
        if (marketType === undefined) throw new UsageError(`market type must be spot, futures or inverse, got ${JSON.stringify(type)}`);
        const { feed } = await c.api.startFeed({ market: { id: marketId(id), venue, marketType, base: base ?? '', quote: quote ?? '', symbol } });
        print(c.json, feed, () => feedsTable(feed ? [feed] : []));
      } else if (sub === 'stop') {
        const { feed } = await c.api.stopFeed({ marketId: marketId(c.positionals[0]) });
        print(c.json, feed, () => feedsTable(feed ? [feed] : []));
      } else if (sub === 'ls') {
        const { feeds } = await c.api.listFeeds();
        print(c.json, feeds, () => feedsTable(feeds));
      } else if (sub === 'get') {
        const { feed } = await c.api.getFeed({ marketId: marketId(c.positionals[0]) });
        print(c.json, feed, () => (feed ? feedDetail(feed) : ''));
      } else {
        throw new UsageError(`feeds: unknown command ${JSON.stringify(sub ?? '')}; use start, stop, ls or get`);
      }
    } finally {
      c.api.close();
    }
    return 0;
  }
  if (command === 'nodes') {
    const [sub, ...rest] = args;
    if (sub !== 'ls') throw new UsageError(`nodes: unknown command ${JSON.stringify(sub ?? '')}; use ls`);
    const c = client(rest);
    try {
      const { nodes } = await c.api.listNodes();
      print(c.json, nodes, () => nodesTable(nodes));
    } finally {
      c.api.close();
    }
    return 0;
  }
  // book
  const c = client(args, { depth: { type: 'string' } });
  try {
    const depthRaw = (c.values['depth'] as string | undefined) ?? '10';
    if (!/^\d+$/.test(depthRaw)) throw new UsageError(`--depth must be a number, got ${JSON.stringify(depthRaw)}`);
    const book = await c.api.getBook({ marketId: marketId(c.positionals[0]), depth: Number(depthRaw) });
    print(c.json, book, () => bookTable(book));
  } finally {
    c.api.close();
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'node':
        return await runNode(args);
      case 'feeds':
      case 'nodes':
      case 'book':
        return await runClient(command, args);
      case 'replay':
        return await replayCommand(args);
      case 'version':
      case '--version':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n${REPLAY_USAGE}`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`level4: ${error.message}\nRun "level4 help" for usage.\n`);
      return 2;
    }
    const e = error as { code?: number; details?: string; message?: string };
    if (typeof e.code === 'number' && typeof e.details === 'string') {
      process.stderr.write(`level4: ${GrpcStatus[e.code] ?? e.code}: ${e.details}\n`);
      return 1;
    }
    process.stderr.write(`level4: ${e.message ?? String(error)}\n`);
    return 1;
  }
}

// Run when executed (not when imported by tests).
if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await main(process.argv.slice(2));
}

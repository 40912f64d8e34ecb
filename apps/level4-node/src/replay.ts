import { parseArgs } from 'node:util';
import { FeedEngine, stderrLogger, type FeedEvent, type FeedSpec, type MarketType } from '@level4/feed';
import { KafkaSink } from '@level4/kafka-sink';
import { localUrls, readCapture, startReplay, type ReplayServer } from '@level4/replay';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { VENUE_URL_NAMES, VENUES } from './venues.js';

export const REPLAY_USAGE = `level4 replay <capture.jsonl> --market <id>:<venue>:<type>:<symbol> [--market ...] [flags]
  Runs a recorded session (../shared/fixtures format) through the node pipeline: a local replay server
  stands in for the venue, the feeds sync and publish as they would live.
  --out -            write the events as JSON lines to stdout instead of Kafka
  --speed S          fast (default), real, or a factor of real time (e.g. 10)
  --kafka-brokers    as for "level4 node" (KAFKA_BROKERS), also --kafka-encoding, --kafka-topic-*
  --quiet-ms N       the replay ends N ms after the last frame went out and the feeds fell quiet [1000]
`;

class UsageError extends Error {}

const TYPES: readonly MarketType[] = ['spot', 'futures', 'inverse'];

function readMarket(text: string): FeedSpec {
  const [id, venue, type, symbol, ...rest] = text.split(':');
  if (id === undefined || !/^\d+$/.test(id) || !venue || !type || !symbol || rest.length > 0) {
    throw new UsageError(`--market ${JSON.stringify(text)}: expected <id>:<venue>:<type>:<symbol>, e.g. 1:binance:spot:BTCUSDT`);
  }
  if (!VENUES[venue]) throw new UsageError(`--market ${text}: unknown venue ${JSON.stringify(venue)}; venues: ${Object.keys(VENUES).join(', ')}`);
  if (!(TYPES as readonly string[]).includes(type)) throw new UsageError(`--market ${text}: type must be spot, futures or inverse`);
  const t = type as MarketType;
  // The recording names the symbol; instruments are taken as listed and trading (recordings rarely hold the list).
  return {
    id: Number(id),
    venue,
    type: t,
    base: '',
    quote: '',
    symbol,
    instrument: { venue, type: t, symbol, base: '', quote: '', tickSize: '', trading: true, status: 'replay' },
  };
}

/** A one-line progress bar on stderr (redrawn on a terminal, every 10 % otherwise). */
function progress(server: ReplayServer, total: number): () => void {
  const tty = process.stderr.isTTY === true;
  let lastDecile = -1;
  const draw = () => {
    const sent = server.sentFrames();
    const share = total === 0 ? 1 : Math.min(1, sent / total);
    if (tty) {
      const width = 30;
      const full = Math.round(share * width);
      process.stderr.write(`\r[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(share * 100).toFixed(0).padStart(3)}% ${sent}/${total} frames`);
    } else if (Math.floor(share * 10) > lastDecile) {
      lastDecile = Math.floor(share * 10);
      process.stderr.write(`replay: ${(share * 100).toFixed(0)}% (${sent}/${total} frames)\n`);
    }
  };
  const timer = setInterval(draw, 200);
  return () => {
    clearInterval(timer);
    draw();
    if (tty) process.stderr.write('\n');
  };
}

export async function replayCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        market: { type: 'string', multiple: true },
        out: { type: 'string' },
        speed: { type: 'string' },
        'quiet-ms': { type: 'string' },
        'kafka-brokers': { type: 'string' },
        'kafka-encoding': { type: 'string' },
        'kafka-topic-spread': { type: 'string' },
        'kafka-topic-timesales': { type: 'string' },
        'kafka-topic-status': { type: 'string' },
        'log-level': { type: 'string' },
      },
    });
  } catch (error) {
    process.stderr.write(`level4 replay: ${(error as Error).message}\n${REPLAY_USAGE}`);
    return 2;
  }
  try {
    const [file, ...extra] = parsed.positionals;
    if (file === undefined || extra.length > 0) throw new UsageError('give exactly one capture file');
    const markets = (parsed.values.market ?? []).map(readMarket);
    if (markets.length === 0) throw new UsageError('name at least one --market <id>:<venue>:<type>:<symbol>');
    const speed = parsed.values.speed ?? 'fast';
    const pace = speed === 'fast' || speed === 'real' ? speed : /^\d+(\.\d+)?$/.test(speed) && Number(speed) > 0 ? { speed: Number(speed) } : undefined;
    if (pace === undefined) throw new UsageError(`--speed must be fast, real or a positive factor, got ${JSON.stringify(speed)}`);
    const quietMs = Number(parsed.values['quiet-ms'] ?? '1000');
    if (!Number.isFinite(quietMs) || quietMs < 0) throw new UsageError('--quiet-ms must be a number of ms');
    const toStdout = parsed.values.out === '-';
    if (parsed.values.out !== undefined && !toStdout) throw new UsageError('--out takes "-" (stdout); without --out events go to Kafka');
    const flags = Object.fromEntries(Object.entries(parsed.values).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const config = loadConfig(process.env, flags, VENUE_URL_NAMES);

    const capture = await readCapture(file);
    const total = capture.filter((l) => l.kind === 'ws' && l.dir === 'recv').length;
    const server = await startReplay({ capture, pace });
    const logger = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }, pino.destination(2));
    const sink = toStdout ? undefined : new KafkaSink({ brokers: config.kafkaBrokers, topics: config.topics, encoding: config.kafkaEncoding, logger });
    let lastEventAt = Date.now();
    let events = 0;
    const emit = (event: FeedEvent) => {
      events++;
      lastEventAt = Date.now();
      if (sink) sink.publish(event);
      else process.stdout.write(`${JSON.stringify(event)}\n`);
    };
    const venues = new Set(markets.map((m) => m.venue));
    const engine = new FeedEngine({
      adapters: [...venues].map((v) => {
        const entry = VENUES[v] as (typeof VENUES)[string];
        const defaults = entry.create({}).urls;
        return entry.create(localUrls(defaults, server));
      }),
      logger: sink ? logger : stderrLogger,
      onEvent: emit,
    });
    const done = progress(server, total);
    try {
      for (const market of markets) {
        await sink?.ensureMarket(market.id);
        await engine.start(market);
      }
      let sent = false;
      void server.sessionsDone().then(() => (sent = true));
      while (!(sent && Date.now() - lastEventAt >= quietMs)) await new Promise((r) => setTimeout(r, 50));
    } finally {
      done();
      for (const m of markets) if (engine.feed(m.id)) engine.stop(m.id);
      await engine.close();
      await server.close();
      await sink?.close();
    }
    const summary = sink ? sink.stats() : undefined;
    process.stderr.write(`replay: ${events} events${summary ? `, Kafka acknowledged ${summary.sent.spread} spreads, ${summary.sent.trade} trades, ${summary.sent.status} statuses` : ''}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`level4 replay: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

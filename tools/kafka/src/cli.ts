/**
 * Dev/test/CI Kafka broker without Docker.
 *
 *   npx tsx tools/kafka/src/cli.ts fetch
 *   npx tsx tools/kafka/src/cli.ts start [--port N]
 *   npx tsx tools/kafka/src/cli.ts run [--port N] -- <command...>
 */
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { ensureKafkaJars, kafkaHome, startBroker, type RunningBroker } from './broker.js';

const USAGE = `Usage: tsx tools/kafka/src/cli.ts <command>

Commands:
  fetch                         Download the Kafka 4.1.1 broker jars (Maven) into the cache; print the lib dir.
  start [--port N]              Start a single-node KRaft broker on 127.0.0.1:N (default 9092), print
                                KAFKA_BROKERS=127.0.0.1:N and stay in the foreground until SIGINT/SIGTERM.
  run [--port N] -- <cmd...>    Run <cmd...> with KAFKA_BROKERS set. If KAFKA_BROKERS is already set, the
                                command just runs against it; otherwise a broker is started for it (a free
                                port unless --port) and stopped afterwards. Exits with the command's code.
  help                          Show this text.

Environment:
  LEVEL4_KAFKA_HOME   jar cache dir (default \${XDG_CACHE_HOME:-~/.cache}/level4/kafka-4.1.1)
  KAFKA_BROKERS       an already running broker for 'run' ("host:port[,host:port]")
`;

class UsageError extends Error {}

interface Parsed {
  cmd: 'fetch' | 'start' | 'run' | 'help';
  port?: number;
  command: string[];
}

function parsePort(v: string | undefined): number {
  if (v === undefined || !/^\d+$/.test(v)) throw new UsageError(`--port needs a number, got ${JSON.stringify(v)}`);
  const n = Number(v);
  if (n > 65535) throw new UsageError(`--port out of range: ${v}`);
  return n;
}

export function parseArgs(argv: string[]): Parsed {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) throw new UsageError('missing command');
  if (cmd === 'help' || cmd === '--help' || cmd === '-h') return { cmd: 'help', command: [] };
  if (cmd !== 'fetch' && cmd !== 'start' && cmd !== 'run') throw new UsageError(`unknown command: ${cmd}`);
  const out: Parsed = { cmd, command: [] };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string;
    if (cmd !== 'fetch' && a === '--port') {
      out.port = parsePort(rest[++i]);
    } else if (cmd !== 'fetch' && a.startsWith('--port=')) {
      out.port = parsePort(a.slice('--port='.length));
    } else if (cmd === 'run' && a === '--') {
      out.command = rest.slice(i + 1);
      break;
    } else if (cmd === 'run' && !a.startsWith('-')) {
      out.command = rest.slice(i);
      break;
    } else {
      throw new UsageError(`unexpected argument for ${cmd}: ${a}`);
    }
  }
  if (cmd === 'run' && out.command.length === 0) throw new UsageError('run needs a command after --');
  return out;
}

const log = (line: string) => process.stderr.write(`[kafka] ${line}\n`);

async function cmdFetch(): Promise<number> {
  const lib = await ensureKafkaJars({ log });
  process.stdout.write(`${lib}\n`);
  return 0;
}

async function cmdStart(port: number): Promise<number> {
  const broker = await startBroker({ port, log, handleSignals: false });
  process.stdout.write(`KAFKA_BROKERS=${broker.brokers}\n`);
  log(`running (pid ${broker.pid}, log ${broker.logFile}); Ctrl-C to stop`);
  const outcome = await new Promise<'signal' | 'died'>((resolve) => {
    const onSig = () => resolve('signal');
    process.once('SIGINT', onSig);
    process.once('SIGTERM', onSig);
    void broker.exited.then(() => resolve('died'));
  });
  if (outcome === 'died') {
    log(`the broker exited by itself; see ${broker.logFile}`);
    await broker.stop();
    return 1;
  }
  log('stopping ...');
  await broker.stop();
  log('stopped');
  return 0;
}

async function cmdRun(command: string[], port: number | undefined): Promise<number> {
  const existing = process.env['KAFKA_BROKERS'];
  let broker: RunningBroker | undefined;
  let brokers: string;
  if (existing) {
    brokers = existing;
  } else {
    broker = await startBroker({ port: port ?? 0, log, handleSignals: false });
    brokers = broker.brokers;
  }
  try {
    return await runCommand(command, { ...process.env, KAFKA_BROKERS: brokers });
  } finally {
    await broker?.stop();
  }
}

function runCommand(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const [file, ...args] = command as [string, ...string[]];
    const child = spawn(file, args, { stdio: 'inherit', env });
    const forward = (sig: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const done = (code: number) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code);
    };
    child.once('error', (e: NodeJS.ErrnoException) => {
      log(`cannot run ${file}: ${e.message}`);
      done(e.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => {
      if (signal) done(128 + (osConstants.signals[signal] ?? 1));
      else done(code ?? 1);
    });
  });
}

async function main(argv: string[]): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`error: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  switch (parsed.cmd) {
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'fetch':
      return cmdFetch();
    case 'start':
      return cmdStart(parsed.port ?? 9092);
    case 'run':
      return cmdRun(parsed.command, parsed.port);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`[kafka] ${e instanceof Error ? e.message : String(e)}\n`);
    process.stderr.write(`[kafka] (jar cache: ${kafkaHome()})\n`);
    process.exitCode = 1;
  },
);

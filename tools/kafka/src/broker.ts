/**
 * A real single-node Apache Kafka 4.1.1 broker (KRaft, combined broker+controller)
 * for development, tests and CI, without Docker.
 *
 * The broker's jars come from Maven Central through `tools/kafka/pom.xml`
 * (`mvn dependency:copy-dependencies`) into a cache dir outside the work tree,
 * and each broker runs from a fresh temp dir that `stop()` deletes.
 *
 * Readiness is proven with a real Kafka Metadata request through kafkajs
 * (see `probeMetadata`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

export const KAFKA_VERSION = '4.1.1';

/** tools/kafka (this file lives in tools/kafka/src). */
const TOOL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const POM_FILE = path.join(TOOL_DIR, 'pom.xml');
export const LOG4J_CONFIG = path.join(TOOL_DIR, 'log4j2.properties');

const MARKER = '.level4-complete';
const LOCK_DIR = '.fetch.lock';

export type LogFn = (line: string) => void;
const noLog: LogFn = () => undefined;

/**
 * Cache dir for the broker's jars: `$LEVEL4_KAFKA_HOME`, else
 * `${XDG_CACHE_HOME:-$HOME/.cache}/level4/kafka-4.1.1`.
 */
export function kafkaHome(): string {
  const explicit = process.env['LEVEL4_KAFKA_HOME'];
  if (explicit) return path.resolve(explicit);
  const cache = process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return path.join(cache, 'level4', `kafka-${KAFKA_VERSION}`);
}

// ---------------------------------------------------------------------------
// Jars
// ---------------------------------------------------------------------------

const fetching = new Map<string, Promise<string>>();

/**
 * Makes sure `<kafkaHome()>/lib` holds the broker's runtime jars and returns that dir.
 * Runs Maven only when the jars are missing or were fetched for another pom.xml.
 * Safe against interruption (Maven writes to a temp dir that is renamed into place
 * only after success, with a marker holding the pom's hash) and against several
 * processes calling it at once (a lock dir in the cache).
 */
export async function ensureKafkaJars(opts: { log?: LogFn } = {}): Promise<string> {
  const home = kafkaHome();
  let p = fetching.get(home);
  if (!p) {
    p = ensureJarsUncached(home, opts.log ?? noLog);
    fetching.set(home, p);
    p.catch(() => fetching.delete(home));
  }
  return p;
}

async function pomHash(): Promise<string> {
  const pom = await fsp.readFile(POM_FILE);
  return createHash('sha256').update(pom).digest('hex');
}

async function jarsReady(lib: string, hash: string): Promise<boolean> {
  try {
    return (await fsp.readFile(path.join(lib, MARKER), 'utf8')).trim() === hash;
  } catch {
    return false;
  }
}

async function ensureJarsUncached(home: string, log: LogFn): Promise<string> {
  const lib = path.join(home, 'lib');
  const hash = await pomHash();
  if (await jarsReady(lib, hash)) return lib;

  await fsp.mkdir(home, { recursive: true });
  const release = await acquireLock(path.join(home, LOCK_DIR), log);
  try {
    // Another process may have finished the fetch while we waited for the lock.
    if (await jarsReady(lib, hash)) return lib;
    // Leftovers of an interrupted fetch (only the lock holder writes these).
    for (const f of await fsp.readdir(home)) {
      if (/^lib\.(tmp|old)-/.test(f)) await fsp.rm(path.join(home, f), { recursive: true, force: true });
    }
    const tmp = path.join(home, `lib.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    log(`Fetching Kafka ${KAFKA_VERSION} jars with Maven into ${lib} ...`);
    const t0 = Date.now();
    const args = [
      '-B',
      '-q',
      '-Dstyle.color=never',
      '-f',
      POM_FILE,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${tmp}`,
    ];
    try {
      const r = await runCapture('mvn', args);
      if (r.code !== 0) {
        throw new Error(
          `mvn ${args.join(' ')} failed (exit ${r.code ?? r.signal}):\n${tail(r.output, 60)}`,
        );
      }
      const jars = (await fsp.readdir(tmp)).filter((f) => f.endsWith('.jar'));
      if (!jars.some((f) => f.startsWith('kafka_2.13-'))) {
        throw new Error(`mvn produced no kafka_2.13 jar in ${tmp}:\n${tail(r.output, 60)}`);
      }
      await fsp.writeFile(path.join(tmp, MARKER), `${hash}\n`);
      // Swap into place: move any old/partial lib aside first (rename is atomic).
      const old = path.join(home, `lib.old-${process.pid}-${randomBytes(4).toString('hex')}`);
      await fsp.rename(lib, old).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      await fsp.rename(tmp, lib);
      await fsp.rm(old, { recursive: true, force: true });
      log(`Fetched ${jars.length} jars in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    } catch (e) {
      await fsp.rm(tmp, { recursive: true, force: true });
      throw e;
    }
    return lib;
  } finally {
    await release();
  }
}

async function acquireLock(dir: string, log: LogFn): Promise<() => Promise<void>> {
  const deadline = Date.now() + 15 * 60_000;
  let told = false;
  for (;;) {
    try {
      await fsp.mkdir(dir);
      await fsp.writeFile(path.join(dir, 'owner'), `${process.pid}\n`);
      return () => fsp.rm(dir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (await lockIsStale(dir)) {
      await fsp.rm(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for the lock ${dir}`);
    if (!told) {
      log(`Waiting for another process fetching Kafka jars (lock ${dir}) ...`);
      told = true;
    }
    await sleep(500);
  }
}

async function lockIsStale(dir: string): Promise<boolean> {
  let owner: number;
  try {
    owner = Number.parseInt(await fsp.readFile(path.join(dir, 'owner'), 'utf8'), 10);
  } catch {
    // No owner file yet: either just created, or its creator died in between.
    try {
      return Date.now() - (await fsp.stat(dir)).mtimeMs > 30_000;
    } catch {
      return false; // lock vanished: retry
    }
  }
  return !Number.isFinite(owner) || !isAlive(owner);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---------------------------------------------------------------------------
// Broker
// ---------------------------------------------------------------------------

export interface StartBrokerOptions {
  /** Client (PLAINTEXT) port on 127.0.0.1; 0 or undefined = a free port. */
  port?: number;
  /** KRaft controller port on 127.0.0.1; 0 or undefined = a free port. */
  controllerPort?: number;
  /** Max heap (-Xmx) in MiB; default 512. */
  heapMb?: number;
  /** Progress lines (jar fetch, ready). Default: silent. */
  log?: LogFn;
  /** How long to wait for the broker to serve; default 90 s. */
  readyTimeoutMs?: number;
  /**
   * Stop this broker (gracefully) when the process gets SIGINT/SIGTERM, then
   * re-raise the signal if nobody else listens for it. Default true. Set false
   * when the caller handles the signals itself. Independently of this, a broker
   * still running when the process exits is killed (SIGKILL) and its dir removed.
   */
  handleSignals?: boolean;
}

export interface RunningBroker {
  /** Bootstrap servers, "127.0.0.1:PORT". */
  brokers: string;
  port: number;
  controllerPort: number;
  pid: number;
  clusterId: string;
  runDir: string;
  logFile: string;
  /** Resolves when the java process has exited (for whatever reason). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, up to 15 s for a controlled shutdown, then SIGKILL; removes runDir. Idempotent. */
  stop(): Promise<void>;
}

interface Live {
  broker: RunningBroker;
  child: ChildProcess;
  handleSignals: boolean;
}

const live = new Set<Live>();

/** Kafka cluster id: 16 random bytes as url-safe base64 without padding, not starting with '-'. */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === 'object') resolve(addr.port);
        else reject(new Error('could not pick a free port'));
      });
    });
  });
}

function javaBin(): string {
  const home = process.env['JAVA_HOME'];
  return home ? path.join(home, 'bin', 'java') : 'java';
}

export function serverProperties(o: { port: number; controllerPort: number; dataDir: string }): string {
  return [
    '# written by tools/kafka/src/broker.ts: one combined KRaft node on 127.0.0.1',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${o.controllerPort}`,
    'controller.listener.names=CONTROLLER',
    `listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${o.port}`,
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${o.dataDir}`,
    'num.partitions=1',
    '# topics are created explicitly, with the right partition count',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    '# default 50; 1 makes the first consumer-group join fast',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=2',
    '# default 128 MiB, allocated on the heap when the cleaner starts',
    'log.cleaner.dedupe.buffer.size=16777216',
    '',
  ].join('\n');
}

/**
 * Formats and starts a fresh broker in a new temp dir and resolves once it
 * answers a Kafka Metadata request. Throws (with the tail of the broker log)
 * if java exits early or the broker is not ready in time.
 */
export async function startBroker(opts: StartBrokerOptions = {}): Promise<RunningBroker> {
  const log = opts.log ?? noLog;
  const lib = await ensureKafkaJars({ log });
  await sweepOrphans(log);
  const fixed = [opts.port, opts.controllerPort].filter((p): p is number => !!p);
  for (const p of fixed) {
    if (!(await portIsFree(p))) throw new Error(`127.0.0.1:${p} is already in use; cannot start a Kafka broker there`);
  }
  // Free ports are picked, then bound by java a moment later; retry if another
  // process grabbed one of the picked ports in between.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(lib, opts, log);
    } catch (e) {
      const m = e instanceof BrokerStartError ? /failed to bind to [^\s]*:(\d+)/.exec(e.logTail) : null;
      const raced = !!m && !fixed.includes(Number(m[1]));
      if (!raced || attempt >= 3) throw e;
      log(`Port ${m[1]} was taken before the broker bound it; retrying (${attempt})`);
    }
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

class BrokerStartError extends Error {
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(logTail ? `${message}\n--- tail of broker log ---\n${logTail}` : message);
    this.name = 'BrokerStartError';
  }
}

async function startOnce(lib: string, opts: StartBrokerOptions, log: LogFn): Promise<RunningBroker> {
  const t0 = Date.now();
  const port = opts.port || (await pickFreePort());
  let controllerPort = opts.controllerPort || (await pickFreePort());
  while (controllerPort === port) controllerPort = await pickFreePort();
  const heapMb = opts.heapMb ?? 512;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 90_000;

  const runDir = await fsp.mkdtemp(path.join(os.tmpdir(), RUN_DIR_PREFIX));
  const dataDir = path.join(runDir, 'data');
  const propsFile = path.join(runDir, 'server.properties');
  const logFile = path.join(runDir, 'broker.log');
  const clusterId = newClusterId();
  const cp = `${lib}${path.sep}*`;
  const log4j = `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`;

  let child: ChildProcess | undefined;
  try {
    await fsp.writeFile(propsFile, serverProperties({ port, controllerPort, dataDir }));

    const fmt = await runCapture(javaBin(), [
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      log4j,
      '-cp',
      cp,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      propsFile,
    ]);
    if (fmt.code !== 0) {
      throw new BrokerStartError(`kafka.tools.StorageTool format failed (exit ${fmt.code ?? fmt.signal})`, tail(fmt.output, 40));
    }

    const out = fs.openSync(logFile, 'a');
    try {
      child = spawn(
        javaBin(),
        [
          `-Xms${Math.min(256, heapMb)}m`,
          `-Xmx${heapMb}m`,
          '-XX:+UseG1GC',
          '-XX:MaxGCPauseMillis=20',
          '-XX:InitiatingHeapOccupancyPercent=35',
          '-XX:+ExplicitGCInvokesConcurrent',
          '-XX:MaxInlineLevel=15',
          '-Djava.awt.headless=true',
          log4j,
          '-cp',
          cp,
          'kafka.Kafka',
          propsFile,
        ],
        { cwd: runDir, stdio: ['ignore', out, out] },
      );
    } finally {
      fs.closeSync(out);
    }
  } catch (e) {
    await fsp.rm(runDir, { recursive: true, force: true });
    throw e;
  }

  const proc = child;
  // Listen before anything else is awaited, so that an early exit or spawn error is never missed.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
    proc.once('error', () => resolve({ code: null, signal: null }));
  });
  const spawnError = new Promise<Error>((resolve) => proc.once('error', resolve));
  const isRunning = () => proc.exitCode === null && proc.signalCode === null;

  let stopping: Promise<void> | undefined;
  const entry: Live = {
    child: proc,
    handleSignals: opts.handleSignals ?? true,
    broker: {
      brokers: `127.0.0.1:${port}`,
      port,
      controllerPort,
      pid: proc.pid ?? -1,
      clusterId,
      runDir,
      logFile,
      exited,
      stop: () =>
        (stopping ??= (async () => {
          if (isRunning()) {
            proc.kill('SIGTERM');
            const timer = setTimeout(() => {
              if (isRunning()) proc.kill('SIGKILL');
            }, 15_000);
            await exited;
            clearTimeout(timer);
          }
          unregister(entry);
          await fsp.rm(runDir, { recursive: true, force: true });
        })()),
    },
  };
  register(entry);

  try {
    // Lets a later startBroker() clean up if this Node process dies without running its hooks (SIGKILL).
    await fsp
      .writeFile(path.join(runDir, OWNER_FILE), JSON.stringify({ nodePid: process.pid, javaPid: proc.pid }))
      .catch(() => undefined);
    await waitUntilServing({ port, deadline: t0 + readyTimeoutMs, exited, spawnError, logFile });
  } catch (e) {
    if (isRunning()) proc.kill('SIGKILL');
    await Promise.race([exited, sleep(5_000)]);
    unregister(entry);
    await fsp.rm(runDir, { recursive: true, force: true });
    throw e;
  }
  log(
    `Kafka ${KAFKA_VERSION} broker ready at ${entry.broker.brokers} in ${((Date.now() - t0) / 1000).toFixed(1)}s ` +
      `(pid ${entry.broker.pid}, log ${logFile})`,
  );
  return entry.broker;
}

async function waitUntilServing(o: {
  port: number;
  deadline: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  spawnError: Promise<Error>;
  logFile: string;
}): Promise<void> {
  let died: string | undefined;
  void o.exited.then((r) => (died ??= `java exited early (code ${r.code}, signal ${r.signal})`));
  void o.spawnError.then((e) => (died = `could not start java: ${e.message}`));
  const fail = async (msg: string): Promise<never> => {
    throw new BrokerStartError(msg, await readTail(o.logFile, 40));
  };

  // 1. The client port: Kafka 4.x opens it only once the broker is unfenced and serving.
  for (;;) {
    if (died) return fail(died);
    if (Date.now() > o.deadline) return fail(`Kafka broker did not open 127.0.0.1:${o.port} in time`);
    if (await canConnect(o.port, 1_000)) break;
    await sleep(200);
  }
  // 2. One real Metadata round trip, retried briefly.
  let lastErr: unknown;
  for (;;) {
    if (died) return fail(died);
    try {
      const md = await probeMetadata(`127.0.0.1:${o.port}`, 0);
      if (md.brokers.some((b) => b.port === o.port)) return;
      lastErr = new Error(`Metadata lists no broker on port ${o.port}: ${JSON.stringify(md)}`);
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > o.deadline) return fail(`Kafka Metadata request kept failing: ${String(lastErr)}`);
    await sleep(200);
  }
}

function canConnect(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

const RUN_DIR_PREFIX = 'level4-kafka-';
const OWNER_FILE = 'owner.json';

/**
 * Removes run dirs (and kills their brokers) left by Node processes that died
 * without cleaning up, e.g. killed with SIGKILL. Linux only for the kill part
 * (it checks /proc/<pid>/cmdline so that a reused pid is never hit).
 */
async function sweepOrphans(log: LogFn): Promise<void> {
  let names: string[];
  try {
    names = (await fsp.readdir(os.tmpdir())).filter((n) => n.startsWith(RUN_DIR_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = path.join(os.tmpdir(), name);
    try {
      let owner: { nodePid?: unknown; javaPid?: unknown };
      try {
        owner = JSON.parse(await fsp.readFile(path.join(dir, OWNER_FILE), 'utf8')) as typeof owner;
      } catch {
        // No owner file: being set up right now, or left by a crash long ago.
        if (Date.now() - (await fsp.stat(dir)).mtimeMs > 3_600_000) await fsp.rm(dir, { recursive: true, force: true });
        continue;
      }
      if (typeof owner.nodePid !== 'number' || isAlive(owner.nodePid)) continue;
      if (typeof owner.javaPid === 'number' && isAlive(owner.javaPid)) {
        const cmdline = await fsp.readFile(`/proc/${owner.javaPid}/cmdline`, 'utf8').catch(() => '');
        if (cmdline.includes(dir)) {
          log(`Killing orphaned Kafka broker pid ${owner.javaPid} (${dir})`);
          process.kill(owner.javaPid, 'SIGKILL');
        }
      }
      await fsp.rm(dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
}

// ---------------------------------------------------------------------------
// Readiness: one real Metadata call through the client the tests use
// ---------------------------------------------------------------------------

export interface ClusterMetadata {
  controllerId: number;
  brokers: { nodeId: number; host: string; port: number }[];
}

/**
 * Asks `brokers` ("host:port[,host:port...]") for the cluster's metadata (kafkajs
 * `describeCluster`, one Metadata request) and returns the brokers it lists; retries
 * until `timeoutMs` has passed.
 */
export async function probeMetadata(brokers: string, timeoutMs = 10_000): Promise<ClusterMetadata> {
  const list = brokers.split(',').map((b) => b.trim()).filter((b) => b !== '');
  if (list.length === 0 || !list.every((b) => /^\[?[^\]]+?\]?:\d+$/.test(b))) {
    throw new Error(`not a host:port list: ${JSON.stringify(brokers)}`);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const admin = new Kafka({
      clientId: 'level4-kafka-probe',
      brokers: list,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2_000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return {
        controllerId: cluster.controller ?? -1,
        brokers: cluster.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
      };
    } catch (e) {
      if (Date.now() >= deadline) {
        throw new Error(`Kafka metadata request to ${brokers} failed: ${(e as Error).message}`);
      }
      await sleep(250);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

// ---------------------------------------------------------------------------

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let hooksInstalled = false;
let signalCount = 0;

function register(e: Live): void {
  live.add(e);
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function unregister(e: Live): void {
  live.delete(e);
  if (live.size > 0 || !hooksInstalled) return;
  hooksInstalled = false;
  signalCount = 0;
  process.off('exit', onExit);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** Last resort, synchronous: kill what is left and remove its dir. */
function onExit(): void {
  for (const e of live) {
    const c = e.child;
    if (c.exitCode === null && c.signalCode === null) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
    try {
      fs.rmSync(e.broker.runDir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
  live.clear();
}

function onSignal(sig: NodeJS.Signals): void {
  signalCount++;
  const mine = [...live].filter((e) => e.handleSignals);
  const reraise = () => {
    // Keep the default "die on signal" behaviour when nobody else listens.
    const others = process.listeners(sig).filter((l) => l !== onSignal).length;
    if (others === 0) {
      onExit();
      process.off(sig, onSignal);
      process.kill(process.pid, sig);
    }
  };
  if (signalCount > 1 || mine.length === 0) {
    // Second signal (or nothing of ours to stop gracefully): no more waiting.
    if (signalCount > 1) for (const e of mine) e.child.kill('SIGKILL');
    reraise();
    return;
  }
  void Promise.allSettled(mine.map((e) => e.broker.stop())).then(reraise);
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The last lines of a log, without Java stack frames (the "Caused by" lines stay). */
function tail(text: string, lines: number): string {
  return text
    .trimEnd()
    .split('\n')
    .filter((l) => !/^\s+(at |\.\.\. \d+ more)/.test(l))
    .slice(-lines)
    .join('\n');
}

async function readTail(file: string, lines: number): Promise<string> {
  try {
    const fh = await fsp.open(file, 'r');
    try {
      const { size } = await fh.stat();
      const len = Math.min(size, 16_384);
      const b = Buffer.alloc(len);
      await fh.read(b, 0, len, size - len);
      return tail(b.toString('utf8'), lines);
    } finally {
      await fh.close();
    }
  } catch {
    return '';
  }
}

function runCapture(
  cmd: string,
  args: string[],
): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    c.stdout.on('data', (b: Buffer) => chunks.push(b));
    c.stderr.on('data', (b: Buffer) => chunks.push(b));
    c.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new Error(`cannot run ${cmd}: not found (tools/kafka needs Java 17+ and Maven 3.8+; check PATH/JAVA_HOME)`)
          : e,
      ),
    );
    c.once('close', (code, signal) => resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

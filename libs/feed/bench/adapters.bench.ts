/**
 * Adapter pipeline benchmark: real recorded sessions (../shared/fixtures) replayed from memory,
 * frame by frame, through adapter.parse -> MarketSync (sequence rule, book, checks) -> events, as
 * the engine does for every frame of a socket, minus the socket. Side by side with bare
 * `JSON.parse` of the same frames. Reported per price level (levels in the session's book frames)
 * and per frame. Target: >= 1,000,000 levels/s per core on Binance depth frames (<= 1 µs a level).
 *
 *   npm run bench -- adapters
 *
 * REST snapshots are installed before each timed pass (outside the timing); in-band snapshots
 * (Bybit) are frames of the stream and are timed with it. To add a venue, add a file
 * `sessions/<venue>.ts` exporting `sessions: Session[]` (see sessions/session.ts); every file there is
 * loaded.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
// The benchmark is outside the project graph (.nxignore); it uses the packages the way users do.
/* eslint-disable @nx/enforce-module-boundaries */
import { MarketSync, type FeedEvent, type Instrument, type SnapshotMessage } from '@level4/feed';
import { capturesDir, readCapture, type CaptureLine } from '@level4/replay';
/* eslint-enable @nx/enforce-module-boundaries */
import { benchSuite } from '@level4/tools-bench';
import type { Session } from './sessions/session.js';

/** Every venue's sessions, one file per venue, in file-name order. */
async function loadSessions(): Promise<Session[]> {
  const dir = join(import.meta.dirname, 'sessions');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && f !== 'session.ts').sort();
  const only = process.env['BENCH_VENUES']?.split(',');
  const all: Session[] = [];
  for (const file of files) {
    const mod = (await import(join(dir, file))) as { sessions: readonly Session[] };
    all.push(...mod.sessions.filter((s) => only === undefined || only.includes(s.venue)));
  }
  return all;
}

const suite = benchSuite('adapters', { timeProcesses: 1 });
suite
  .note('pipeline', 'adapter.parse(frame) -> route by symbol -> MarketSync (sequence rule, OrderBook, crossed check, venue top check) -> Spread/Trade events counted; all recorded recv frames of the session, in order')
  .note('JSON.parse', 'bare JSON.parse of the same frames, the floor any JSON venue pays')
  .note('levels', 'price levels in the snapshot and delta messages of the book frames (REST snapshots are installed before each pass, untimed)');

interface Prepared {
  readonly frames: readonly string[];
  /** The frames that carry book data (depth updates, in-band snapshots). */
  readonly bookFrames: readonly string[];
  readonly levels: number;
  readonly snapshots: ReadonlyMap<string, SnapshotMessage>;
  readonly symbols: readonly string[];
}

const prepared = new Map<string, Prepared>();

async function prepare(session: Session): Promise<Prepared> {
  const cached = prepared.get(session.name);
  if (cached) return cached;
  const dir = capturesDir(import.meta.dirname);
  if (dir === undefined) throw new Error('the adapter benchmark needs the recordings (LEVEL4_CAPTURES)');
  const capture: CaptureLine[] = await readCapture(join(dir, session.file));
  const frames = capture.filter((l) => l.kind === 'ws' && l.dir === 'recv').map((l) => l.data ?? '');
  const symbols = new Set<string>();
  const bookFrames: string[] = [];
  let levels = 0;
  const channels = new Map<string | number, string>();
  for (const frame of frames) {
    let book = false;
    for (const m of session.adapter.parse(frame, session.type)) {
      if (m.kind === 'ack' && m.channel !== undefined && m.symbol !== undefined) channels.set(m.channel, m.symbol);
      if (m.kind === 'delta' || m.kind === 'snapshot') {
        const symbol = m.symbol !== '' ? m.symbol : m.channel === undefined ? undefined : channels.get(m.channel);
        if (symbol !== undefined) symbols.add(symbol);
        levels += m.bids.length + m.asks.length;
        book = true;
      }
    }
    if (book) bookFrames.push(frame);
  }
  const snapshots = new Map<string, SnapshotMessage>();
  for (const line of capture) {
    if (line.kind !== 'http' || line.dir !== 'get' || !session.adapter.parseSnapshot) continue;
    const symbol = (session.snapshotSymbol ?? binanceStyle)(new URL(line.url));
    if (symbol === undefined || !symbols.has(symbol)) continue;
    snapshots.set(symbol, session.adapter.parseSnapshot(line.data ?? '', instrument(session, symbol)));
  }
  const result = { frames, bookFrames, levels, snapshots, symbols: [...symbols] };
  prepared.set(session.name, result);
  suite.note(
    `session ${session.name}`,
    `${frames.length} frames (${bookFrames.length} with book data, ${levels} levels), ${symbols.size} markets (${session.file})`,
  );
  return result;
}

const binanceStyle = (url: URL): string | undefined => url.searchParams.get('symbol') ?? undefined;

function instrument(session: Session, symbol: string): Instrument {
  return { venue: session.venue, type: session.type, symbol, base: symbol, quote: '', tickSize: '0', trading: true, status: 'TRADING' };
}

let events = 0;
const count = (_event: FeedEvent): void => {
  events++;
};

/** Fresh books for a pass: REST snapshots installed, in-band ones left to the stream. */
function markets(session: Session, p: Prepared): Map<string, MarketSync> {
  const map = new Map<string, MarketSync>();
  for (const [i, symbol] of p.symbols.entries()) {
    const sync = new MarketSync({
      marketId: i,
      instrument: instrument(session, symbol),
      adapter: session.adapter,
      emit: count,
      hooks: { resync: () => undefined, snapshotWanted: () => undefined },
      now: () => 0,
    });
    sync.beginSync('syncing');
    const snapshot = p.snapshots.get(symbol);
    if (snapshot) sync.offerSnapshot(snapshot, 0);
    map.set(symbol, sync);
  }
  return map;
}

/** What the engine's connection does with one frame, minus the socket. */
function pass(session: Session, frames: readonly string[], books: Map<string, MarketSync>): void {
  const { adapter, type } = session;
  // Venues that number their channels (Bitfinex) bind a channel to a symbol in the subscribe ack.
  const channels = new Map<string | number, string>();
  for (let f = 0; f < frames.length; f++) {
    const messages = adapter.parse(frames[f]!, type);
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      if (m.kind === 'ack') {
        if (m.channel !== undefined && m.symbol !== undefined) channels.set(m.channel, m.symbol);
      } else if (m.kind === 'delta' || m.kind === 'snapshot' || m.kind === 'trade' || m.kind === 'top' || m.kind === 'check') {
        const symbol = m.symbol !== '' ? m.symbol : m.channel === undefined ? undefined : channels.get(m.channel);
        if (symbol !== undefined) books.get(symbol)?.onMessage(m, 1);
      }
    }
  }
}

let parsed = 0;
function parseOnly(frames: readonly string[]): void {
  for (let f = 0; f < frames.length; f++) parsed += (JSON.parse(frames[f]!) as object) === null ? 0 : 1;
}

async function main(): Promise<void> {
  for (const session of await loadSessions()) {
    const p = await prepare(session);
    let books = markets(session, p);
    const resyncsOf = () => [...books.values()].reduce((n, b) => n + b.counters.resyncs + b.counters.malformedFrames, 0);
    // A pass that resyncs would not measure the pipeline: every pass must rebuild the recorded books.
    pass(session, p.frames, books);
    if (resyncsOf() !== 0) throw new Error(`${session.name}: the pass resynced: the benchmark would not measure the pipeline`);
    // Per level: the book frames alone (the target is about depth frames). Per frame: the whole
    // session, tickers and trades included, as a socket delivers it.
    const cases = [
      { group: `${session.name}, book frames, per level`, frames: p.bookFrames, ops: p.levels, target: session.targetNsPerLevel },
      { group: `${session.name}, all frames, per frame`, frames: p.frames, ops: p.frames.length, target: undefined },
    ];
    for (const c of cases) {
      suite.time({
        group: c.group,
        name: 'parse -> book -> events',
        opsPerCall: c.ops,
        beforeEach: () => {
          books = markets(session, p);
        },
        fn: () => pass(session, c.frames, books),
        ...(c.target ? { targetNsPerOp: c.target } : {}),
      });
      suite.time({ group: c.group, name: 'JSON.parse only', opsPerCall: c.ops, fn: () => parseOnly(c.frames) });
    }
  }
  await suite.run();
  if (events < 0 || parsed < 0) console.log(events, parsed);
}

await main();

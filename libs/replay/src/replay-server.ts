import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { CaptureLine } from './capture.js';

export interface ReplayOptions {
  capture: readonly CaptureLine[];
  /**
   * - `fast` (default): as fast as the client reads (each frame waits until the previous one is written).
   * - `real`: the recorded gaps between `t`.
   * - `{ speed }`: the recorded gaps divided by `speed`.
   * - `{ framesPerSecond }`: a fixed rate on each connection, whatever the recorded gaps (for load
   *   at a known rate). Frames are due at even intervals from the first; a late server catches up
   *   (so the average holds) and frames due within the same millisecond go out together. A wait for
   *   a request (`waitForRequests`) restarts the schedule, so held frames do not come as a burst.
   */
  pace?: 'fast' | 'real' | { speed: number } | { framesPerSecond: number };
  /** Requested path -> recorded path, e.g. `{ '/public/stream': '/stream' }`; applies to WebSocket and HTTP. */
  paths?: Record<string, string>;
  faults?: readonly Fault[];
  /** Extra HTTP answers, matched like recorded gets and before them. */
  routes?: readonly { url: string; status?: number; body: string }[];
  /** Default 0 = an ephemeral port. */
  port?: number;
  /**
   * Keep the recorded interleaving of REST and stream: a frame recorded after a `get` is held until
   * a client has made that request (and had ~`settleMs` to read the answer). A client that syncs
   * books from REST snapshots then meets each snapshot at the same point of the stream as the
   * recording did. Sessions served again (reconnects) are not held twice.
   */
  waitForRequests?: boolean;
  /** With `waitForRequests`: pause between answering a request and releasing the frames behind it (default 20 ms). */
  settleMs?: number;
}

/** A recv frame of a session: its 0-based position among the session's recv frames, or a test on it. */
export type FramePick = number | ((frame: string, index: number) => boolean);

/** `connection` = the client connection a fault applies to, 1-based in order of acceptance (absent = every one). */
export type Fault =
  /** Terminate the socket abruptly once N frames have been sent. */
  | { kind: 'drop'; connection?: number; afterFrames: number }
  /** Do not send matching frames (a sequence gap). */
  | { kind: 'skip'; connection?: number; frames: FramePick }
  /** Send `edit(frame)` instead of matching frames (a bad checksum, a wrong sequence number). */
  | { kind: 'corrupt'; connection?: number; frames: FramePick; edit: (frame: string) => string }
  /** Send `text` as an extra frame just before each matching frame (malformed JSON, a venue error). */
  | { kind: 'inject'; connection?: number; before: FramePick; text: string }
  /** Once N frames have been sent, send nothing for `ms` (forever when absent); the socket stays open. */
  | { kind: 'stall'; connection?: number; afterFrames: number; ms?: number }
  /** Answer the first `times` (default 1) GETs of `path` with this status (a path with `?` must match the query too). */
  | { kind: 'http'; path: string; status: number; times?: number; headers?: Record<string, string>; body?: string };

export interface ReplayServer {
  readonly port: number;
  /** `'ws://127.0.0.1:PORT'` */
  readonly wsBase: string;
  /** `'http://127.0.0.1:PORT'` */
  readonly httpBase: string;
  /** Client WebSocket connections accepted so far. */
  readonly connections: number;
  /** Frames clients sent (subscribe frames etc.), in arrival order. */
  readonly received: readonly { connection: number; data: string }[];
  /** HTTP requests answered: the requested path and query, and the status given. */
  readonly requests: readonly { url: string; status: number }[];
  /** Frames written to client sockets so far (injected ones included), on one connection or all. */
  sentFrames(connection?: number): number;
  /** Resolves when every open connection has sent its whole session (or closed). */
  sessionsDone(): Promise<void>;
  /** Closes all sockets and the server; idempotent. */
  close(): Promise<void>;
}

/** A recorded WebSocket session: an `open` and the `recv` frames of its URL up to the next `open` of it. */
interface Session {
  readonly start: number;
  readonly frames: { t: number; data: string; after?: readonly Answers[] }[];
}

/** The recorded (or route) answers of one GET URL, served in order, then the last one again. */
interface Answers {
  readonly path: string;
  readonly params: URLSearchParams;
  readonly key: string;
  readonly answers: { status: number; body: string }[];
  served: number;
  /** Resolved once the first answer has been written and settled (`waitForRequests`). */
  released?: Promise<void>;
  release?: () => void;
}

interface Connection {
  readonly id: number;
  readonly socket: WebSocket;
  readonly abort: AbortController;
  sent: number;
  /** Inside a `stall`: the peer is hung, so protocol pings go unanswered too. */
  stalling: boolean;
  /** Settles when the session is sent or the connection is over. */
  done: Promise<void>;
}

/** Starts a venue stand-in on 127.0.0.1 that serves `capture` over WebSocket and HTTP on one port. */
export async function startReplay(options: ReplayOptions): Promise<ReplayServer> {
  const pace = options.pace ?? 'fast';
  if (typeof pace === 'object' && 'framesPerSecond' in pace) {
    if (!(pace.framesPerSecond > 0 && Number.isFinite(pace.framesPerSecond))) {
      throw new RangeError(`startReplay: pace.framesPerSecond must be a positive number, got ${pace.framesPerSecond}`);
    }
  } else if (typeof pace === 'object' && !(pace.speed > 0 && Number.isFinite(pace.speed))) {
    throw new RangeError(`startReplay: pace.speed must be a positive number, got ${pace.speed}`);
  }
  const answers = answersOf(options);
  const sessions = sessionsByPath(options.capture, options.waitForRequests ? answers : undefined);
  const settleMs = options.settleMs ?? 20;
  const faults = options.faults ?? [];
  const httpFaultsUsed = new Map<Fault, number>();
  const paths = options.paths ?? {};
  const recordedPath = (path: string) => paths[path] ?? path;

  const connections: Connection[] = [];
  const perPath = new Map<string, number>();
  const received: { connection: number; data: string }[] = [];
  const requests: { url: string; status: number }[] = [];
  let closing: Promise<void> | undefined;

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      requests.push({ url: url.pathname + url.search, status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return answer(405, JSON.stringify({ error: 'the replay server answers GET only', method: req.method }));
    }
    const fault = httpFault(faults, httpFaultsUsed, url);
    if (fault) {
      return answer(fault.status, fault.body ?? JSON.stringify({ error: 'replay fault', status: fault.status }), fault.headers);
    }
    const found = matchAnswers(answers, recordedPath(url.pathname), url.searchParams);
    if (!found) return answer(404, JSON.stringify({ error: 'nothing recorded for this path', path: url.pathname }));
    const { status, body } = found.answers[Math.min(found.served++, found.answers.length - 1)];
    answer(status, body);
    const release = found.release;
    if (release) res.once('finish', () => setTimeout(release, settleMs));
  });

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, autoPong: false });
  http.on('upgrade', (req: IncomingMessage, raw: Duplex, head: Buffer) => {
    raw.on('error', () => undefined);
    const requested = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const recorded = sessions.get(recordedPath(requested));
    if (closing || !recorded) {
      // Refusing the upgrade tells the client plainly that nothing was recorded there.
      raw.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, raw, head, (socket) => {
      if (closing) return socket.terminate(); // the handshake finished after close() began
      // The k-th connection on a path gets the k-th recorded session, then the first one again.
      // Counted per requested path, so two paths mapped to one recording each start at the first.
      const k = perPath.get(requested) ?? 0;
      perPath.set(requested, k + 1);
      const session = recorded[k] ?? recorded[0];
      accept(socket, session);
    });
  });

  function accept(socket: WebSocket, session: Session): void {
    const id = connections.length + 1;
    const abort = new AbortController();
    socket.on('error', () => undefined);
    socket.on('message', (data) => {
      received.push({ connection: id, data: textOf(data) });
    });
    socket.on('close', () => abort.abort());
    const connection: Connection = { id, socket, abort, sent: 0, stalling: false, done: Promise.resolve() };
    // Pongs by hand, so that a stalled session looks like a hung peer, not a quiet one.
    socket.on('ping', (data) => {
      if (!connection.stalling && socket.readyState === WebSocket.OPEN) socket.pong(data);
    });
    connections.push(connection);
    connection.done = play(connection, session, pace, faultsFor(faults, id)).catch((error: unknown) => {
      // A fault's own function threw: end this connection loudly rather than hang it silently.
      console.error(`replay: connection ${id} ended by an error`, error);
      socket.terminate();
    });
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;

  return {
    port,
    wsBase: `ws://127.0.0.1:${port}`,
    httpBase: `http://127.0.0.1:${port}`,
    get connections() {
      return connections.length;
    },
    received,
    requests,
    sentFrames(connection?: number) {
      return connections.filter((c) => connection === undefined || c.id === connection).reduce((n, c) => n + c.sent, 0);
    },
    async sessionsDone() {
      // Connections may arrive while we wait; wait for those too.
      for (let seen = -1; seen !== connections.length; ) {
        seen = connections.length;
        await Promise.all(connections.map((c) => c.done));
      }
    },
    close() {
      closing ??= (async () => {
        for (const c of connections) {
          c.abort.abort();
          c.socket.terminate();
        }
        await Promise.all(connections.map((c) => c.done));
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

/** Sends a session's frames on one connection, with pacing and faults, until done or closed. */
async function play(connection: Connection, session: Session, pace: NonNullable<ReplayOptions['pace']>, faults: readonly Fault[]): Promise<void> {
  const { socket, abort } = connection;
  const signal = abort.signal;
  const speed = pace === 'fast' ? 0 : pace === 'real' ? 1 : 'speed' in pace ? pace.speed : 0;
  const msPerFrame = typeof pace === 'object' && 'framesPerSecond' in pace ? 1000 / pace.framesPerSecond : 0;
  const started = performance.now();
  // The fixed-rate schedule: frame n (counted from `rateStart`) is due at rateStart + n * msPerFrame.
  let rateStart = started;
  let rateCount = 0;
  const stalled = new Set<Fault>();

  const send = (text: string) =>
    new Promise<void>((resolve) => {
      if (signal.aborted || socket.readyState !== WebSocket.OPEN) return resolve();
      connection.sent++;
      // The callback comes once the frame is written to the socket: waiting for it is what makes a
      // slow reader slow the replay down instead of the whole session piling up in memory.
      const finish = () => {
        signal.removeEventListener('abort', finish);
        resolve();
      };
      signal.addEventListener('abort', finish);
      socket.send(text, finish);
    });

  /** Drop and stall faults trigger on the count of frames sent; returns false when the connection is over. */
  const checkpoint = async (): Promise<boolean> => {
    for (const fault of faults) {
      if (signal.aborted) return false;
      if (fault.kind === 'drop' && connection.sent >= fault.afterFrames) {
        socket.terminate();
        abort.abort();
        return false;
      }
      if (fault.kind === 'stall' && connection.sent >= fault.afterFrames && !stalled.has(fault)) {
        stalled.add(fault);
        connection.stalling = true;
        await sleep(fault.ms ?? Infinity, signal);
        connection.stalling = false;
      }
    }
    return !signal.aborted;
  };

  if (!(await checkpoint())) return;
  for (let index = 0; index < session.frames.length; index++) {
    const { t, data } = session.frames[index];
    if (speed > 0) {
      // Against the session's own clock, so that waiting on slow writes does not add up as drift.
      const due = Math.max(0, (t - session.start) / speed);
      await sleep(due - (performance.now() - started), signal);
    }
    for (const held of session.frames[index].after ?? []) {
      await Promise.race([held.released, new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))]);
      rateStart = performance.now();
      rateCount = 0;
    }
    if (msPerFrame > 0) {
      const wait = rateStart + rateCount++ * msPerFrame - performance.now();
      // Timers are ms-grained: frames due within the next millisecond go now.
      if (wait >= 1) await sleep(wait, signal);
    }
    if (signal.aborted) return;
    let text: string | undefined = data;
    for (const fault of faults) {
      if (fault.kind === 'inject' && picks(fault.before, data, index)) {
        await send(fault.text);
        if (!(await checkpoint())) return;
      }
    }
    for (const fault of faults) {
      if (text === undefined) break;
      if (fault.kind === 'skip' && picks(fault.frames, data, index)) text = undefined;
      else if (fault.kind === 'corrupt' && picks(fault.frames, data, index)) text = fault.edit(text);
    }
    if (text === undefined) continue;
    await send(text);
    if (!(await checkpoint())) return;
  }
  // Session over: the socket stays open and idle (ws answers protocol pings by itself).
}

function picks(pick: FramePick, frame: string, index: number): boolean {
  return typeof pick === 'number' ? pick === index : pick(frame, index);
}

function faultsFor(faults: readonly Fault[], connection: number): Fault[] {
  return faults.filter((f) => f.kind !== 'http' && (f.connection === undefined || f.connection === connection));
}

function httpFault(faults: readonly Fault[], used: Map<Fault, number>, url: URL): Extract<Fault, { kind: 'http' }> | undefined {
  for (const fault of faults) {
    if (fault.kind !== 'http') continue;
    const target = fault.path.includes('?') ? url.pathname + url.search : url.pathname;
    const count = used.get(fault) ?? 0;
    if (target !== fault.path || count >= (fault.times ?? 1)) continue;
    used.set(fault, count + 1);
    return fault;
  }
  return undefined;
}

/** Resolves after `ms`, or at once when `signal` aborts; never leaves a timer behind. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const finish = () => {
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    // Beyond 2^31-1 ms setTimeout fires at once; such a wait is as good as forever.
    const timer = ms <= MAX_TIMEOUT ? setTimeout(finish, ms) : undefined;
    signal.addEventListener('abort', finish);
  });
}

const MAX_TIMEOUT = 2 ** 31 - 1;

function textOf(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** With `answers`, each frame lists the recorded gets made since its session opened (`waitForRequests`). */
function sessionsByPath(capture: readonly CaptureLine[], answers?: readonly Answers[]): Map<string, Session[]> {
  const byPath = new Map<string, Session[]>();
  const current = new Map<string, Session>();
  const since = new Map<Session, Answers[]>();
  const begin = (url: string, t: number) => {
    const session: Session = { start: t, frames: [] };
    current.set(url, session);
    since.set(session, []);
    const path = new URL(url).pathname;
    byPath.set(path, [...(byPath.get(path) ?? []), session]);
    return session;
  };
  for (const line of capture) {
    if (answers && line.kind === 'http' && line.dir === 'get') {
      const found = answers.find((a) => a.key === keyOf(line.url));
      if (found) {
        found.released ??= new Promise<void>((resolve) => (found.release = resolve));
        for (const held of since.values()) held.push(found);
      }
      continue;
    }
    if (line.kind !== 'ws') continue;
    if (line.dir === 'open') begin(line.url, line.t);
    else if (line.dir === 'recv') {
      // A recv with no open before it (documentation snippets) starts a session of its own.
      const session = current.get(line.url) ?? begin(line.url, line.t);
      const held = since.get(session) ?? [];
      session.frames.push({ t: line.t, data: line.data ?? '', ...(held.length ? { after: held.splice(0) } : {}) });
    }
  }
  return byPath;
}

/** Path and sorted query: the identity of a GET. */
function keyOf(url: string): string {
  const parsed = new URL(url, 'http://127.0.0.1');
  const params = new URLSearchParams(parsed.searchParams);
  params.sort();
  return `${parsed.pathname}?${params}`;
}

function answersOf(options: ReplayOptions): Answers[] {
  const list: Answers[] = [];
  const byKey = new Map<string, Answers>();
  const add = (group: string, url: string, status: number, body: string) => {
    const parsed = new URL(url, 'http://127.0.0.1');
    const params = new URLSearchParams(parsed.searchParams);
    params.sort();
    const key = keyOf(url);
    let answers = byKey.get(group + key);
    if (!answers) {
      answers = { path: parsed.pathname, params, key, answers: [], served: 0 };
      byKey.set(group + key, answers);
      list.push(answers);
    }
    answers.answers.push({ status, body });
  };
  for (const route of options.routes ?? []) add('route ', route.url, route.status ?? 200, route.body);
  for (const line of options.capture) {
    if (line.kind === 'http' && line.dir === 'get') add('recorded ', line.url, line.status ?? 200, line.data ?? '');
  }
  return list;
}

/**
 * Exact path and query first; else, on the same path, the answers whose parameters agree with the
 * request on the most names, where every name present in both must agree except `limit` (so a
 * `limit=5000` snapshot request gets the recorded `limit=1000` one, never another symbol's).
 */
function matchAnswers(list: readonly Answers[], path: string, query: URLSearchParams): Answers | undefined {
  const params = new URLSearchParams(query);
  params.sort();
  const key = `${path}?${params}`;
  const exact = list.find((a) => a.key === key);
  if (exact) return exact;
  let best: Answers | undefined;
  let bestScore = -1;
  for (const answers of list) {
    if (answers.path !== path) continue;
    let score = 0;
    let compatible = true;
    for (const [name, value] of params) {
      if (!answers.params.has(name)) continue;
      if (answers.params.get(name) === value) score++;
      else if (name !== 'limit') compatible = false;
    }
    if (compatible && score > bestScore) {
      best = answers;
      bestScore = score;
    }
  }
  return best;
}

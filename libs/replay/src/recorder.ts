import type { Endpoint, Instrument, MarketType, VenueAdapter } from '@level4/feed';
import { WebSocket } from 'ws';
import { CaptureWriter } from './capture.js';

export interface RecordOptions {
  adapter: VenueAdapter;
  type: MarketType;
  instruments: readonly Instrument[];
  /** Capture file to append to. */
  out: string;
  /** How long to record, from the call. */
  durationMs: number;
  /** For venues with REST snapshots: wait this long after the sockets open (default 1000), so deltas are buffered first. */
  snapshotDelayMs?: number;
  /**
   * Fetch the adapter's instrument list of `type` first, every page, and write it as `get` lines
   * (default true): the feed engine reads it before it subscribes, so without it the capture
   * cannot be replayed through the engine on its own.
   */
  recordInstruments?: boolean;
}

/** Pages of an instrument list followed at most (as the feed engine does). */
const MAX_INSTRUMENT_PAGES = 1_000;

/** Unix ms with the sub-millisecond part the capture format allows. */
const now = () => performance.timeOrigin + performance.now();

/**
 * Records a live session of one venue market type as a capture the feed engine can replay on its
 * own: first the adapter's instrument list (every page, as `get` lines), then, packed as the engine
 * packs them, `limits.marketsPerConnection` instruments a socket on every endpoint of the adapter,
 * subscribed `limits.marketsPerRequest` at a time (request ids 1, 2, 3, … per socket, at most
 * `limits.framesPerSecond` frames a second, then the adapter's keepalive frames, all written as
 * `send` lines); it writes every frame received and fetches the REST snapshots the adapter's sync
 * rule asks for, until `durationMs` is over. `requests` counts the `get` lines written.
 */
export async function record(options: RecordOptions): Promise<{ frames: number; requests: number }> {
  const { adapter, type, instruments, durationMs } = options;
  const writer = new CaptureWriter(options.out);
  const stop = new AbortController();
  const sockets: WebSocket[] = [];
  let frames = 0;
  let requests = 0;
  let failure: unknown;
  const stopTimer = setTimeout(() => stop.abort(), durationMs);
  let keepalive: ReturnType<typeof setInterval> | undefined;

  const connect = (endpoint: Endpoint, markets: readonly Instrument[]) =>
    new Promise<WebSocket>((resolve, reject) => {
      const url = endpoint.url;
      // The recording ended before this socket's turn came (the sockets of an endpoint open in turn).
      if (stop.signal.aborted) return reject(new Error(`record: cannot connect to ${url}: durationMs (${durationMs} ms) was over before it was opened`));
      const socket = new WebSocket(url);
      sockets.push(socket);
      // After open, an error only ends this socket; what was recorded stays.
      socket.on('error', (error) => reject(new Error(`record: cannot connect to ${url}: ${error.message}`)));
      // A venue that never completes the handshake must not hold the recording past its end.
      stop.signal.addEventListener('abort', () => socket.readyState === WebSocket.CONNECTING && socket.terminate(), { once: true });
      socket.once('open', () => {
        writer.write({ t: now(), kind: 'ws', dir: 'open', url });
        // The first subscribe goes out in this same turn, before any frame can be read, so the
        // capture shows it before what it brought.
        subscribing.push(subscribe(socket, endpoint, markets));
        resolve(socket);
      });
      socket.on('message', (data) => {
        if (stop.signal.aborted) return;
        frames++;
        writer.write({ t: now(), kind: 'ws', dir: 'recv', url, data: textOf(data) });
      });
    });

  const send = (socket: WebSocket, url: string, frame: string) => {
    if (stop.signal.aborted || socket.readyState !== WebSocket.OPEN) return;
    socket.send(frame);
    writer.write({ t: now(), kind: 'ws', dir: 'send', url, data: frame });
  };

  const get = async (url: string): Promise<{ status: number; ok: boolean; body: string }> => {
    const res = await fetch(url, { signal: stop.signal, headers: { accept: 'application/json' } });
    const body = await res.text();
    return { status: res.status, ok: res.ok, body };
  };

  // The instrument list the engine reads before it subscribes, every page, each as it came.
  const recordInstrumentList = async () => {
    let cursor: string | undefined;
    for (let page = 0; page < MAX_INSTRUMENT_PAGES; page++) {
      const url = adapter.instrumentsUrl(type, cursor);
      let answer: Awaited<ReturnType<typeof get>>;
      try {
        answer = await get(url);
      } catch (error) {
        const why = stop.signal.aborted ? `no answer within durationMs (${durationMs} ms)` : (error as Error).message;
        throw new Error(`record: cannot fetch the instrument list ${url}: ${why} (the recording would not replay)`);
      }
      if (!answer.ok) {
        throw new Error(`record: the instrument list ${url} answered HTTP ${answer.status} (the recording would not replay)`);
      }
      let next: string | undefined;
      try {
        next = adapter.parseInstruments(type, answer.body).next;
      } catch (error) {
        throw new Error(`record: the instrument list ${url} is unreadable: ${(error as Error).message} (the recording would not replay)`);
      }
      requests++;
      writer.write({ t: now(), kind: 'http', dir: 'get', url, status: answer.status, data: answer.body });
      if (!next) return;
      cursor = next;
    }
    throw new Error(`record: the instrument list ${adapter.instrumentsUrl(type, cursor)} has more than ${MAX_INSTRUMENT_PAGES} pages`);
  };

  // Subscribe frames no faster than the venue allows per connection, `marketsPerRequest` markets a
  // request, request ids 1, 2, 3, … on each connection (as the engine numbers them).
  const fps = adapter.limits.framesPerSecond;
  const gap = fps > 0 ? 1_000 / fps : 0;
  const perRequest = Math.max(1, adapter.limits.marketsPerRequest);
  const subscribing: Promise<void>[] = [];
  const subscribe = async (socket: WebSocket, endpoint: Endpoint, markets: readonly Instrument[]) => {
    let sent = 0;
    for (let i = 0, request = 1; i < markets.length; i += perRequest, request++) {
      for (const frame of adapter.subscribe(endpoint, markets.slice(i, i + perRequest), request)) {
        if (sent++ > 0) await sleep(gap, stop.signal);
        if (stop.signal.aborted) return;
        send(socket, endpoint.url, frame);
      }
    }
  };

  try {
    if (options.recordInstruments ?? true) await recordInstrumentList();
    // The engine fills a connection up to `marketsPerConnection` before it opens the next one.
    const groups = chunks(instruments, Math.max(1, adapter.limits.marketsPerConnection));
    const endpoints = adapter.endpoints(type);
    const opened: { socket: WebSocket; endpoint: Endpoint }[] = [];
    // The sockets of one endpoint open one after another, so their `open` lines are in the order of
    // their markets: a replay server gives the k-th connection to a URL the k-th recorded session.
    await Promise.all(
      endpoints.map(async (endpoint) => {
        for (const markets of groups) opened.push({ socket: await connect(endpoint, markets), endpoint });
      }),
    );
    await Promise.all(subscribing);
    const ping = adapter.keepalive;
    if (ping) {
      const frame = ping.frame?.bind(ping);
      // An application ping is recorded like any client frame; a protocol ping is not a frame.
      keepalive = setInterval(() => opened.forEach(({ socket, endpoint }) => (frame ? send(socket, endpoint.url, frame()) : socket.ping())), ping.intervalMs);
    }
    if (adapter.sync(type).snapshot === 'rest' && adapter.snapshotUrl) {
      await sleep(options.snapshotDelayMs ?? 1_000, stop.signal);
      for (const instrument of instruments) {
        if (stop.signal.aborted) break;
        const url = adapter.snapshotUrl(instrument);
        try {
          const { status, body } = await get(url);
          requests++;
          writer.write({ t: now(), kind: 'http', dir: 'get', url, status, data: body });
        } catch (error) {
          if (!stop.signal.aborted) throw error;
        }
      }
    }
    await sleep(Infinity, stop.signal);
  } catch (error) {
    failure = error;
  } finally {
    clearTimeout(stopTimer);
    clearInterval(keepalive);
    stop.abort();
    await Promise.all(sockets.map(closeSocket));
    await writer.close();
  }
  if (failure) throw failure;
  return { frames, requests };
}

/** `list` in runs of `size`; one empty run for an empty list (every endpoint is still opened). */
function chunks<T>(list: readonly T[], size: number): (readonly T[])[] {
  if (list.length === 0) return [[]];
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** A polite close, then a hard one if the venue does not answer within a second. */
function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.terminate(), 1_000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
    else socket.close(1000);
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const finish = () => {
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const timer = Number.isFinite(ms) ? setTimeout(finish, ms) : undefined;
    signal.addEventListener('abort', finish);
  });
}

function textOf(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

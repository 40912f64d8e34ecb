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
}

/** Unix ms with the sub-millisecond part the capture format allows. */
const now = () => performance.timeOrigin + performance.now();

/**
 * Records a live session of one venue market type as a capture: opens every endpoint of the
 * adapter, subscribes the instruments (at most `limits.framesPerSecond` frames a second, then the
 * adapter's keepalive frames, all written as `send` lines), writes every frame received, and
 * fetches the REST snapshots the adapter's sync rule asks for, until `durationMs` is over.
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

  const connect = (endpoint: Endpoint) =>
    new Promise<WebSocket>((resolve, reject) => {
      const url = endpoint.url;
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
        subscribing.push(subscribe(socket, endpoint));
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

  // Subscribe frames no faster than the venue allows per connection.
  const fps = adapter.limits.framesPerSecond;
  const gap = fps > 0 ? 1_000 / fps : 0;
  const subscribing: Promise<void>[] = [];
  const subscribe = async (socket: WebSocket, endpoint: Endpoint) => {
    const list = adapter.subscribe(endpoint, instruments, 1);
    for (let n = 0; n < list.length; n++) {
      if (n > 0) await sleep(gap, stop.signal);
      send(socket, endpoint.url, list[n]);
    }
  };

  try {
    const endpoints = adapter.endpoints(type);
    const opened = await Promise.all(endpoints.map(connect));
    await Promise.all(subscribing);
    const ping = adapter.keepalive;
    if (ping) {
      keepalive = setInterval(() => endpoints.forEach((endpoint, i) => send(opened[i], endpoint.url, ping.frame())), ping.intervalMs);
    }
    if (adapter.sync(type).snapshot === 'rest' && adapter.snapshotUrl) {
      await sleep(options.snapshotDelayMs ?? 1_000, stop.signal);
      for (const instrument of instruments) {
        if (stop.signal.aborted) break;
        const url = adapter.snapshotUrl(instrument);
        try {
          const res = await fetch(url, { signal: stop.signal });
          const body = await res.text();
          requests++;
          writer.write({ t: now(), kind: 'http', dir: 'get', url, status: res.status, data: body });
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

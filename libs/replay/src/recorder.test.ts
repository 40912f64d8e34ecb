import type { Endpoint, Instrument, MarketType, SyncRule, VenueAdapter } from '@level4/feed';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { readCapture, type CaptureLine } from './capture.js';
import { record } from './recorder.js';
import { startReplay, type ReplayServer } from './replay-server.js';

// Frames with unicode, spacing and escapes: the recorder must keep them byte for byte.
const FRAMES = ['{"topic":"book","type":"snapshot","b":[["1.5","2"]]}', '{ "topic" : "book", "note": "ünïcødé €" }', '{"s":"a\\"b","u":3}'];
const SNAPSHOT = '{"lastUpdateId":42,"bids":[["1.50000000","2.00000000"]],"asks":[]}';

const capture: CaptureLine[] = [
  { t: 1_000, kind: 'ws', dir: 'open', url: 'wss://venue.example.com/ws' },
  ...FRAMES.map((data, i): CaptureLine => ({ t: 1_001 + i, kind: 'ws', dir: 'recv', url: 'wss://venue.example.com/ws', data })),
  { t: 1_100, kind: 'http', dir: 'get', url: 'https://api.venue.example.com/depth?symbol=BTCUSDT&limit=1000', status: 200, data: SNAPSHOT },
];

const btc: Instrument = { venue: 'fake', type: 'spot', symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', tickSize: '0.01', trading: true, status: 'TRADING' };

/** Just enough of a venue adapter for the recorder: endpoints, subscribe, sync and snapshot URL. */
function fakeAdapter(server: ReplayServer, snapshot: SyncRule['snapshot']): VenueAdapter {
  const unused = () => {
    throw new Error('not used by the recorder');
  };
  return {
    venue: 'fake',
    marketTypes: ['spot'],
    urls: { ws: server.wsBase, rest: server.httpBase },
    limits: { marketsPerConnection: 10, marketsPerRequest: 10, framesPerSecond: 5 },
    livenessMs: 30_000,
    instrumentsUrl: () => `${server.httpBase}/instruments`,
    parseInstruments: unused,
    endpoints: (_type: MarketType): Endpoint[] => [{ url: `${server.wsBase}/ws?client=recorder`, channels: ['book'] }],
    subscribe: (_endpoint, instruments, request) => [JSON.stringify({ op: 'subscribe', args: instruments.map((i) => `book.${i.symbol}`), id: request })],
    unsubscribe: unused,
    parse: unused,
    sync: () => ({ snapshot, sequence: 'next' }),
    snapshotUrl: (instrument) => `${server.httpBase}/depth?symbol=${instrument.symbol}&limit=1000`,
  };
}

let server: ReplayServer;
let dir: string;
beforeEach(async () => {
  server = await startReplay({ capture });
  dir = await mkdtemp(join(tmpdir(), 'replay-record-'));
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('record', () => {
  it('writes open, send, recv and get lines, with the frames and the body byte for byte', async () => {
    const out = join(dir, 'session.jsonl');
    const result = await record({ adapter: fakeAdapter(server, 'rest'), type: 'spot', instruments: [btc], out, durationMs: 400, snapshotDelayMs: 50 });
    expect(result).toEqual({ frames: 3, requests: 1 });

    const lines = await readCapture(out);
    const wsUrl = `${server.wsBase}/ws?client=recorder`;
    expect(lines.map(({ kind, dir, url, data, status }) => ({ kind, dir, url, data, status }))).toEqual([
      { kind: 'ws', dir: 'open', url: wsUrl, data: undefined, status: undefined },
      { kind: 'ws', dir: 'send', url: wsUrl, data: '{"op":"subscribe","args":["book.BTCUSDT"],"id":1}', status: undefined },
      ...FRAMES.map((data) => ({ kind: 'ws', dir: 'recv', url: wsUrl, data, status: undefined })),
      { kind: 'http', dir: 'get', url: `${server.httpBase}/depth?symbol=BTCUSDT&limit=1000`, data: SNAPSHOT, status: 200 },
    ]);
    // Times are unix ms, in order.
    const times = lines.map((l) => l.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.abs(times[0] - Date.now())).toBeLessThan(10_000);

    // The venue saw the subscribe frame, and the socket was closed at the end.
    expect(server.received).toEqual([{ connection: 1, data: '{"op":"subscribe","args":["book.BTCUSDT"],"id":1}' }]);
  });

  it('fetches no snapshot for venues that send theirs on the socket', async () => {
    const out = join(dir, 'session.jsonl');
    const result = await record({ adapter: fakeAdapter(server, 'message'), type: 'spot', instruments: [btc], out, durationMs: 200 });
    expect(result).toEqual({ frames: 3, requests: 0 });
    expect((await readCapture(out)).some((l) => l.dir === 'get')).toBe(false);
    expect(server.requests).toEqual([]);
  });

  it('paces subscribe frames to the venue limit and sends its keepalive, all written as send lines', async () => {
    const out = join(dir, 'session.jsonl');
    const adapter: VenueAdapter = {
      ...fakeAdapter(server, 'message'),
      limits: { marketsPerConnection: 10, marketsPerRequest: 1, framesPerSecond: 10 },
      subscribe: (_endpoint, instruments) => instruments.map((i) => `{"op":"subscribe","args":["book.${i.symbol}"]}`),
      keepalive: { intervalMs: 100, frame: () => '{"op":"ping"}' },
    };
    const eth = { ...btc, symbol: 'ETHUSDT', base: 'ETH' };
    await record({ adapter, type: 'spot', instruments: [btc, eth], out, durationMs: 450 });
    const sent = (await readCapture(out)).filter((l) => l.dir === 'send');
    expect(sent.slice(0, 2).map((l) => l.data)).toEqual(['{"op":"subscribe","args":["book.BTCUSDT"]}', '{"op":"subscribe","args":["book.ETHUSDT"]}']);
    expect(sent[1].t - sent[0].t).toBeGreaterThanOrEqual(90); // 10 frames a second
    expect(sent.slice(2).length).toBeGreaterThanOrEqual(2);
    expect(new Set(sent.slice(2).map((l) => l.data))).toEqual(new Set(['{"op":"ping"}']));
    expect(server.received.map((r) => r.data)).toEqual(sent.map((l) => l.data));
  });

  it('a recording replays: the replay server serves what was recorded', async () => {
    const out = join(dir, 'session.jsonl');
    await record({ adapter: fakeAdapter(server, 'rest'), type: 'spot', instruments: [btc], out, durationMs: 300, snapshotDelayMs: 0 });
    const again = await startReplay({ capture: await readCapture(out) });
    try {
      const socket = new WebSocket(`${again.wsBase}/ws`);
      const received: string[] = [];
      socket.on('message', (data) => received.push(data.toString()));
      await once(socket, 'open');
      await expect.poll(() => received).toEqual(FRAMES);
      socket.terminate();
      expect(await (await fetch(`${again.httpBase}/depth?symbol=BTCUSDT&limit=5000`)).text()).toBe(SNAPSHOT);
    } finally {
      await again.close();
    }
  });

  it('fails naming the URL when an endpoint cannot be reached', async () => {
    const adapter = fakeAdapter(server, 'message');
    await expect(
      record({ adapter: { ...adapter, endpoints: () => [{ url: `${server.wsBase}/nowhere`, channels: ['book'] }] }, type: 'spot', instruments: [btc], out: join(dir, 'x.jsonl'), durationMs: 200 }),
    ).rejects.toThrow(`record: cannot connect to ${server.wsBase}/nowhere: Unexpected server response: 404`);
  });
});

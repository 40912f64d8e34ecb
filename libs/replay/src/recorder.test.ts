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
// A paginated instrument list (spacing and unicode kept byte for byte): page 1 names the cursor of page 2.
const PAGE_1 = '{ "list": [ {"symbol":"BTCUSDT","base":"BTC","quote":"USDT"}, {"symbol":"ETHUSDT","base":"ETH","quote":"USDT"} ], "next": "p2", "note": "ünï" }';
const PAGE_2 = '{"list":[{"symbol":"SOLUSDT","base":"SOL","quote":"USDT"}]}';

const capture: CaptureLine[] = [
  { t: 1_000, kind: 'ws', dir: 'open', url: 'wss://venue.example.com/ws' },
  ...FRAMES.map((data, i): CaptureLine => ({ t: 1_001 + i, kind: 'ws', dir: 'recv', url: 'wss://venue.example.com/ws', data })),
  { t: 1_100, kind: 'http', dir: 'get', url: 'https://api.venue.example.com/depth?symbol=BTCUSDT&limit=1000', status: 200, data: SNAPSHOT },
  { t: 1_101, kind: 'http', dir: 'get', url: 'https://api.venue.example.com/instruments', status: 200, data: PAGE_1 },
  { t: 1_102, kind: 'http', dir: 'get', url: 'https://api.venue.example.com/instruments?cursor=p2', status: 200, data: PAGE_2 },
];

const btc: Instrument = { venue: 'fake', type: 'spot', symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', tickSize: '0.01', trading: true, status: 'TRADING' };
const eth: Instrument = { ...btc, symbol: 'ETHUSDT', base: 'ETH' };
const sol: Instrument = { ...btc, symbol: 'SOLUSDT', base: 'SOL' };

/** Just enough of a venue adapter for the recorder: instrument list, endpoints, subscribe, sync and snapshot URL. */
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
    instrumentsUrl: (_type, cursor) => `${server.httpBase}/instruments${cursor ? `?cursor=${cursor}` : ''}`,
    parseInstruments: (_type, body) => {
      const page = JSON.parse(body) as { list: { symbol: string; base: string; quote: string }[]; next?: string };
      return { instruments: page.list.map((i) => ({ ...btc, ...i })), ...(page.next ? { next: page.next } : {}) };
    },
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
  it('writes the instrument list (every page), then open, send, recv and get lines, with the frames and bodies byte for byte', async () => {
    const out = join(dir, 'session.jsonl');
    const result = await record({ adapter: fakeAdapter(server, 'rest'), type: 'spot', instruments: [btc], out, durationMs: 400, snapshotDelayMs: 50 });
    expect(result).toEqual({ frames: 3, requests: 3 });

    const lines = await readCapture(out);
    const wsUrl = `${server.wsBase}/ws?client=recorder`;
    expect(lines.map(({ kind, dir, url, data, status }) => ({ kind, dir, url, data, status }))).toEqual([
      { kind: 'http', dir: 'get', url: `${server.httpBase}/instruments`, data: PAGE_1, status: 200 },
      { kind: 'http', dir: 'get', url: `${server.httpBase}/instruments?cursor=p2`, data: PAGE_2, status: 200 },
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
    expect(result).toEqual({ frames: 3, requests: 2 });
    expect((await readCapture(out)).filter((l) => l.dir === 'get').map((l) => l.url)).toEqual([`${server.httpBase}/instruments`, `${server.httpBase}/instruments?cursor=p2`]);
    expect(server.requests.map((r) => r.url)).toEqual(['/instruments', '/instruments?cursor=p2']);
  });

  it('with recordInstruments: false writes no instrument list', async () => {
    const out = join(dir, 'session.jsonl');
    const result = await record({ adapter: fakeAdapter(server, 'message'), type: 'spot', instruments: [btc], out, durationMs: 200, recordInstruments: false });
    expect(result).toEqual({ frames: 3, requests: 0 });
    const lines = await readCapture(out);
    expect(lines[0].dir).toBe('open');
    expect(lines.some((l) => l.kind === 'http')).toBe(false);
    expect(server.requests).toEqual([]);
  });

  it('rejects naming the URL and status when a page of the instrument list cannot be fetched, before opening any socket', async () => {
    const failing = await startReplay({ capture, faults: [{ kind: 'http', path: '/instruments?cursor=p2', status: 503 }] });
    try {
      const out = join(dir, 'session.jsonl');
      await expect(record({ adapter: fakeAdapter(failing, 'message'), type: 'spot', instruments: [btc], out, durationMs: 2_000 })).rejects.toThrow(
        `record: the instrument list ${failing.httpBase}/instruments?cursor=p2 answered HTTP 503`,
      );
      expect(failing.connections).toBe(0);
      expect(failing.requests).toEqual([
        { url: '/instruments', status: 200 },
        { url: '/instruments?cursor=p2', status: 503 },
      ]);
    } finally {
      await failing.close();
    }
  });

  it('rejects when the instrument list is not there at all', async () => {
    const adapter = { ...fakeAdapter(server, 'message'), instrumentsUrl: () => `${server.httpBase}/api/markets` };
    await expect(record({ adapter, type: 'spot', instruments: [btc], out: join(dir, 'x.jsonl'), durationMs: 2_000 })).rejects.toThrow(
      `record: the instrument list ${server.httpBase}/api/markets answered HTTP 404`,
    );
    expect(server.connections).toBe(0);
  });

  it('packs marketsPerConnection instruments a socket: 3 instruments, 2 a connection = two sockets, each with its own subscribe', async () => {
    const out = join(dir, 'session.jsonl');
    const adapter: VenueAdapter = { ...fakeAdapter(server, 'message'), limits: { marketsPerConnection: 2, marketsPerRequest: 10, framesPerSecond: 50 } };
    const result = await record({ adapter, type: 'spot', instruments: [btc, eth, sol], out, durationMs: 400 });
    expect(result).toEqual({ frames: 6, requests: 2 });
    expect(server.connections).toBe(2);
    const first = '{"op":"subscribe","args":["book.BTCUSDT","book.ETHUSDT"],"id":1}';
    const second = '{"op":"subscribe","args":["book.SOLUSDT"],"id":1}';
    expect(server.received).toEqual([
      { connection: 1, data: first },
      { connection: 2, data: second },
    ]);
    const lines = await readCapture(out);
    const wsUrl = `${server.wsBase}/ws?client=recorder`;
    expect(lines.filter((l) => l.dir === 'open').map((l) => l.url)).toEqual([wsUrl, wsUrl]);
    expect(lines.filter((l) => l.dir === 'send').map((l) => l.data)).toEqual([first, second]);
    // Each socket's subscribe is written right after its own open, before anything it brought.
    const opens = lines.flatMap((l, i) => (l.dir === 'open' ? [i] : []));
    expect(opens.map((i) => lines[i + 1].data)).toEqual([first, second]);
  });

  it('splits subscribes per marketsPerRequest, with request ids 1, 2 on the same connection', async () => {
    const out = join(dir, 'session.jsonl');
    const adapter: VenueAdapter = { ...fakeAdapter(server, 'message'), limits: { marketsPerConnection: 10, marketsPerRequest: 1, framesPerSecond: 20 } };
    await record({ adapter, type: 'spot', instruments: [btc, eth], out, durationMs: 400, recordInstruments: false });
    const frames = ['{"op":"subscribe","args":["book.BTCUSDT"],"id":1}', '{"op":"subscribe","args":["book.ETHUSDT"],"id":2}'];
    expect(server.connections).toBe(1);
    expect(server.received).toEqual(frames.map((data) => ({ connection: 1, data })));
    const sent = (await readCapture(out)).filter((l) => l.dir === 'send');
    expect(sent.map((l) => l.data)).toEqual(frames);
    expect(sent[1].t - sent[0].t).toBeGreaterThanOrEqual(45); // 20 frames a second
  });

  it('paces subscribe frames to the venue limit and sends its keepalive, all written as send lines', async () => {
    const out = join(dir, 'session.jsonl');
    const adapter: VenueAdapter = {
      ...fakeAdapter(server, 'message'),
      limits: { marketsPerConnection: 10, marketsPerRequest: 1, framesPerSecond: 10 },
      subscribe: (_endpoint, instruments) => instruments.map((i) => `{"op":"subscribe","args":["book.${i.symbol}"]}`),
      keepalive: { intervalMs: 100, frame: () => '{"op":"ping"}' },
    };
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
      // The instrument list the engine reads first is in the recording, both pages.
      expect(await (await fetch(`${again.httpBase}/instruments`)).text()).toBe(PAGE_1);
      expect(await (await fetch(`${again.httpBase}/instruments?cursor=p2`)).text()).toBe(PAGE_2);
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

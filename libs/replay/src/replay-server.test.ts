import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { CaptureLine } from './capture.js';
import { startReplay, type ReplayOptions, type ReplayServer } from './replay-server.js';

/** A recorded WebSocket session: an open, then one recv a frame, `gap` ms apart. */
function session(url: string, frames: readonly string[], start = 1_000, gap = 10): CaptureLine[] {
  return [
    { t: start, kind: 'ws', dir: 'open', url },
    ...frames.map((data, i): CaptureLine => ({ t: start + (i + 1) * gap, kind: 'ws', dir: 'recv', url, data })),
  ];
}

function get(url: string, data: string, status = 200, t = 0): CaptureLine {
  return { t, kind: 'http', dir: 'get', url, status, data };
}

const STREAM = 'wss://stream.example.com:9443/stream?streams=btcusdt@depth';
const frames = (n: number, tag = 'u') => Array.from({ length: n }, (_, i) => `{"${tag}":${i}}`);

/** A ws client that keeps every frame it receives. */
async function connect(url: string) {
  const socket = new WebSocket(url);
  const received: string[] = [];
  const arrivals: number[] = [];
  socket.on('message', (data) => {
    received.push(data.toString());
    arrivals.push(performance.now());
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await once(socket, 'open');
  return { socket, received, arrivals, closed };
}

async function until(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const servers: ReplayServer[] = [];
const sockets: WebSocket[] = [];
async function replay(options: ReplayOptions): Promise<ReplayServer> {
  const server = await startReplay(options);
  servers.push(server);
  return server;
}
async function client(url: string) {
  const c = await connect(url);
  sockets.push(c.socket);
  return c;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('WebSocket sessions', () => {
  it('serves the recorded session in order on the recorded path, query string ignored', async () => {
    const server = await replay({ capture: session(STREAM, frames(50)) });
    expect(server.wsBase).toBe(`ws://127.0.0.1:${server.port}`);
    const { received, socket } = await client(`${server.wsBase}/stream?streams=anything`);
    socket.send('{"method":"SUBSCRIBE","id":1}');
    await until(() => received.length === 50, '50 frames');
    expect(received).toEqual(frames(50));
    await server.sessionsDone();
    expect(server.connections).toBe(1);
    expect(server.sentFrames()).toBe(50);
    await until(() => server.received.length === 1, 'the subscribe frame');
    expect(server.received).toEqual([{ connection: 1, data: '{"method":"SUBSCRIBE","id":1}' }]);
    // Session over, socket still open and idle.
    expect(socket.readyState).toBe(WebSocket.OPEN);
  });

  it('keeps sessions of different paths apart, and maps requested paths with `paths`', async () => {
    const capture = [
      ...session('wss://fstream.example.com/stream', ['{"depth":1}', '{"depth":2}']),
      ...session('wss://fstream.example.com/ws/trades', ['{"trade":1}']),
    ];
    const server = await replay({ capture, paths: { '/public/stream': '/stream', '/market/stream': '/ws/trades' } });
    const book = await client(`${server.wsBase}/public/stream?streams=x`);
    const trades = await client(`${server.wsBase}/market/stream`);
    const direct = await client(`${server.wsBase}/stream`);
    await until(() => book.received.length === 2 && trades.received.length === 1 && direct.received.length === 2, 'all frames');
    expect(book.received).toEqual(['{"depth":1}', '{"depth":2}']);
    expect(trades.received).toEqual(['{"trade":1}']);
    expect(direct.received).toEqual(book.received);
  });

  it('refuses a path with no recorded session', async () => {
    const server = await replay({ capture: session(STREAM, frames(1)) });
    const socket = new WebSocket(`${server.wsBase}/nothing`);
    const [error] = (await once(socket, 'error')) as [Error];
    expect(error.message).toMatch(/404/);
    expect(server.connections).toBe(0);
  });

  it('gives the k-th connection the k-th recorded session, then the first again (a reconnect gets its snapshot)', async () => {
    const capture = [
      ...session(STREAM, ['{"snapshot":"A"}', '{"delta":"A1"}'], 1_000),
      ...session(STREAM, ['{"snapshot":"B"}'], 5_000),
    ];
    const server = await replay({ capture });
    const first = await client(`${server.wsBase}/stream`);
    await until(() => first.received.length === 2, 'session A');
    first.socket.close();
    await first.closed;
    const second = await client(`${server.wsBase}/stream`);
    await until(() => second.received.length === 1, 'session B');
    const third = await client(`${server.wsBase}/stream`);
    await until(() => third.received.length === 2, 'session A again');
    expect([first.received, second.received, third.received]).toEqual([
      ['{"snapshot":"A"}', '{"delta":"A1"}'],
      ['{"snapshot":"B"}'],
      ['{"snapshot":"A"}', '{"delta":"A1"}'],
    ]);
    expect(server.connections).toBe(3);
  });

  it('counts sessions per requested path: two paths mapped to one recording both start at its first session', async () => {
    const capture = [...session(STREAM, ['{"session":1}'], 1_000), ...session(STREAM, ['{"session":2}'], 5_000)];
    const server = await replay({ capture, paths: { '/public/stream': '/stream', '/market/stream': '/stream' } });
    const book = await client(`${server.wsBase}/public/stream`);
    const trades = await client(`${server.wsBase}/market/stream`);
    const bookAgain = await client(`${server.wsBase}/public/stream`);
    await until(() => book.received.length + trades.received.length + bookAgain.received.length === 3, '3 frames');
    expect([book.received, trades.received, bookAgain.received]).toEqual([['{"session":1}'], ['{"session":1}'], ['{"session":2}']]);
  });

  it('a recv with no open before it (a documentation snippet) is a session of its own', async () => {
    const url = 'wss://stream.bybit.com/v5/public/linear';
    const server = await replay({ capture: [{ t: 0, kind: 'ws', dir: 'recv', url, data: '{"success":false}', source: 'docs-example' }] });
    const { received } = await client(`${server.wsBase}/v5/public/linear`);
    await until(() => received.length === 1, 'the frame');
    expect(received).toEqual(['{"success":false}']);
  });
});

describe('HTTP answers', () => {
  const capture = [
    get('https://api.example.com/api/v3/exchangeInfo', '{"symbols":[]}'),
    get('https://api.example.com/api/v3/depth?symbol=BTCUSDT&limit=1000', '{"lastUpdateId":1}'),
    get('https://api.example.com/api/v3/depth?symbol=ETHUSDT&limit=1000', '{"lastUpdateId":7}'),
    get('https://api.example.com/api/v3/depth?symbol=BTCUSDT&limit=1000', '{"lastUpdateId":2}'),
    get('https://api.example.com/api/v3/depth?symbol=BTCUSDT&limit=100', '{"lastUpdateId":100}'),
    get('https://api.example.com/api/v3/ping', '{"code":-1003}', 418),
  ];

  it('answers an exact path and query with the recorded status and body, as JSON', async () => {
    const server = await replay({ capture });
    expect(server.httpBase).toBe(`http://127.0.0.1:${server.port}`);
    const res = await fetch(`${server.httpBase}/api/v3/exchangeInfo`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('{"symbols":[]}');
    // Parameter order does not matter for an exact match.
    expect(await (await fetch(`${server.httpBase}/api/v3/depth?limit=100&symbol=BTCUSDT`)).text()).toBe('{"lastUpdateId":100}');
    const teapot = await fetch(`${server.httpBase}/api/v3/ping`);
    expect([teapot.status, await teapot.text()]).toEqual([418, '{"code":-1003}']);
  });

  it('serves repeated requests the recorded answers in order, then the last one again', async () => {
    const server = await replay({ capture });
    const bodies: string[] = [];
    for (let i = 0; i < 4; i++) bodies.push(await (await fetch(`${server.httpBase}/api/v3/depth?symbol=BTCUSDT&limit=1000`)).text());
    expect(bodies).toEqual(['{"lastUpdateId":1}', '{"lastUpdateId":2}', '{"lastUpdateId":2}', '{"lastUpdateId":2}']);
  });

  it('otherwise takes the best match on the same path: every shared parameter equal except limit', async () => {
    const server = await replay({ capture });
    const body = async (path: string) => {
      const res = await fetch(server.httpBase + path);
      return `${res.status} ${await res.text()}`;
    };
    expect(await body('/api/v3/depth?symbol=ETHUSDT&limit=5000')).toBe('200 {"lastUpdateId":7}');
    expect(await body('/api/v3/depth?symbol=ETHUSDT')).toBe('200 {"lastUpdateId":7}');
    expect(await body('/api/v3/exchangeInfo?symbol=ETHUSDT')).toBe('200 {"symbols":[]}');
    // Never another symbol's book.
    expect(await body('/api/v3/depth?symbol=SOLUSDT&limit=1000')).toBe('404 {"error":"nothing recorded for this path","path":"/api/v3/depth"}');
    expect(await body('/api/v3/klines')).toBe('404 {"error":"nothing recorded for this path","path":"/api/v3/klines"}');
    expect(server.requests.map((r) => r.status)).toEqual([200, 200, 200, 404, 404]);
    expect(server.requests[0]).toEqual({ url: '/api/v3/depth?symbol=ETHUSDT&limit=5000', status: 200 });
  });

  it('answers test routes before recordings, and maps paths', async () => {
    const server = await replay({
      capture,
      paths: { '/fapi/v1/depth': '/api/v3/depth' },
      routes: [{ url: 'https://api.example.com/api/v3/depth?symbol=BTCUSDT&limit=1000', body: '{"lastUpdateId":42}' }, { url: '/v5/market/instruments', status: 503, body: '{}' }],
    });
    expect(await (await fetch(`${server.httpBase}/api/v3/depth?symbol=BTCUSDT&limit=1000`)).text()).toBe('{"lastUpdateId":42}');
    expect(await (await fetch(`${server.httpBase}/fapi/v1/depth?symbol=ETHUSDT&limit=1000`)).text()).toBe('{"lastUpdateId":7}');
    expect((await fetch(`${server.httpBase}/v5/market/instruments?category=linear`)).status).toBe(503);
  });
});

describe('faults', () => {
  it('drop: terminates the socket abruptly after N frames', async () => {
    const server = await replay({ capture: session(STREAM, frames(20)), faults: [{ kind: 'drop', afterFrames: 5 }] });
    const { received, closed } = await client(`${server.wsBase}/stream`);
    expect(await closed).toBe(1006); // no close frame: abnormal closure
    expect(received).toEqual(frames(5));
  });

  it('drop on one connection only: the reconnect gets the whole session', async () => {
    const server = await replay({ capture: session(STREAM, frames(10)), faults: [{ kind: 'drop', connection: 1, afterFrames: 3 }] });
    const first = await client(`${server.wsBase}/stream`);
    await first.closed;
    const second = await client(`${server.wsBase}/stream`);
    await until(() => second.received.length === 10, 'the whole session');
    expect(first.received).toEqual(frames(3));
    expect(second.received).toEqual(frames(10));
  });

  it('skip: leaves out matching frames, by index or by content', async () => {
    const server = await replay({
      capture: session(STREAM, frames(6)),
      faults: [
        { kind: 'skip', frames: 1 },
        { kind: 'skip', frames: (frame) => frame.includes(':4') },
      ],
    });
    const { received } = await client(`${server.wsBase}/stream`);
    await server.sessionsDone();
    await until(() => received.length === 4, '4 frames');
    expect(received).toEqual(['{"u":0}', '{"u":2}', '{"u":3}', '{"u":5}']);
  });

  it('corrupt: sends the edited text instead', async () => {
    const server = await replay({
      capture: session(STREAM, frames(3)),
      faults: [{ kind: 'corrupt', frames: (_, index) => index === 2, edit: (frame) => frame.replace('2', '999') }],
    });
    const { received } = await client(`${server.wsBase}/stream`);
    await until(() => received.length === 3, '3 frames');
    expect(received).toEqual(['{"u":0}', '{"u":1}', '{"u":999}']);
  });

  it('inject: sends an extra frame before matching frames', async () => {
    const server = await replay({
      capture: session(STREAM, frames(3)),
      faults: [
        { kind: 'inject', before: 0, text: '{"code":-1121,"msg":"Invalid symbol."}' },
        { kind: 'inject', before: 2, text: '{"u":' },
      ],
    });
    const { received } = await client(`${server.wsBase}/stream`);
    await until(() => received.length === 5, '5 frames');
    expect(received).toEqual(['{"code":-1121,"msg":"Invalid symbol."}', '{"u":0}', '{"u":1}', '{"u":', '{"u":2}']);
  });

  it('stall with ms: pauses after N frames, then goes on; the socket stays open', async () => {
    const server = await replay({ capture: session(STREAM, frames(4)), faults: [{ kind: 'stall', afterFrames: 2, ms: 600 }] });
    const started = performance.now();
    const { received, arrivals, socket } = await client(`${server.wsBase}/stream`);
    await until(() => received.length === 2, '2 frames');
    await delay(100);
    expect(received.length).toBe(2);
    await until(() => received.length === 4, 'the rest');
    expect(arrivals[2] - started).toBeGreaterThanOrEqual(590);
    expect(socket.readyState).toBe(WebSocket.OPEN);
  });

  it('stall forever: nothing more is sent, the socket stays open, and close() still ends it', async () => {
    const server = await replay({ capture: session(STREAM, frames(4)), faults: [{ kind: 'stall', afterFrames: 1 }] });
    const { received, socket, closed } = await client(`${server.wsBase}/stream`);
    await until(() => received.length === 1, '1 frame');
    await delay(200);
    expect(received).toEqual(['{"u":0}']);
    expect(socket.readyState).toBe(WebSocket.OPEN);
    await server.close();
    await closed;
  });

  it('http: the first `times` GETs of a path get the fault status and headers (429 with Retry-After)', async () => {
    const server = await replay({
      capture: [get('https://api.example.com/api/v3/depth?symbol=BTCUSDT&limit=1000', '{"lastUpdateId":1}')],
      faults: [{ kind: 'http', path: '/api/v3/depth', status: 429, times: 2, headers: { 'Retry-After': '1' }, body: '{"code":-1003}' }],
    });
    const url = `${server.httpBase}/api/v3/depth?symbol=BTCUSDT&limit=1000`;
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(url);
      answers.push([res.status, res.headers.get('retry-after'), await res.text()]);
    }
    expect(answers).toEqual([
      [429, '1', '{"code":-1003}'],
      [429, '1', '{"code":-1003}'],
      [200, null, '{"lastUpdateId":1}'],
    ]);
    expect(server.requests.map((r) => r.status)).toEqual([429, 429, 200]);
  });
});

describe('pacing', () => {
  it('real pace with speed: the recorded gaps divided by speed, in order', async () => {
    // 5 frames 100 ms apart, recorded 100 ms after the open: 500 ms of recording, 250 ms at speed 2.
    const server = await replay({ capture: session(STREAM, frames(5), 1_000, 100), pace: { speed: 2 } });
    const started = performance.now();
    const { received, arrivals } = await client(`${server.wsBase}/stream`);
    await until(() => received.length === 5, '5 frames');
    expect(received).toEqual(frames(5));
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    // Frames arrive spread out, not in one burst (loose: at least half the recorded gap between first and last).
    expect(arrivals.at(-1)! - arrivals[0]).toBeGreaterThanOrEqual(150);
  });

  it('fixed rate: framesPerSecond spreads the frames evenly, whatever the recorded gaps', async () => {
    // Recorded 1 ms apart (and all at once would be `fast`); at 100 frames/s, 30 frames take ~290 ms.
    const server = await replay({ capture: session(STREAM, frames(30), 1_000, 1), pace: { framesPerSecond: 100 } });
    const { received, arrivals } = await client(`${server.wsBase}/stream`);
    await until(() => received.length === 30, '30 frames');
    expect(received).toEqual(frames(30));
    const span = arrivals.at(-1)! - arrivals[0];
    expect(span).toBeGreaterThanOrEqual(270);
    // Evenly: the first half of the frames takes about half the time (loose, for busy machines).
    expect(arrivals[15] - arrivals[0]).toBeGreaterThanOrEqual(130);
  });

  it('fixed rate restarts its schedule after a wait for a request, so held frames do not burst', async () => {
    const capture: CaptureLine[] = [
      { t: 1_000, kind: 'ws', dir: 'open', url: STREAM },
      { t: 1_001, kind: 'ws', dir: 'recv', url: STREAM, data: '{"u":0}' },
      get('https://api.example.com/api/v3/depth?symbol=BTCUSDT', '{"lastUpdateId":1}', 200, 1_002),
      ...frames(10, 'v').map((data, i): CaptureLine => ({ t: 1_003 + i, kind: 'ws', dir: 'recv', url: STREAM, data })),
    ];
    const server = await replay({ capture, pace: { framesPerSecond: 50 }, waitForRequests: true, settleMs: 0 });
    const { received, arrivals } = await client(`${server.wsBase}/stream`);
    await until(() => received.length === 1, 'the frame before the request');
    await delay(300); // held: without the restart, the schedule would be 15 frames behind and burst
    expect(received).toHaveLength(1);
    await fetch(`${server.httpBase}/api/v3/depth?symbol=BTCUSDT`).then((r) => r.text());
    await until(() => received.length === 11, 'the held frames');
    expect(arrivals[10] - arrivals[1]).toBeGreaterThanOrEqual(150); // 9 intervals of 20 ms
  });

  it('refuses a frame rate that is not a positive number', async () => {
    await expect(startReplay({ capture: [], pace: { framesPerSecond: -1 } })).rejects.toThrow('pace.framesPerSecond must be a positive number, got -1');
  });

  it('refuses a speed that is not a positive number', async () => {
    await expect(startReplay({ capture: [], pace: { speed: 0 } })).rejects.toThrow('pace.speed must be a positive number, got 0');
  });

  it('fast pace respects backpressure: a client that does not read holds the server back', async () => {
    const big = 'x'.repeat(64 * 1024);
    const count = 2_000; // 128 MB if it were all buffered
    const server = await replay({ capture: session(STREAM, Array.from({ length: count }, () => `{"pad":"${big}"}`)) });
    const { socket, received } = await client(`${server.wsBase}/stream`);
    socket.pause(); // stops reading from the TCP socket
    await delay(300);
    const sentWhilePaused = server.sentFrames(1);
    await delay(200);
    expect(server.sentFrames(1)).toBeLessThan(count / 4);
    expect(server.sentFrames(1) - sentWhilePaused).toBeLessThanOrEqual(5); // held, not trickling on
    socket.resume();
    await until(() => received.length === count, 'the whole session', 20_000);
    expect(server.sentFrames(1)).toBe(count);
  }, 30_000);
});

describe('lifecycle', () => {
  it('a client leaving mid-session stops that session cleanly', async () => {
    const server = await replay({ capture: session(STREAM, frames(1000), 1_000, 5), pace: 'real' });
    const { received, socket } = await client(`${server.wsBase}/stream`);
    await until(() => received.length >= 3, 'a few frames');
    socket.terminate();
    await server.sessionsDone(); // settles: the connection is over
    const sent = server.sentFrames();
    await delay(50);
    expect(server.sentFrames()).toBe(sent);
    expect(sent).toBeLessThan(1000);
  });

  it('close() ends sockets mid-session, frees the port, is idempotent, and leaves nothing running', async () => {
    const before = process.getActiveResourcesInfo();
    const server = await startReplay({ capture: session(STREAM, frames(1000), 1_000, 1_000), pace: 'real', port: 0 });
    const { closed } = await client(`${server.wsBase}/stream`);
    await Promise.all([server.close(), server.close()]);
    await server.close();
    expect(await closed).toBe(1006);
    // No timer or socket of the replay left behind.
    const count = (list: string[], kind: string) => list.filter((r) => r === kind).length;
    const after = process.getActiveResourcesInfo();
    for (const kind of ['Timeout', 'TCPServerWrap', 'TCPSocketWrap']) expect(count(after, kind), kind).toBeLessThanOrEqual(count(before, kind));
    // Nothing listens on the port any more.
    await expect(fetch(`${server.httpBase}/`)).rejects.toThrow();
    // Reusing the same port works: the server really let go of it.
    const again = await replay({ capture: [], port: server.port });
    expect(again.port).toBe(server.port);
  });
});

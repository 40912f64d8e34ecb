import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { readCapture } from './capture.js';
import { capturesDir } from './captures-dir.js';
import { startReplay } from './replay-server.js';

// Real recordings live outside the project (third-party data): LEVEL4_CAPTURES or ../shared/fixtures.
const captures = capturesDir(import.meta.dirname);

describe.skipIf(!captures)('replaying a real recording (Binance spot, 2021-10-12)', () => {
  it('serves every recorded frame of /stream in order and answers the depth snapshot from the recorded one', async () => {
    const capture = await readCapture(join(captures!, 'binance/spot_2021-10-12_cryptofeed.jsonl'));
    const recorded = capture.filter((l) => l.dir === 'recv').map((l) => l.data);
    const depth = capture.find((l) => l.dir === 'get' && l.url.includes('symbol=NKNUSDT'))!;
    expect(recorded.length).toBeGreaterThan(200);

    const server = await startReplay({ capture });
    try {
      // The client asks for its own stream list: WS matching is on the path alone.
      const socket = new WebSocket(`${server.wsBase}/stream?streams=nknusdt@depth@100ms`);
      const received: string[] = [];
      socket.on('message', (data) => received.push(data.toString()));
      await once(socket, 'open');
      await expect.poll(() => received.length).toBe(recorded.length);
      expect(received).toEqual(recorded);

      // Current docs recommend limit=5000; the recording used limit=1000: same symbol, so it answers.
      const res = await fetch(`${server.httpBase}/api/v3/depth?symbol=NKNUSDT&limit=5000`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(depth.data);
      expect((await fetch(`${server.httpBase}/api/v3/depth?symbol=BTCUSDT&limit=5000`)).status).toBe(404);
      socket.terminate();
    } finally {
      await server.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { parseCapture, formatCaptureLine } from './capture.js';
import { CaptureScript } from './capture-script.js';

describe('CaptureScript', () => {
  it('writes lines in time order, one step apart, JSON for anything but text, and keeps them in lines', () => {
    const script = new CaptureScript({ t0: 1_000, url: 'wss://venue/ws' });
    const capture = [
      script.get('https://venue/api/markets', { symbols: ['BTCUSDT'] }),
      script.open(),
      script.send({ op: 'subscribe' }),
      script.recv({ type: 'snapshot' }),
      script.recv('not json'),
      script.get('https://venue/api/depth', 'busy', 429),
      script.open('wss://venue/other'),
      script.recv('{}', 'wss://venue/other'),
    ];
    expect(capture).toEqual([
      { t: 1_100, kind: 'http', dir: 'get', url: 'https://venue/api/markets', status: 200, data: '{"symbols":["BTCUSDT"]}' },
      { t: 1_200, kind: 'ws', dir: 'open', url: 'wss://venue/ws' },
      { t: 1_300, kind: 'ws', dir: 'send', url: 'wss://venue/ws', data: '{"op":"subscribe"}' },
      { t: 1_400, kind: 'ws', dir: 'recv', url: 'wss://venue/ws', data: '{"type":"snapshot"}' },
      { t: 1_500, kind: 'ws', dir: 'recv', url: 'wss://venue/ws', data: 'not json' },
      { t: 1_600, kind: 'http', dir: 'get', url: 'https://venue/api/depth', status: 429, data: 'busy' },
      { t: 1_700, kind: 'ws', dir: 'open', url: 'wss://venue/other' },
      { t: 1_800, kind: 'ws', dir: 'recv', url: 'wss://venue/other', data: '{}' },
    ]);
    expect(script.lines).toEqual(capture);
    expect(script.t).toBe(1_800);
    // Valid capture lines: they survive the file format.
    expect(parseCapture(capture.map(formatCaptureLine).join('\n'))).toEqual(capture);
  });

  it('moves the clock by its step, or only by tick() with step 0; its methods are bound', () => {
    const five = new CaptureScript({ t0: 0, step: 5, url: 'wss://v' });
    const { open, recv, tick } = five;
    expect([open().t, recv('a').t]).toEqual([5, 10]);
    expect(tick()).toBe(15);
    expect(tick(100)).toBe(115);
    expect(recv('b').t).toBe(120);

    const manual = new CaptureScript({ t0: 50, step: 0, url: 'wss://v' });
    manual.tick(250);
    expect(manual.recv('x').t).toBe(300);
    expect(manual.recv('y').t).toBe(300);
  });

  it('refuses a WebSocket line with no url and no default', () => {
    const script = new CaptureScript({ t0: 0 });
    expect(() => script.open()).toThrow('needs a url');
    expect(script.get('https://v/x', '[]')).toMatchObject({ t: 100, url: 'https://v/x' });
  });
});

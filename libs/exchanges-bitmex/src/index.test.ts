import type { Instrument } from '@level4/feed';
import { describe, expect, it } from 'vitest';
import { BITMEX_URLS, bitmex, createBitmexAdapter } from './index.js';

const market = (symbol: string): Instrument => ({
  venue: 'bitmex',
  type: 'futures',
  symbol,
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.1',
  contractSize: '0.000001',
  trading: true,
  status: 'Open',
});

describe('bitmex adapter', () => {
  it('serves spot, futures and inverse, all on the one realtime socket with book and trades', () => {
    expect(bitmex.venue).toBe('bitmex');
    expect(bitmex.marketTypes).toEqual(['spot', 'futures', 'inverse']);
    for (const type of bitmex.marketTypes) {
      expect(bitmex.endpoints(type)).toEqual([{ url: 'wss://ws.bitmex.com/realtime', channels: ['book', 'trades'] }]);
    }
    expect(bitmex.urls).toEqual(BITMEX_URLS);
    expect(() => bitmex.endpoints('options' as never)).toThrow('bitmex: no market type "options"');
  });

  it('subscribes the full book, the quote that checks it, and the trades of each market (no request id)', () => {
    const [endpoint] = bitmex.endpoints('futures');
    expect(bitmex.subscribe(endpoint!, [market('XBTUSDT'), market('ETHUSDT')], 7)).toEqual([
      '{"op":"subscribe","args":["orderBookL2:XBTUSDT","quote:XBTUSDT","trade:XBTUSDT","orderBookL2:ETHUSDT","quote:ETHUSDT","trade:ETHUSDT"]}',
    ]);
    expect(bitmex.unsubscribe(endpoint!, [market('XBTUSDT')], 8)).toEqual(['{"op":"unsubscribe","args":["orderBookL2:XBTUSDT","quote:XBTUSDT","trade:XBTUSDT"]}']);
  });

  it('only subscribes the channels the endpoint carries', () => {
    expect(bitmex.subscribe({ url: 'wss://x', channels: ['trades'] }, [market('XBTUSDT')], 1)).toEqual(['{"op":"subscribe","args":["trade:XBTUSDT"]}']);
    expect(bitmex.subscribe({ url: 'wss://x', channels: ['book'] }, [market('XBTUSDT')], 1)).toEqual(['{"op":"subscribe","args":["orderBookL2:XBTUSDT","quote:XBTUSDT"]}']);
  });

  it('keeps to its per-request limit', () => {
    const [endpoint] = bitmex.endpoints('spot');
    expect(bitmex.limits).toEqual({ marketsPerConnection: 100, marketsPerRequest: 10, framesPerSecond: 5 });
    const ten = Array.from({ length: 10 }, (_, i) => market(`S${i}`));
    expect((JSON.parse(bitmex.subscribe(endpoint!, ten, 1)[0]!) as { args: string[] }).args).toHaveLength(30);
    expect(() => bitmex.subscribe(endpoint!, [...ten, market('S10')], 2)).toThrow(RangeError);
    expect(bitmex.subscribe(endpoint!, [], 3)).toEqual([]);
  });

  it('takes the book from the partial on the socket, levels by id, no sequence, for every type', () => {
    for (const type of bitmex.marketTypes) expect(bitmex.sync(type)).toEqual({ snapshot: 'message', sequence: 'none', levelIds: true });
    expect(bitmex.snapshotUrl).toBeUndefined();
    expect(bitmex.verify).toBeUndefined();
  });

  it('relies on WebSocket pings (no keepalive frame) and calls a socket silent for 15 s stale', () => {
    expect(bitmex.keepalive).toBeUndefined();
    expect(bitmex.livenessMs).toBe(15_000);
    expect(bitmex.maxConnectionMs).toBeUndefined();
  });

  it('builds every URL from the urls it was given (a replay server, say)', () => {
    const local = createBitmexAdapter({ urls: { ws: 'ws://127.0.0.1:8100/realtime', rest: 'http://127.0.0.1:8101/api/v1' } });
    for (const type of local.marketTypes) expect(local.endpoints(type)[0]!.url).toBe('ws://127.0.0.1:8100/realtime');
    expect(local.instrumentsUrl('futures')).toBe('http://127.0.0.1:8101/api/v1/instrument/active');
  });

  it('keeps BitMEX’s URLs for the ones not overridden', () => {
    const partial = createBitmexAdapter({ urls: { rest: 'http://127.0.0.1:8101/api/v1' } });
    expect(partial.urls).toEqual({ ...BITMEX_URLS, rest: 'http://127.0.0.1:8101/api/v1' });
    expect(partial.endpoints('inverse')[0]!.url).toBe(BITMEX_URLS.ws);
  });
});

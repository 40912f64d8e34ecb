import type { Instrument } from '@level4/feed';
import { describe, expect, it } from 'vitest';
import { createGeminiAdapter, GEMINI_URLS, gemini } from './index.js';

const market = (symbol: string): Instrument => ({ venue: 'gemini', type: 'spot', symbol, base: 'BTC', quote: 'USD', tickSize: '0.01', trading: true, status: 'open' });
const v2 = createGeminiAdapter({ api: 'v2' });

describe('gemini adapter, WebSocket API (the default)', () => {
  it('serves spot on wss://ws.gemini.com opened with snapshot=-1, book and trades on one socket', () => {
    expect(gemini.venue).toBe('gemini');
    expect(gemini.marketTypes).toEqual(['spot']);
    expect(gemini.endpoints('spot')).toEqual([{ url: 'wss://ws.gemini.com?snapshot=-1', channels: ['book', 'trades'] }]);
    expect(gemini.urls).toEqual(GEMINI_URLS);
    expect(() => gemini.endpoints('futures')).toThrow('gemini: no market type "futures" (spot only)');
  });

  it('subscribes the 100 ms depth and the trades of each market, with the request id', () => {
    const [endpoint] = gemini.endpoints('spot');
    expect(gemini.subscribe(endpoint!, [market('btcusd'), market('ethusd')], 7)).toEqual([
      '{"id":7,"method":"subscribe","params":["btcusd@depth@100ms","btcusd@trade","ethusd@depth@100ms","ethusd@trade"]}',
    ]);
    expect(gemini.unsubscribe(endpoint!, [market('btcusd')], 8)).toEqual(['{"id":8,"method":"unsubscribe","params":["btcusd@depth@100ms","btcusd@trade"]}']);
    expect(gemini.subscribe({ url: 'wss://x', channels: ['trades'] }, [market('btcusd')], 1)).toEqual(['{"id":1,"method":"subscribe","params":["btcusd@trade"]}']);
    expect(gemini.subscribe(endpoint!, [], 2)).toEqual([]);
  });

  it('keeps to its limits, and refuses more markets than one request may carry', () => {
    const [endpoint] = gemini.endpoints('spot');
    expect(gemini.limits).toEqual({ marketsPerConnection: 50, marketsPerRequest: 10, framesPerSecond: 5 });
    const eleven = Array.from({ length: 11 }, (_, i) => market(`c${i}usd`));
    expect(() => gemini.subscribe(endpoint!, eleven, 3)).toThrow(RangeError);
  });

  it('the first depthUpdate is the book, then U..u chain (next rule); no REST snapshot, no checksum', () => {
    expect(gemini.sync('spot')).toEqual({ snapshot: 'first-delta', sequence: 'next' });
    expect(gemini.snapshotUrl).toBeUndefined();
    expect(gemini.verify).toBeUndefined();
  });

  it('pings every 15 s with its own id (whose answer is a heartbeat) and calls a socket silent for 30 s stale', () => {
    expect(gemini.keepalive?.intervalMs).toBe(15_000);
    const ping = gemini.keepalive!.frame!();
    expect(ping).toBe('{"id":"ping","method":"ping"}');
    expect(gemini.parse('{"id":"ping","status":200,"result":{}}', 'spot')).toEqual([{ kind: 'heartbeat' }]);
    expect(gemini.livenessMs).toBe(30_000);
  });

  it('reads the instrument list with lower-case symbols', () => {
    expect(gemini.instrumentsUrl('spot')).toBe('https://api.gemini.com/v1/symbols');
    expect(gemini.parseInstruments('spot', '["btcusd"]').instruments[0]?.symbol).toBe('btcusd');
  });
});

describe('gemini adapter, Market Data v2 (api: "v2")', () => {
  it('serves spot on wss://api.gemini.com/v2/marketdata, book and trades from one l2 subscription', () => {
    expect(v2.endpoints('spot')).toEqual([{ url: 'wss://api.gemini.com/v2/marketdata', channels: ['book', 'trades'] }]);
    const [endpoint] = v2.endpoints('spot');
    expect(v2.subscribe(endpoint!, [market('BTCUSD'), market('ETHUSD')], 7)).toEqual(['{"type":"subscribe","subscriptions":[{"name":"l2","symbols":["BTCUSD","ETHUSD"]}]}']);
    expect(v2.unsubscribe(endpoint!, [market('ETHUSD')], 8)).toEqual(['{"type":"unsubscribe","subscriptions":[{"name":"l2","symbols":["ETHUSD"]}]}']);
    expect(v2.subscribe({ url: 'wss://x', channels: ['trades'] }, [market('BTCUSD')], 1)).toHaveLength(1);
    expect(v2.subscribe(endpoint!, [], 1)).toEqual([]);
  });

  it('the snapshot is a message (the first l2_updates), nothing to chain; no app ping, stale after 15 s (three heartbeats)', () => {
    expect(v2.sync('spot')).toEqual({ snapshot: 'message', sequence: 'none' });
    expect(v2.keepalive).toBeUndefined();
    expect(v2.livenessMs).toBe(15_000);
    expect(v2.parse('{"type":"heartbeat","timestamp":1624493666869}', 'spot')).toEqual([{ kind: 'heartbeat' }]);
  });

  it('reads the instrument list with upper-case symbols', () => {
    expect(v2.parseInstruments('spot', '["btcusd"]').instruments[0]?.symbol).toBe('BTCUSD');
  });

  it('refuses an API it does not know', () => {
    expect(() => createGeminiAdapter({ api: 'v1' as never })).toThrow(`gemini: no API "v1" (use 'ws' or 'v2')`);
  });
});

describe('URL overrides', () => {
  it('builds every URL from the urls it was given (a replay server, say)', () => {
    const urls = { spotWs: 'ws://127.0.0.1:8100', spotWsV2: 'ws://127.0.0.1:8100/v2/marketdata', rest: 'http://127.0.0.1:8101' };
    const local = createGeminiAdapter({ urls });
    expect(local.endpoints('spot')[0]!.url).toBe('ws://127.0.0.1:8100?snapshot=-1');
    expect(local.instrumentsUrl('spot')).toBe('http://127.0.0.1:8101/v1/symbols');
    expect(createGeminiAdapter({ urls, api: 'v2' }).endpoints('spot')[0]!.url).toBe('ws://127.0.0.1:8100/v2/marketdata');
    // A base URL with its own query keeps it.
    expect(createGeminiAdapter({ urls: { spotWs: 'ws://127.0.0.1:8100/?x=1' } }).endpoints('spot')[0]!.url).toBe('ws://127.0.0.1:8100/?x=1&snapshot=-1');
  });

  it('keeps Gemini’s URLs for the ones not overridden', () => {
    const partial = createGeminiAdapter({ urls: { rest: 'http://127.0.0.1:8101' } });
    expect(partial.urls).toEqual({ ...GEMINI_URLS, rest: 'http://127.0.0.1:8101' });
    expect(partial.endpoints('spot')[0]!.url).toBe('wss://ws.gemini.com?snapshot=-1');
  });
});

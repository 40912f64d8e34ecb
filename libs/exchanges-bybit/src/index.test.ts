import type { Instrument } from '@level4/feed';
import { describe, expect, it } from 'vitest';
import { BYBIT_URLS, bybit, createBybitAdapter } from './index.js';

const market = (symbol: string): Instrument => ({
  venue: 'bybit',
  type: 'spot',
  symbol,
  base: symbol.slice(0, -4),
  quote: 'USDT',
  tickSize: '0.01',
  trading: true,
  status: 'Trading',
});

describe('bybit adapter', () => {
  it('serves spot, linear (futures) and inverse, each on its own socket with book and trades', () => {
    expect(bybit.venue).toBe('bybit');
    expect(bybit.marketTypes).toEqual(['spot', 'futures', 'inverse']);
    expect(bybit.endpoints('spot')).toEqual([{ url: 'wss://stream.bybit.com/v5/public/spot', channels: ['book', 'trades'] }]);
    expect(bybit.endpoints('futures')).toEqual([{ url: 'wss://stream.bybit.com/v5/public/linear', channels: ['book', 'trades'] }]);
    expect(bybit.endpoints('inverse')).toEqual([{ url: 'wss://stream.bybit.com/v5/public/inverse', channels: ['book', 'trades'] }]);
    expect(bybit.urls).toEqual(BYBIT_URLS);
  });

  it('subscribes the 1000-level book and the trades of each market, request id as text', () => {
    const [endpoint] = bybit.endpoints('spot');
    expect(bybit.subscribe(endpoint!, [market('BTCUSDT'), market('ETHUSDT')], 7)).toEqual([
      '{"req_id":"7","op":"subscribe","args":["orderbook.1000.BTCUSDT","publicTrade.BTCUSDT","orderbook.1000.ETHUSDT","publicTrade.ETHUSDT"]}',
    ]);
    expect(bybit.unsubscribe(endpoint!, [market('BTCUSDT')], 8)).toEqual([
      '{"req_id":"8","op":"unsubscribe","args":["orderbook.1000.BTCUSDT","publicTrade.BTCUSDT"]}',
    ]);
  });

  it('only subscribes the channels the endpoint carries', () => {
    expect(bybit.subscribe({ url: 'wss://x', channels: ['trades'] }, [market('BTCUSDT')], 1)).toEqual([
      '{"req_id":"1","op":"subscribe","args":["publicTrade.BTCUSDT"]}',
    ]);
  });

  it('keeps a full request within spot’s 10 args, and refuses more markets than one request may carry', () => {
    const [endpoint] = bybit.endpoints('spot');
    const five = ['AUSDT', 'BUSDT', 'CUSDT', 'DUSDT', 'EUSDT'].map(market);
    expect(bybit.limits).toEqual({ marketsPerConnection: 200, marketsPerRequest: 5, framesPerSecond: 10 });
    const [request] = bybit.subscribe(endpoint!, five, 2);
    expect((JSON.parse(request!) as { args: string[] }).args).toHaveLength(10);
    expect(() => bybit.subscribe(endpoint!, [...five, market('FUSDT')], 3)).toThrow(RangeError);
    expect(bybit.subscribe(endpoint!, [], 4)).toEqual([]);
  });

  it('takes the book from the socket and chains deltas by u, 1000 levels deep, for every type', () => {
    for (const type of bybit.marketTypes) {
      expect(bybit.sync(type)).toEqual({ snapshot: 'message', sequence: 'next', depth: 1000 });
    }
    expect(bybit.snapshotUrl).toBeUndefined();
  });

  it('pings every 20 s and calls a socket silent for 60 s stale', () => {
    expect(bybit.keepalive?.intervalMs).toBe(20_000);
    expect(bybit.keepalive?.frame?.()).toBe('{"op":"ping"}');
    expect(bybit.livenessMs).toBe(60_000);
    expect(bybit.parse('{"success":true,"ret_msg":"pong","conn_id":"c","op":"ping"}', 'spot')).toEqual([{ kind: 'heartbeat' }]);
  });

  it('builds every URL from the urls it was given (a replay server, say)', () => {
    const local = createBybitAdapter({
      urls: { spotWs: 'ws://127.0.0.1:8100/spot', futuresWs: 'ws://127.0.0.1:8100/linear', inverseWs: 'ws://127.0.0.1:8100/inverse', rest: 'http://127.0.0.1:8101' },
    });
    expect(local.endpoints('spot')[0]!.url).toBe('ws://127.0.0.1:8100/spot');
    expect(local.endpoints('futures')[0]!.url).toBe('ws://127.0.0.1:8100/linear');
    expect(local.endpoints('inverse')[0]!.url).toBe('ws://127.0.0.1:8100/inverse');
    expect(local.instrumentsUrl('futures', 'abc')).toBe('http://127.0.0.1:8101/v5/market/instruments-info?category=linear&limit=1000&cursor=abc');
  });

  it('keeps Bybit’s URLs for the ones not overridden', () => {
    const partial = createBybitAdapter({ urls: { rest: 'http://127.0.0.1:8101' } });
    expect(partial.urls).toEqual({ ...BYBIT_URLS, rest: 'http://127.0.0.1:8101' });
    expect(partial.endpoints('inverse')[0]!.url).toBe(BYBIT_URLS.inverseWs);
  });
});

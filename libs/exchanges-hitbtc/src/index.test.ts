import type { Instrument } from '@level4/feed';
import { describe, expect, it } from 'vitest';
import { createHitbtcAdapter, HITBTC_URLS, hitbtc } from './index.js';

const market = (symbol: string): Instrument => ({
  venue: 'hitbtc',
  type: 'spot',
  symbol,
  base: symbol.slice(0, -4),
  quote: 'USDT',
  tickSize: '0.01',
  trading: true,
  status: 'working',
});

describe('hitbtc adapter', () => {
  it('serves spot and futures, both on the one public socket with book and trades', () => {
    expect(hitbtc.venue).toBe('hitbtc');
    expect(hitbtc.marketTypes).toEqual(['spot', 'futures']);
    expect(hitbtc.endpoints('spot')).toEqual([{ url: 'wss://api.hitbtc.com/api/3/ws/public', channels: ['book', 'trades'] }]);
    expect(hitbtc.endpoints('futures')).toEqual([{ url: 'wss://api.hitbtc.com/api/3/ws/public', channels: ['book', 'trades'] }]);
    expect(() => hitbtc.endpoints('inverse')).toThrow('hitbtc: no market type "inverse"');
    expect(hitbtc.urls).toEqual(HITBTC_URLS);
  });

  it('subscribes orderbook/full and trades (no history) of the markets, one frame per channel, request id as sent', () => {
    const [endpoint] = hitbtc.endpoints('spot');
    expect(hitbtc.subscribe(endpoint!, [market('BTCUSDT'), market('ETHUSDT')], 7)).toEqual([
      '{"method":"subscribe","ch":"orderbook/full","params":{"symbols":["BTCUSDT","ETHUSDT"]},"id":7}',
      '{"method":"subscribe","ch":"trades","params":{"symbols":["BTCUSDT","ETHUSDT"],"limit":0},"id":7}',
    ]);
    expect(hitbtc.unsubscribe(endpoint!, [market('BTCUSDT')], 8)).toEqual([
      '{"method":"unsubscribe","ch":"orderbook/full","params":{"symbols":["BTCUSDT"]},"id":8}',
      '{"method":"unsubscribe","ch":"trades","params":{"symbols":["BTCUSDT"]},"id":8}',
    ]);
  });

  it('only subscribes the channels the endpoint carries', () => {
    expect(hitbtc.subscribe({ url: 'wss://x', channels: ['trades'] }, [market('BTCUSDT')], 1)).toEqual([
      '{"method":"subscribe","ch":"trades","params":{"symbols":["BTCUSDT"],"limit":0},"id":1}',
    ]);
  });

  it('keeps a request within 20 markets and 10 frames a second', () => {
    const [endpoint] = hitbtc.endpoints('futures');
    expect(hitbtc.limits).toEqual({ marketsPerConnection: 50, marketsPerRequest: 20, framesPerSecond: 10 });
    const twenty = Array.from({ length: 20 }, (_, n) => market(`A${n}USDT`));
    const [book] = hitbtc.subscribe(endpoint!, twenty, 2);
    expect((JSON.parse(book!) as { params: { symbols: string[] } }).params.symbols).toHaveLength(20);
    expect(() => hitbtc.subscribe(endpoint!, [...twenty, market('BUSDT')], 3)).toThrow(RangeError);
    expect(hitbtc.subscribe(endpoint!, [], 4)).toEqual([]);
  });

  it('takes the full book from the socket and chains updates by s + 1, no depth window, for both types', () => {
    for (const type of hitbtc.marketTypes) expect(hitbtc.sync(type)).toEqual({ snapshot: 'message', sequence: 'next' });
    expect(hitbtc.snapshotUrl).toBeUndefined();
    expect(hitbtc.verify).toBeUndefined();
  });

  it('relies on the server’s protocol pings: no application keepalive, a socket silent for 45 s is stale', () => {
    expect(hitbtc.keepalive).toBeUndefined();
    expect(hitbtc.livenessMs).toBe(45_000);
    expect(hitbtc.maxConnectionMs).toBeUndefined();
  });

  it('builds every URL from the urls it was given (a replay server, say)', () => {
    const local = createHitbtcAdapter({ urls: { ws: 'ws://127.0.0.1:8100/api/3/ws/public', rest: 'http://127.0.0.1:8101/api/3' } });
    expect(local.endpoints('spot')[0]!.url).toBe('ws://127.0.0.1:8100/api/3/ws/public');
    expect(local.endpoints('futures')[0]!.url).toBe('ws://127.0.0.1:8100/api/3/ws/public');
    expect(local.instrumentsUrl('futures')).toBe('http://127.0.0.1:8101/api/3/public/symbol');
  });

  it('keeps HitBTC’s URLs for the ones not overridden', () => {
    const partial = createHitbtcAdapter({ urls: { rest: 'http://127.0.0.1:8101/api/3' } });
    expect(partial.urls).toEqual({ ...HITBTC_URLS, rest: 'http://127.0.0.1:8101/api/3' });
    expect(partial.endpoints('spot')[0]!.url).toBe(HITBTC_URLS.ws);
  });
});

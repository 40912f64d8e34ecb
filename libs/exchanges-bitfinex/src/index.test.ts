import type { Instrument } from '@level4/feed';
import { describe, expect, it } from 'vitest';
import { BITFINEX_URLS, bitfinex, createBitfinexAdapter } from './index.js';

const market = (symbol: string, type: Instrument['type'] = 'spot'): Instrument => ({
  venue: 'bitfinex',
  type,
  symbol,
  base: 'BTC',
  quote: 'USD',
  tickSize: '0',
  trading: true,
  status: 'listed',
});

describe('bitfinex adapter', () => {
  it('serves spot and perpetuals on the one public socket, book and trades', () => {
    expect(bitfinex.venue).toBe('bitfinex');
    expect(bitfinex.marketTypes).toEqual(['spot', 'futures']);
    for (const type of ['spot', 'futures'] as const) {
      expect(bitfinex.endpoints(type)).toEqual([{ url: 'wss://api-pub.bitfinex.com/ws/2', channels: ['book', 'trades'] }]);
    }
    expect(() => bitfinex.endpoints('inverse')).toThrow(/no market type/);
    expect(bitfinex.urls).toEqual(BITFINEX_URLS);
  });

  it('turns on sequence numbers and checksums once per connection (conf flags 65536 + 131072)', () => {
    const [endpoint] = bitfinex.endpoints('spot');
    expect(bitfinex.openFrames?.(endpoint!)).toEqual(['{"event":"conf","flags":196608}']);
  });

  it('subscribes the P0 real-time book at length 250 and the trades, request id as subId', () => {
    const [endpoint] = bitfinex.endpoints('futures');
    expect(bitfinex.subscribe(endpoint!, [market('tBTCF0:USTF0', 'futures')], 7)).toEqual([
      '{"event":"subscribe","channel":"book","symbol":"tBTCF0:USTF0","prec":"P0","freq":"F0","len":"250","subId":"7"}',
      '{"event":"subscribe","channel":"trades","symbol":"tBTCF0:USTF0","subId":"7"}',
    ]);
    expect(bitfinex.subscribe({ url: 'wss://x', channels: ['trades'] }, [market('tBTCUSD')], 1)).toEqual(['{"event":"subscribe","channel":"trades","symbol":"tBTCUSD","subId":"1"}']);
    expect(bitfinex.subscribe(endpoint!, [], 2)).toEqual([]);
    expect(() => bitfinex.subscribe(endpoint!, [market('tBTCUSD'), market('tETHUSD')], 3)).toThrow(RangeError);
  });

  it('has no unsubscribe frame it could build (Bitfinex needs the chanId): a resync reconnects', () => {
    const [endpoint] = bitfinex.endpoints('spot');
    // By channel id, as the engine knows them from the acks; none bound yet: nothing to send (the engine reconnects).
    expect(bitfinex.unsubscribe(endpoint!, [market('tBTCUSD')], 4, [17, 18])).toEqual(['{"event":"unsubscribe","chanId":17}', '{"event":"unsubscribe","chanId":18}']);
    expect(bitfinex.unsubscribe(endpoint!, [market('tBTCUSD')], 4, [])).toEqual([]);
  });

  it('limits: 12 markets (24 of 25 channels) per connection, one market per request', () => {
    expect(bitfinex.limits).toEqual({ marketsPerConnection: 12, marketsPerRequest: 1, framesPerSecond: 10 });
    expect(bitfinex.livenessMs).toBe(40_000);
    expect(bitfinex.keepalive).toBeUndefined();
  });

  it('takes the book from the socket, no per-book sequence, 250 levels, checksum verify', () => {
    for (const type of bitfinex.marketTypes) expect(bitfinex.sync(type)).toEqual({ snapshot: 'message', sequence: 'none', depth: 250 });
    expect(bitfinex.snapshotUrl).toBeUndefined();
    expect(typeof bitfinex.verify).toBe('function');
  });

  it('builds every URL from the urls it was given, keeps Bitfinex’s for the others', () => {
    const local = createBitfinexAdapter({ urls: { ws: 'ws://127.0.0.1:8100/ws/2', rest: 'http://127.0.0.1:8101' } });
    expect(local.endpoints('spot')[0]!.url).toBe('ws://127.0.0.1:8100/ws/2');
    expect(local.instrumentsUrl('futures')).toBe('http://127.0.0.1:8101/v2/conf/pub:list:pair:futures');
    const partial = createBitfinexAdapter({ urls: { rest: 'http://127.0.0.1:8101' } });
    expect(partial.urls).toEqual({ ...BITFINEX_URLS, rest: 'http://127.0.0.1:8101' });
    expect(partial.endpoints('futures')[0]!.url).toBe(BITFINEX_URLS.ws);
  });
});

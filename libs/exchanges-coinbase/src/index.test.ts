import type { Instrument } from '@level4/feed';
import { describe, expect, it } from 'vitest';
import { COINBASE_URLS, coinbase, createCoinbaseAdapter } from './index.js';

const market = (symbol: string): Instrument => ({
  venue: 'coinbase',
  type: 'spot',
  symbol,
  base: symbol.split('-')[0]!,
  quote: symbol.split('-')[1]!,
  tickSize: '0.01',
  trading: true,
  status: 'online',
});

describe('coinbase adapter', () => {
  it('serves spot on the Advanced Trade market-data socket, book and trades on one connection', () => {
    expect(coinbase.venue).toBe('coinbase');
    expect(coinbase.marketTypes).toEqual(['spot']);
    expect(coinbase.endpoints('spot')).toEqual([{ url: 'wss://advanced-trade-ws.coinbase.com', channels: ['book', 'trades'] }]);
    expect(() => coinbase.endpoints('futures')).toThrow('coinbase: no market type "futures" (spot only)');
    expect(coinbase.urls).toEqual(COINBASE_URLS);
  });

  it('subscribes heartbeats once per connection, before any market', () => {
    const [endpoint] = coinbase.endpoints('spot');
    expect(coinbase.openFrames?.(endpoint!)).toEqual(['{"type":"subscribe","channel":"heartbeats"}']);
  });

  it('one frame per channel, all products of the request in it: level2 and ticker for the book, market_trades for trades', () => {
    const [endpoint] = coinbase.endpoints('spot');
    expect(coinbase.subscribe(endpoint!, [market('BTC-USD'), market('ETH-USD')], 7)).toEqual([
      '{"type":"subscribe","product_ids":["BTC-USD","ETH-USD"],"channel":"level2"}',
      '{"type":"subscribe","product_ids":["BTC-USD","ETH-USD"],"channel":"ticker"}',
      '{"type":"subscribe","product_ids":["BTC-USD","ETH-USD"],"channel":"market_trades"}',
    ]);
    expect(coinbase.unsubscribe(endpoint!, [market('ETH-USD')], 8)).toEqual([
      '{"type":"unsubscribe","product_ids":["ETH-USD"],"channel":"level2"}',
      '{"type":"unsubscribe","product_ids":["ETH-USD"],"channel":"ticker"}',
      '{"type":"unsubscribe","product_ids":["ETH-USD"],"channel":"market_trades"}',
    ]);
  });

  it('only subscribes the channels the endpoint carries', () => {
    expect(coinbase.subscribe({ url: 'wss://x', channels: ['trades'] }, [market('BTC-USD')], 1)).toEqual(['{"type":"subscribe","product_ids":["BTC-USD"],"channel":"market_trades"}']);
  });

  it('keeps within 8 client messages/s per IP, and refuses more markets than one request may carry', () => {
    const [endpoint] = coinbase.endpoints('spot');
    expect(coinbase.limits).toEqual({ marketsPerConnection: 30, marketsPerRequest: 30, framesPerSecond: 5 });
    const many = Array.from({ length: 31 }, (_, i) => market(`C${i}-USD`));
    expect(() => coinbase.subscribe(endpoint!, many, 3)).toThrow(RangeError);
    expect(coinbase.subscribe(endpoint!, [], 4)).toEqual([]);
  });

  it('takes the book from the socket; no per-product sequence (the connection counter guards it), no depth limit', () => {
    expect(coinbase.sync('spot')).toEqual({ snapshot: 'message', sequence: 'none' });
    expect(coinbase.snapshotUrl).toBeUndefined();
    expect(coinbase.verify).toBeUndefined();
  });

  it('heartbeats every second are the life sign: WebSocket pings on schedule, no app-level ping, a socket without venue frames for 10 s is stale', () => {
    expect(coinbase.keepalive).toEqual({ intervalMs: 5_000 });
    expect(coinbase.keepalive?.frame).toBeUndefined();
    expect(coinbase.livenessMs).toBe(10_000);
  });

  it('builds every URL from the urls it was given (a replay server, say)', () => {
    const local = createCoinbaseAdapter({ urls: { spotWs: 'ws://127.0.0.1:8100', rest: 'http://127.0.0.1:8101/api/v3/brokerage' } });
    expect(local.endpoints('spot')[0]!.url).toBe('ws://127.0.0.1:8100');
    expect(local.instrumentsUrl('spot')).toBe('http://127.0.0.1:8101/api/v3/brokerage/market/products?product_type=SPOT');
  });

  it('keeps Coinbase’s URLs for the ones not overridden', () => {
    const partial = createCoinbaseAdapter({ urls: { rest: 'http://127.0.0.1:8101' } });
    expect(partial.urls).toEqual({ ...COINBASE_URLS, rest: 'http://127.0.0.1:8101' });
    expect(partial.endpoints('spot')[0]!.url).toBe(COINBASE_URLS.spotWs);
  });
});

import type { Instrument } from '@level4/feed';
import { describe, expect, it } from 'vitest';
import { BITSTAMP_URLS, bitstamp, channelName, createBitstampAdapter } from './index.js';

const market = (symbol: string, base: string, quote: string): Instrument => ({
  venue: 'bitstamp', type: 'spot', symbol, base, quote, tickSize: '0.01', trading: true, status: 'Enabled',
});
const BTCUSD = market('btcusd', 'BTC', 'USD');
const ETHBTC = market('ethbtc', 'ETH', 'BTC');

describe('bitstamp adapter', () => {
  it('declares the venue, spot only, its limits, heartbeat and liveness', () => {
    expect(bitstamp.venue).toBe('bitstamp');
    expect(bitstamp.marketTypes).toStrictEqual(['spot']);
    expect(bitstamp.limits).toStrictEqual({ marketsPerConnection: 10, marketsPerRequest: 1, framesPerSecond: 20 });
    expect(bitstamp.livenessMs).toBe(60_000);
    expect(bitstamp.keepalive?.intervalMs).toBe(30_000);
    expect(bitstamp.keepalive?.frame()).toBe('{"event":"bts:heartbeat"}');
    expect(bitstamp.maxConnectionMs).toBeUndefined();
    expect(bitstamp.urls).toStrictEqual(BITSTAMP_URLS);
  });

  it('uses one WebSocket v2 socket carrying book and trades', () => {
    expect(bitstamp.endpoints('spot')).toStrictEqual([{ url: 'wss://ws.bitstamp.net', channels: ['book', 'trades'] }]);
    expect(bitstamp.endpoints('futures')).toStrictEqual([]);
  });

  it('subscribes one channel per frame: diff_order_book and live_trades, lower case, no request id', () => {
    const [spot] = bitstamp.endpoints('spot');
    expect(bitstamp.subscribe(spot!, [BTCUSD, ETHBTC], 7)).toStrictEqual([
      '{"event":"bts:subscribe","data":{"channel":"diff_order_book_btcusd"}}',
      '{"event":"bts:subscribe","data":{"channel":"live_trades_btcusd"}}',
      '{"event":"bts:subscribe","data":{"channel":"diff_order_book_ethbtc"}}',
      '{"event":"bts:subscribe","data":{"channel":"live_trades_ethbtc"}}',
    ]);
    expect(bitstamp.unsubscribe(spot!, [ETHBTC], 8)).toStrictEqual([
      '{"event":"bts:unsubscribe","data":{"channel":"diff_order_book_ethbtc"}}',
      '{"event":"bts:unsubscribe","data":{"channel":"live_trades_ethbtc"}}',
    ]);
    expect(bitstamp.subscribe(spot!, [], 9)).toStrictEqual([]);
    expect(bitstamp.subscribe({ url: 'x', channels: ['trades'] }, [BTCUSD], 1)).toStrictEqual(['{"event":"bts:subscribe","data":{"channel":"live_trades_btcusd"}}']);
    expect(channelName(market('BTCUSD', 'BTC', 'USD'), 'book')).toBe('diff_order_book_btcusd');
  });

  it('syncs from the REST order book by microtimestamp (rule `time`), full depth', () => {
    expect(bitstamp.sync('spot')).toStrictEqual({ snapshot: 'rest', sequence: 'time' });
    expect(bitstamp.snapshotUrl?.(BTCUSD)).toBe('https://www.bitstamp.net/api/v2/order_book/btcusd/');
    expect(bitstamp.parseSnapshot).toBeTypeOf('function');
  });

  it('builds every URL from the overridden base URLs (a local replay server)', () => {
    const local = createBitstampAdapter({ urls: { spotWs: 'ws://127.0.0.1:9000', spotRest: 'http://127.0.0.1:9000' } });
    expect(local.endpoints('spot')[0]!.url).toBe('ws://127.0.0.1:9000');
    expect(local.instrumentsUrl('spot')).toBe('http://127.0.0.1:9000/api/v2/markets/');
    expect(local.snapshotUrl?.(ETHBTC)).toBe('http://127.0.0.1:9000/api/v2/order_book/ethbtc/');
  });

  it('keeps the production URLs it was not given', () => {
    const partial = createBitstampAdapter({ urls: { spotWs: 'ws://127.0.0.1:9001' } });
    expect(partial.urls).toStrictEqual({ ...BITSTAMP_URLS, spotWs: 'ws://127.0.0.1:9001' });
    expect(partial.instrumentsUrl('spot')).toBe('https://www.bitstamp.net/api/v2/markets/');
  });
});

import type { Instrument } from '@level4/feed';
import { OrderBook } from '@level4/orderbook';
import { describe, expect, it } from 'vitest';
import { createKrakenAdapter, kraken, KRAKEN_URLS } from './index.js';

const spot = (symbol: string): Instrument => ({
  venue: 'kraken',
  type: 'spot',
  symbol,
  base: symbol.split('/')[0]!,
  quote: symbol.split('/')[1]!,
  tickSize: '0.1',
  trading: true,
  status: 'online',
});
const future = (symbol: string): Instrument => ({ ...spot('BTC/USD'), type: 'inverse', symbol, contractSize: '1', status: 'tradeable' });

describe('kraken adapter', () => {
  it('serves spot on WebSocket v2, linear and inverse on the one Futures socket, each with book and trades', () => {
    expect(kraken.venue).toBe('kraken');
    expect(kraken.marketTypes).toEqual(['spot', 'futures', 'inverse']);
    expect(kraken.endpoints('spot')).toEqual([{ url: 'wss://ws.kraken.com/v2', channels: ['book', 'trades'] }]);
    expect(kraken.endpoints('futures')).toEqual([{ url: 'wss://futures.kraken.com/ws/v1', channels: ['book', 'trades'] }]);
    expect(kraken.endpoints('inverse')).toEqual([{ url: 'wss://futures.kraken.com/ws/v1', channels: ['book', 'trades'] }]);
    expect(kraken.urls).toEqual(KRAKEN_URLS);
  });

  it('spot: one book request (depth 1000, snapshot) and one trade request, both with the request id', () => {
    const [endpoint] = kraken.endpoints('spot');
    expect(kraken.openFrames?.(endpoint!)).toEqual([]);
    expect(kraken.subscribe(endpoint!, [spot('BTC/USD'), spot('ETH/USD')], 7)).toEqual([
      '{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD","ETH/USD"],"depth":1000,"snapshot":true},"req_id":7}',
      '{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD","ETH/USD"],"snapshot":false},"req_id":7}',
    ]);
    expect(kraken.unsubscribe(endpoint!, [spot('BTC/USD')], 8)).toEqual([
      '{"method":"unsubscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":1000},"req_id":8}',
      '{"method":"unsubscribe","params":{"channel":"trade","symbol":["BTC/USD"]},"req_id":8}',
    ]);
  });

  it('futures: book and trade feeds by product id (no request id); the heartbeat feed is subscribed when the socket opens', () => {
    const [endpoint] = kraken.endpoints('inverse');
    expect(kraken.openFrames?.(endpoint!)).toEqual(['{"event":"subscribe","feed":"heartbeat"}']);
    expect(kraken.subscribe(endpoint!, [future('PI_XBTUSD'), future('FI_XBTUSD_210730')], 3)).toEqual([
      '{"event":"subscribe","feed":"book","product_ids":["PI_XBTUSD","FI_XBTUSD_210730"]}',
      '{"event":"subscribe","feed":"trade","product_ids":["PI_XBTUSD","FI_XBTUSD_210730"]}',
    ]);
    expect(kraken.unsubscribe(endpoint!, [future('PI_XBTUSD')], 4)).toEqual(['{"event":"unsubscribe","feed":"book","product_ids":["PI_XBTUSD"]}', '{"event":"unsubscribe","feed":"trade","product_ids":["PI_XBTUSD"]}']);
  });

  it('only subscribes the channels the endpoint carries, and refuses more markets than one request may carry', () => {
    expect(kraken.subscribe({ url: KRAKEN_URLS.spotWs, channels: ['trades'] }, [spot('BTC/USD')], 1)).toEqual([
      '{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"snapshot":false},"req_id":1}',
    ]);
    expect(kraken.limits).toEqual({ marketsPerConnection: 100, marketsPerRequest: 10, framesPerSecond: 5 });
    const eleven = Array.from({ length: 11 }, (_, i) => spot(`A${i}/USD`));
    expect(() => kraken.subscribe(kraken.endpoints('spot')[0]!, eleven, 2)).toThrow(RangeError);
    expect(kraken.subscribe(kraken.endpoints('spot')[0]!, [], 2)).toEqual([]);
  });

  it('sync rules: spot takes the snapshot from the socket, no sequence, 1000 levels, checksum verified; futures chain seq + 1', () => {
    expect(kraken.sync('spot')).toEqual({ snapshot: 'message', sequence: 'none', depth: 1000 });
    expect(kraken.sync('futures')).toEqual({ snapshot: 'message', sequence: 'next' });
    expect(kraken.sync('inverse')).toEqual({ snapshot: 'message', sequence: 'next' });
    expect(kraken.snapshotUrl).toBeUndefined();
    // verify: the spec's ALGO/USD example after its update (checksum 1100635717).
    const book = new OrderBook({ depth: 1000 });
    book.applySnapshot({
      bids: [['0.12291', '27039.62776299'], ['0.12290', '8136.33288180'], ['0.12287', '10984.20817349'], ['0.12283', '28027.05025639'], ['0.12280', '9705.60000000'], ['0.12279', '15215.53522714'], ['0.12275', '6597.51731160'], ['0.12274', '30639.39949109'], ['0.12268', '2531.96119986'], ['0.12267', '16299.00000000']],
      asks: [['0.12307', '600.00000000'], ['0.12308', '4042.11919517'], ['0.12312', '10284.53891000'], ['0.12314', '16155.08885299'], ['0.12315', '5186.05778473'], ['0.12316', '32828.24000000'], ['0.12317', '7751.65718582'], ['0.12318', '32298.82000000'], ['0.12319', '1864.66899600'], ['0.12322', '4718.99755630']],
    });
    const instrument = spot('ALGO/USD');
    expect(kraken.verify?.(book, 1100635717, instrument)).toBe(true);
    expect(kraken.verify?.(book, 2375857985, instrument)).toBe(false);
  });

  it('liveness: a socket silent for 15 s is stale; a WebSocket ping every 30 s, busy or not (Futures drops a client silent for 60 s)', () => {
    expect(kraken.livenessMs).toBe(15_000);
    expect(kraken.keepalive).toEqual({ intervalMs: 30_000 });
    expect(kraken.keepalive?.frame).toBeUndefined();
  });

  it('builds every URL from the urls it was given (a replay server, say)', () => {
    const local = createKrakenAdapter({
      urls: { spotWs: 'ws://127.0.0.1:8100/v2', spotRest: 'http://127.0.0.1:8101', futuresWs: 'ws://127.0.0.1:8100/ws/v1', futuresRest: 'http://127.0.0.1:8102' },
    });
    expect(local.endpoints('spot')[0]!.url).toBe('ws://127.0.0.1:8100/v2');
    expect(local.endpoints('futures')[0]!.url).toBe('ws://127.0.0.1:8100/ws/v1');
    expect(local.endpoints('inverse')[0]!.url).toBe('ws://127.0.0.1:8100/ws/v1');
    expect(local.instrumentsUrl('spot')).toBe('http://127.0.0.1:8101/0/public/AssetPairs');
    expect(local.instrumentsUrl('inverse')).toBe('http://127.0.0.1:8102/derivatives/api/v3/instruments');
    // The spot socket is told apart by its URL: the v2 frames go to it, the Futures frames elsewhere.
    expect(local.subscribe(local.endpoints('spot')[0]!, [spot('BTC/USD')], 1)[0]).toContain('"method":"subscribe"');
    expect(local.subscribe(local.endpoints('futures')[0]!, [future('PF_XBTUSD')], 1)[0]).toContain('"event":"subscribe"');
  });

  it('keeps Kraken’s URLs for the ones not overridden', () => {
    const partial = createKrakenAdapter({ urls: { futuresRest: 'http://127.0.0.1:8101' } });
    expect(partial.urls).toEqual({ ...KRAKEN_URLS, futuresRest: 'http://127.0.0.1:8101' });
    expect(partial.endpoints('spot')[0]!.url).toBe(KRAKEN_URLS.spotWs);
  });
});

import type { Instrument } from '@level4/feed';
import { describe, expect, it } from 'vitest';
import { BINANCE_URLS, binance, createBinanceAdapter } from './index.js';

const market = (type: Instrument['type'], symbol: string): Instrument => ({
  venue: 'binance', type, symbol, base: 'BTC', quote: 'USDT', tickSize: '0.01', trading: true, status: 'TRADING',
});
const BTCUSDT = market('spot', 'BTCUSDT');
const ETHBTC = market('spot', 'ETHBTC');
const BTCUSDT_PERP = market('futures', 'BTCUSDT');
const BTCUSD_PERP = market('inverse', 'BTCUSD_PERP');

describe('binance adapter', () => {
  it('declares the venue, its market types and limits', () => {
    expect(binance.venue).toBe('binance');
    expect(binance.marketTypes).toStrictEqual(['spot', 'futures', 'inverse']);
    expect(binance.limits).toStrictEqual({ marketsPerConnection: 400, marketsPerRequest: 50, framesPerSecond: 5 });
    expect(binance.livenessMs).toBe(60_000);
    expect(binance.maxConnectionMs).toBe(24 * 60 * 60_000);
    expect(binance.keepalive).toBeUndefined();
    expect(binance.urls).toStrictEqual(BINANCE_URLS);
  });

  it('uses one combined-stream socket for spot and COIN-M, and the /public + /market split for USD-M', () => {
    expect(binance.endpoints('spot')).toStrictEqual([{ url: 'wss://stream.binance.com:9443/stream', channels: ['book', 'trades'] }]);
    expect(binance.endpoints('futures')).toStrictEqual([
      { url: 'wss://fstream.binance.com/public/stream', channels: ['book'] },
      { url: 'wss://fstream.binance.com/market/stream', channels: ['trades'] },
    ]);
    expect(binance.endpoints('inverse')).toStrictEqual([{ url: 'wss://dstream.binance.com/stream', channels: ['book', 'trades'] }]);
  });

  it('subscribes every market to the endpoint channels in one frame carrying the request id', () => {
    const [spot] = binance.endpoints('spot');
    expect(binance.subscribe(spot, [BTCUSDT, ETHBTC], 7)).toStrictEqual([
      '{"method":"SUBSCRIBE","params":["btcusdt@depth@100ms","btcusdt@trade","ethbtc@depth@100ms","ethbtc@trade"],"id":7}',
    ]);
    expect(binance.unsubscribe(spot, [ETHBTC], 8)).toStrictEqual([
      '{"method":"UNSUBSCRIBE","params":["ethbtc@depth@100ms","ethbtc@trade"],"id":8}',
    ]);
    expect(binance.subscribe(spot, [], 9)).toStrictEqual([]);
  });

  it('subscribes futures books and aggregated trades on their own endpoints', () => {
    const [book, trades] = binance.endpoints('futures');
    expect(binance.subscribe(book, [BTCUSDT_PERP], 1)).toStrictEqual(['{"method":"SUBSCRIBE","params":["btcusdt@depth@100ms"],"id":1}']);
    expect(binance.subscribe(trades, [BTCUSDT_PERP], 2)).toStrictEqual(['{"method":"SUBSCRIBE","params":["btcusdt@aggTrade"],"id":2}']);
    const [coinm] = binance.endpoints('inverse');
    expect(binance.subscribe(coinm, [BTCUSD_PERP], 3)).toStrictEqual([
      '{"method":"SUBSCRIBE","params":["btcusd_perp@depth@100ms","btcusd_perp@aggTrade"],"id":3}',
    ]);
  });

  it('syncs from a REST snapshot: spot by U == u + 1, futures by pu', () => {
    expect(binance.sync('spot')).toStrictEqual({ snapshot: 'rest', sequence: 'next' });
    expect(binance.sync('futures')).toStrictEqual({ snapshot: 'rest', sequence: 'previous' });
    expect(binance.sync('inverse')).toStrictEqual({ snapshot: 'rest', sequence: 'previous' });
    expect(binance.snapshotUrl?.(BTCUSDT)).toBe('https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=5000');
    expect(binance.snapshotUrl?.(BTCUSDT_PERP)).toBe('https://fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT&limit=1000');
    expect(binance.snapshotUrl?.(BTCUSD_PERP)).toBe('https://dapi.binance.com/dapi/v1/depth?symbol=BTCUSD_PERP&limit=1000');
  });

  it('builds every URL from the overridden base URLs (a local replay server)', () => {
    const local = createBinanceAdapter({
      urls: {
        spotWs: 'ws://127.0.0.1:9000/spot', spotRest: 'http://127.0.0.1:9000/spot',
        futuresWs: 'ws://127.0.0.1:9000/usdm', futuresRest: 'http://127.0.0.1:9000/usdm',
        inverseWs: 'ws://127.0.0.1:9000/coinm', inverseRest: 'http://127.0.0.1:9000/coinm',
      },
    });
    expect(local.endpoints('spot')[0].url).toBe('ws://127.0.0.1:9000/spot/stream');
    expect(local.endpoints('futures').map((e) => e.url)).toStrictEqual(['ws://127.0.0.1:9000/usdm/public/stream', 'ws://127.0.0.1:9000/usdm/market/stream']);
    expect(local.endpoints('inverse')[0].url).toBe('ws://127.0.0.1:9000/coinm/stream');
    expect(local.instrumentsUrl('spot')).toBe('http://127.0.0.1:9000/spot/api/v3/exchangeInfo');
    expect(local.instrumentsUrl('futures')).toBe('http://127.0.0.1:9000/usdm/fapi/v1/exchangeInfo');
    expect(local.instrumentsUrl('inverse')).toBe('http://127.0.0.1:9000/coinm/dapi/v1/exchangeInfo');
    expect(local.snapshotUrl?.(BTCUSDT)).toBe('http://127.0.0.1:9000/spot/api/v3/depth?symbol=BTCUSDT&limit=5000');
    expect(local.snapshotUrl?.(BTCUSD_PERP)).toBe('http://127.0.0.1:9000/coinm/dapi/v1/depth?symbol=BTCUSD_PERP&limit=1000');
  });

  it('keeps the production URLs it was not given', () => {
    const mirror = createBinanceAdapter({ urls: { spotWs: 'wss://data-stream.binance.vision' } });
    expect(mirror.urls).toStrictEqual({ ...BINANCE_URLS, spotWs: 'wss://data-stream.binance.vision' });
    expect(mirror.endpoints('futures')[0].url).toBe('wss://fstream.binance.com/public/stream');
  });
});

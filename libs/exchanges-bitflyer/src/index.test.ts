import type { Instrument } from '@level4/feed';
import { OrderBook } from '@level4/orderbook';
import { describe, expect, it } from 'vitest';
import { BITFLYER_URLS, bitflyer, createBitflyerAdapter } from './index.js';

const market = (symbol: string, tickSize = '1'): Instrument => ({
  venue: 'bitflyer',
  type: 'spot',
  symbol,
  base: symbol.split('_')[0]!,
  quote: symbol.split('_')[1]!,
  tickSize,
  trading: true,
  status: 'Spot',
});

const batch = (method: string, id: number, channels: string[]) => `[${channels.map((channel) => JSON.stringify({ jsonrpc: '2.0', id, method, params: { channel } })).join(',')}]`;

describe('bitflyer adapter', () => {
  it('serves spot only, book and trades on the one JSON-RPC socket', () => {
    expect(bitflyer.venue).toBe('bitflyer');
    expect(bitflyer.marketTypes).toEqual(['spot']);
    expect(bitflyer.endpoints('spot')).toEqual([{ url: 'wss://ws.lightstream.bitflyer.com/json-rpc', channels: ['book', 'trades'] }]);
    expect(() => bitflyer.endpoints('futures')).toThrow('bitflyer: no "futures" markets: bitFlyer support is spot only');
    expect(bitflyer.urls).toEqual(BITFLYER_URLS);
  });

  it('subscribes snapshot, diffs and executions of a market in one batch, each with the request id', () => {
    const [endpoint] = bitflyer.endpoints('spot');
    expect(bitflyer.subscribe(endpoint!, [market('BTC_JPY')], 7)).toEqual([
      batch('subscribe', 7, ['lightning_board_snapshot_BTC_JPY', 'lightning_board_BTC_JPY', 'lightning_executions_BTC_JPY']),
    ]);
    expect(bitflyer.unsubscribe(endpoint!, [market('BTC_JPY')], 8)).toEqual([
      batch('unsubscribe', 8, ['lightning_board_snapshot_BTC_JPY', 'lightning_board_BTC_JPY', 'lightning_executions_BTC_JPY']),
    ]);
    expect(bitflyer.subscribe({ url: 'wss://x', channels: ['trades'] }, [market('BTC_JPY')], 1)).toEqual([batch('subscribe', 1, ['lightning_executions_BTC_JPY'])]);
  });

  it('one market per request, 16 per connection; more in one request is refused', () => {
    const [endpoint] = bitflyer.endpoints('spot');
    expect(bitflyer.limits).toEqual({ marketsPerConnection: 16, marketsPerRequest: 1, framesPerSecond: 10 });
    expect(() => bitflyer.subscribe(endpoint!, [market('BTC_JPY'), market('ETH_JPY')], 2)).toThrow(RangeError);
    expect(bitflyer.subscribe(endpoint!, [], 3)).toEqual([]);
  });

  it('takes the book from the snapshot channel, no sequence, and checks mid_price with verify', () => {
    expect(bitflyer.sync('spot')).toEqual({ snapshot: 'message', sequence: 'none' });
    expect(bitflyer.snapshotUrl).toBeUndefined();
    const book = new OrderBook();
    book.applySnapshot({ bids: [['95.0', '1']], asks: [['95.11', '1']] });
    expect(bitflyer.verify!(book, '95.05', market('XRP_JPY', '0.01'))).toBe(true);
    expect(bitflyer.verify!(book, '95.06', market('XRP_JPY', '0.01'))).toBe(false);
    // An instrument with no usable tick (the benchmark's) falls back to the configured one.
    expect(bitflyer.verify!(book, '95.06', market('XRP_JPY', '0'))).toBe(false);
    expect(bitflyer.verify!(book, '95.06', market('NEW_JPY', '0'))).toBe(true);
  });

  it('no app keepalive; a socket silent for 30 s is stale', () => {
    expect(bitflyer.keepalive).toBeUndefined();
    expect(bitflyer.livenessMs).toBe(30_000);
  });

  it('builds every URL from the urls it was given, keeping bitFlyer’s for the rest', () => {
    const local = createBitflyerAdapter({ urls: { spotWs: 'ws://127.0.0.1:8100/json-rpc', rest: 'http://127.0.0.1:8101' } });
    expect(local.endpoints('spot')[0]!.url).toBe('ws://127.0.0.1:8100/json-rpc');
    expect(local.instrumentsUrl('spot')).toBe('http://127.0.0.1:8101/v1/markets');
    const partial = createBitflyerAdapter({ urls: { rest: 'http://127.0.0.1:8101' } });
    expect(partial.urls).toEqual({ ...BITFLYER_URLS, rest: 'http://127.0.0.1:8101' });
    expect(partial.endpoints('spot')[0]!.url).toBe(BITFLYER_URLS.spotWs);
  });
});

import { MarketSync, type DeltaMessage, type Instrument } from '@level4/feed';
import { describe, expect, it } from 'vitest';
import { createPoloniexAdapter, POLONIEX_URLS, poloniex } from './index.js';

const market = (symbol: string): Instrument => ({
  venue: 'poloniex',
  type: 'spot',
  symbol,
  base: symbol.split('_')[0]!,
  quote: 'USDT',
  tickSize: '0.01',
  trading: true,
  status: 'NORMAL',
});

describe('poloniex adapter', () => {
  it('serves spot only, on the public socket with book and trades', () => {
    expect(poloniex.venue).toBe('poloniex');
    expect(poloniex.marketTypes).toEqual(['spot']);
    expect(poloniex.endpoints('spot')).toEqual([{ url: 'wss://ws.poloniex.com/ws/public', channels: ['book', 'trades'] }]);
    expect(() => poloniex.endpoints('futures')).toThrow('poloniex: no market type "futures"');
    expect(poloniex.urls).toEqual(POLONIEX_URLS);
  });

  it('subscribes book_lv2 and trades of the markets, one frame per channel (Poloniex has no request id)', () => {
    const [endpoint] = poloniex.endpoints('spot');
    expect(poloniex.subscribe(endpoint!, [market('BTC_USDT'), market('ETH_USDT')], 7)).toEqual([
      '{"event":"subscribe","channel":["book_lv2"],"symbols":["BTC_USDT","ETH_USDT"]}',
      '{"event":"subscribe","channel":["trades"],"symbols":["BTC_USDT","ETH_USDT"]}',
    ]);
    expect(poloniex.unsubscribe(endpoint!, [market('ETH_USDT')], 8)).toEqual([
      '{"event":"unsubscribe","channel":["book_lv2"],"symbols":["ETH_USDT"]}',
      '{"event":"unsubscribe","channel":["trades"],"symbols":["ETH_USDT"]}',
    ]);
  });

  it('only subscribes the channels the endpoint carries', () => {
    expect(poloniex.subscribe({ url: 'wss://x', channels: ['trades'] }, [market('BTC_USDT')], 1)).toEqual(['{"event":"subscribe","channel":["trades"],"symbols":["BTC_USDT"]}']);
  });

  it('keeps a request within 20 markets', () => {
    const [endpoint] = poloniex.endpoints('spot');
    expect(poloniex.limits).toEqual({ marketsPerConnection: 50, marketsPerRequest: 20, framesPerSecond: 50 });
    const twenty = Array.from({ length: 20 }, (_, n) => market(`A${n}_USDT`));
    const [book] = poloniex.subscribe(endpoint!, twenty, 2);
    expect((JSON.parse(book!) as { symbols: string[] }).symbols).toHaveLength(20);
    expect(() => poloniex.subscribe(endpoint!, [...twenty, market('B_USDT')], 3)).toThrow(RangeError);
    expect(poloniex.subscribe(endpoint!, [], 4)).toEqual([]);
  });

  it('takes the book from the socket, chains updates by lastId = previous id, and keeps 20 levels per side', () => {
    expect(poloniex.sync('spot')).toEqual({ snapshot: 'message', sequence: 'previous', depth: 20 });
    expect(poloniex.snapshotUrl).toBeUndefined();
    expect(poloniex.verify).toBeUndefined();
  });

  it('pings {"event":"ping"} every 20 s (the server drops a client silent for 30 s); 30 s without a frame is stale', () => {
    expect(poloniex.keepalive?.intervalMs).toBe(20_000);
    expect(poloniex.keepalive?.frame?.()).toBe('{"event":"ping"}');
    expect(poloniex.livenessMs).toBe(30_000);
    expect(poloniex.maxConnectionMs).toBeUndefined();
  });

  it('builds every URL from the urls it was given (a replay server, say)', () => {
    const local = createPoloniexAdapter({ urls: { spotWs: 'ws://127.0.0.1:8100/ws/public', spotRest: 'http://127.0.0.1:8101' } });
    expect(local.endpoints('spot')[0]!.url).toBe('ws://127.0.0.1:8100/ws/public');
    expect(local.instrumentsUrl('spot')).toBe('http://127.0.0.1:8101/markets');
  });

  it('keeps Poloniex’s URLs for the ones not overridden', () => {
    const partial = createPoloniexAdapter({ urls: { spotRest: 'http://127.0.0.1:8101' } });
    expect(partial.urls).toEqual({ ...POLONIEX_URLS, spotRest: 'http://127.0.0.1:8101' });
    expect(partial.endpoints('spot')[0]!.url).toBe(POLONIEX_URLS.spotWs);
  });
});

/**
 * The 20-level window through the engine's MarketSync (depth 20). A snapshot of asks 100..119; the
 * venue then lists a new best ask 99.5 and deletes 105, best first, in one update. Its window is
 * 99.5, 100..104, 106..119: 20 levels, 119 still in (the venue sends nothing for it).
 */
describe('the 20-level window in the engine', () => {
  const asks = Array.from({ length: 20 }, (_, n) => [String(100 + n), '1'] as [string, string]);
  const bids = [['99', '1'] as [string, string]];
  const update = '{"channel":"book_lv2","action":"update","data":[{"symbol":"BTC_USDT","createTime":2,"asks":[["99.5","1"],["105","0"]],"bids":[],"lastId":1,"id":2}]}';

  function sync(): MarketSync {
    const s = new MarketSync({ marketId: 1, instrument: market('BTC_USDT'), adapter: poloniex, emit: () => undefined, hooks: { resync: () => undefined, snapshotWanted: () => undefined }, now: () => 0 });
    s.beginSync('syncing');
    s.onMessage({ kind: 'snapshot', symbol: 'BTC_USDT', bids, asks, sequence: 1, time: 1 }, 1);
    return s;
  }
  const window = [['99.5', '1'], ...asks.filter(([p]) => p !== '105')];

  // The venue lists each side best first, so an update may insert a better level before it deletes
  // the one leaving the window (spec §4); the engine trims after the whole message, so the 20th
  // level survives (trimming per level would drop it, and the venue never resends it).
  it('an insert before the delete that makes room keeps exactly the venue’s 20 levels', () => {
    const s = sync();
    for (const m of poloniex.parse(update, 'spot')) s.onMessage(m as DeltaMessage, 2);
    const got = [...s.book.levels('ask')].map((l) => [l.price, l.size]);
    expect(got).toEqual(window);
    expect(got).toHaveLength(20);
    expect(s.counters).toMatchObject({ deltas: 1, gaps: 0, resyncs: 0 });
  });
});

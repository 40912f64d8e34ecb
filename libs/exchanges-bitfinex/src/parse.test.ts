import { OrderBook } from '@level4/orderbook';
import { describe, expect, it } from 'vitest';
import { checksumText, crc32, verifyChecksum } from './checksum.js';
import { parseFrame } from './parse.js';

describe('parseFrame: channel messages', () => {
  it('a book update: the SEQ_ALL number first, then one level on the side of its amount’s sign, text as written', () => {
    expect(parseFrame('[232956,[0.00002531,3,-698.26038028],1669]', 'spot')).toEqual([
      { kind: 'connection-sequence', value: 1669 },
      { kind: 'delta', symbol: '', channel: 232956, bids: [], asks: [['0.00002531', '698.26038028']] },
    ]);
    expect(parseFrame('[81757,[0.0000011,12,266122.94]]', 'spot')).toEqual([
      { kind: 'delta', symbol: '', channel: 81757, bids: [['0.0000011', '266122.94']], asks: [] },
    ]);
  });

  it('COUNT 0 removes the level: amount 1 = bid, -1 = ask; exponent notation stays as written', () => {
    expect(parseFrame('[232955,[0.0010262,0,1],1670]', 'spot')[1]).toMatchObject({ bids: [['0.0010262', '0']], asks: [] });
    expect(parseFrame('[5,[7e-7,0,-1]]', 'futures')[0]).toMatchObject({ bids: [], asks: [['7e-7', '0']] });
    expect(parseFrame('[5,[6.6e-7,2,-1.7023900800000002]]', 'spot')[0]).toMatchObject({ asks: [['6.6e-7', '1.7023900800000002']] });
  });

  it('a book snapshot: bids (amount > 0) and asks (amount < 0), empty list = empty book', () => {
    expect(parseFrame('[9,[[100.5,2,1.5],[100,1,3],[101,4,-2.25]],12]', 'spot')).toEqual([
      { kind: 'connection-sequence', value: 12 },
      { kind: 'snapshot', symbol: '', channel: 9, bids: [['100.5', '1.5'], ['100', '3']], asks: [['101', '2.25']] },
    ]);
    expect(parseFrame('[9,[],3]', 'spot')).toEqual([
      { kind: 'connection-sequence', value: 3 },
      { kind: 'snapshot', symbol: '', channel: 9, bids: [], asks: [] },
    ]);
  });

  it('trades: `te` publishes (AMOUNT > 0 = taker bought, < 0 sold), `tu` and the history snapshot do not', () => {
    expect(parseFrame('[17,"te",[401597393,1574694475039,0.005,7244.9],44]', 'spot')).toEqual([
      { kind: 'connection-sequence', value: 44 },
      { kind: 'trade', symbol: '', channel: 17, id: '401597393', side: 'buy', price: '7244.9', size: '0.005', time: 1574694475039000 },
    ]);
    expect(parseFrame('[17,"te",[401597394,1574694475040,-0.2,7244.8]]', 'spot')).toEqual([
      { kind: 'trade', symbol: '', channel: 17, id: '401597394', side: 'sell', price: '7244.8', size: '0.2', time: 1574694475040000 },
    ]);
    expect(parseFrame('[17,"tu",[401597393,1574694475039,0.005,7244.9],45]', 'spot')).toEqual([{ kind: 'connection-sequence', value: 45 }]);
    expect(parseFrame('[17,[[1,1618677543000,0.5,60000],[2,1618677542000,-1,59990]],46]', 'spot')).toEqual([{ kind: 'connection-sequence', value: 46 }]);
  });

  it('heartbeats and checksums, with and without the sequence number', () => {
    expect(parseFrame('[232949,"hb",120]', 'spot')).toEqual([{ kind: 'connection-sequence', value: 120 }, { kind: 'heartbeat' }]);
    expect(parseFrame('[232949,"hb"]', 'spot')).toEqual([{ kind: 'heartbeat' }]);
    expect(parseFrame('[81757,"cs",-1175357890]', 'spot')).toEqual([{ kind: 'check', symbol: '', channel: 81757, check: -1175357890 }]);
    expect(parseFrame('[81757,"cs",-1175357890,77]', 'spot')).toEqual([
      { kind: 'connection-sequence', value: 77 },
      { kind: 'check', symbol: '', channel: 81757, check: -1175357890 },
    ]);
  });

  it('tickers and unknown channel kinds give only their sequence number', () => {
    expect(parseFrame('[232949,[0.068965,60157.36709703,0.0774,48578.50804052,0.001969,0.0262,0.076989,101459.39453471,0.0828,0.068961],1]', 'spot')).toEqual([
      { kind: 'connection-sequence', value: 1 },
    ]);
    expect(parseFrame('[3,"fte",[1,2,3,4,5],9]', 'spot')).toEqual([{ kind: 'connection-sequence', value: 9 }]);
  });
});

describe('parseFrame: events', () => {
  it('subscribe acks bind the channel id to the symbol (book, trades); `subId` is the request', () => {
    expect(parseFrame('{"event":"subscribed","channel":"book","chanId":232957,"symbol":"tBTCUSD","prec":"P0","freq":"F0","len":"250","subId":"7","pair":"BTCUSD"}', 'spot')).toEqual([
      { kind: 'ack', request: 7, channel: 232957, symbol: 'tBTCUSD' },
    ]);
    expect(parseFrame('{"event":"subscribed","channel":"trades","chanId":5,"symbol":"tBTCF0:USTF0","pair":"BTCF0:USTF0"}', 'futures')).toEqual([
      { kind: 'ack', channel: 5, symbol: 'tBTCF0:USTF0' },
    ]);
    expect(parseFrame('{"event":"subscribed","channel":"ticker","chanId":232949,"symbol":"tBFTUSD","pair":"BFTUSD"}', 'spot')).toEqual([]);
  });

  it('errors name the code and message, with the request and symbol when given', () => {
    expect(parseFrame('{"event":"error","msg":"symbol: invalid","code":10300,"channel":"book","symbol":"tNOPE","subId":"3"}', 'spot')).toEqual([
      { kind: 'error', message: '10300 symbol: invalid', request: 3, symbol: 'tNOPE' },
    ]);
    expect(parseFrame('{"event":"error","msg":"unknown event","code":10000}', 'spot')).toEqual([{ kind: 'error', message: '10000 unknown event' }]);
  });

  it('info codes: 20051 and 20061 -> reconnect, 20060 and platform status 0 -> pause, banner -> nothing', () => {
    expect(parseFrame('{"event":"info","code":20051,"msg":"Stopping. Please try to reconnect"}', 'spot')).toEqual([
      { kind: 'reconnect', reason: 'bitfinex info 20051 (server restarting): Stopping. Please try to reconnect' },
    ]);
    expect(parseFrame('{"event":"info","code":20061,"msg":"Maintenance ended"}', 'spot')).toEqual([
      { kind: 'reconnect', reason: 'bitfinex info 20061 (maintenance ended): Maintenance ended' },
    ]);
    expect(parseFrame('{"event":"info","code":20060,"msg":"Entering maintenance mode"}', 'spot')).toEqual([
      { kind: 'pause', reason: 'bitfinex info 20060 (maintenance started, no data until it ends): Entering maintenance mode' },
    ]);
    expect(parseFrame('{"event":"info","version":2,"platform":{"status":0}}', 'spot')).toEqual([{ kind: 'pause', reason: 'bitfinex platform in maintenance (info platform.status 0)' }]);
    expect(parseFrame('{"event":"info","version":2,"serverId":"x","platform":{"status":1}}', 'spot')).toEqual([]);
    expect(parseFrame('{"event":"conf","status":"OK","flags":196608}', 'spot')).toEqual([]);
    expect(parseFrame('{"event":"pong","ts":1,"cid":2}', 'spot')).toEqual([{ kind: 'heartbeat' }]);
    expect(parseFrame('{"event":"unsubscribed","status":"OK","chanId":5}', 'spot')).toEqual([]);
  });

  it('throws, naming the venue, on frames it cannot read', () => {
    expect(() => parseFrame('not json', 'spot')).toThrow('bitfinex: frame is not JSON: "not json"');
    expect(() => parseFrame('42', 'spot')).toThrow(/bitfinex: frame is neither/);
    expect(() => parseFrame('["x",[1,2,3]]', 'spot')).toThrow(/numeric channel id/);
    expect(() => parseFrame('[5,[1,2,"3"]]', 'spot')).toThrow(/\[PRICE, COUNT, AMOUNT\]/);
    expect(() => parseFrame('[5,[[1,2,3],[1,2]]]', 'spot')).toThrow(/\[PRICE, COUNT, AMOUNT\]/);
    expect(() => parseFrame('[5,"cs","abc"]', 'spot')).toThrow(/integer checksum/);
    expect(() => parseFrame('[5,"te",{}]', 'spot')).toThrow(/"te" without a trade array/);
    expect(() => parseFrame('[5,null]', 'spot')).toThrow(/unknown shape/);
    expect(() => parseFrame('{"foo":1}', 'spot')).toThrow(/without "event"/);
    expect(() => parseFrame('{"event":"subscribed","channel":"book"}', 'spot')).toThrow(/without "chanId"/);
  });
});

describe('checksum', () => {
  it('CRC32 as a signed int32', () => {
    expect(crc32('')).toBe(0);
    expect(crc32('123456789')).toBe(0xcbf43926 | 0);
  });

  it('interleaves bids and negative asks, 25 per side, and handles short sides', () => {
    const book = new OrderBook();
    book.applySnapshot({ bids: [['100', '1.5'], ['99', '2']], asks: [['101', '3']] });
    expect(checksumText(book)).toBe('100:1.5:101:-3:99:2');
    const deep = new OrderBook();
    const bids = Array.from({ length: 30 }, (_, i) => [String(1000 - i), '1'] as const);
    const asks = Array.from({ length: 30 }, (_, i) => [String(2000 + i), '2'] as const);
    deep.applySnapshot({ bids, asks });
    const text = checksumText(deep);
    expect(text.split(':')).toHaveLength(100);
    expect(text.endsWith('976:1:2024:-2')).toBe(true);
    expect(verifyChecksum(deep, crc32(text))).toBe(true);
    expect(verifyChecksum(deep, crc32(text) + 1)).toBe(false);
  });
});

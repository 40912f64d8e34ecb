import { describe, expect, it } from 'vitest';
import { BITFINEX_URLS } from './index.js';
import { instrumentsUrl, parseInstruments, splitPair } from './instruments.js';

describe('instrumentsUrl', () => {
  it('asks for the spot (exchange) and derivatives (futures) pair lists', () => {
    expect(instrumentsUrl(BITFINEX_URLS, 'spot')).toBe('https://api-pub.bitfinex.com/v2/conf/pub:list:pair:exchange');
    expect(instrumentsUrl({ rest: 'http://127.0.0.1:9000' }, 'futures')).toBe('http://127.0.0.1:9000/v2/conf/pub:list:pair:futures');
    expect(() => instrumentsUrl(BITFINEX_URLS, 'inverse')).toThrow(/no market type "inverse"/);
  });
});

describe('parseInstruments', () => {
  it('maps spot pairs: t prefix, 3+3 or colon split, aliases (UST, BCHN, IOT, DSH), test pairs and unsplittable names skipped', () => {
    const body = JSON.stringify([['BTCUSD', 'AAVE:USD', 'BTCUST', 'BCHN:USD', 'IOTETH', 'DSHBTC', 'TESTBTC:TESTUSD', 'ABCDEFG', 'DUSK:BTC']]);
    const { instruments, next } = parseInstruments('spot', body);
    expect(next).toBeUndefined();
    expect(instruments.map((i) => [i.symbol, i.base, i.quote])).toEqual([
      ['tBTCUSD', 'BTC', 'USD'],
      ['tAAVE:USD', 'AAVE', 'USD'],
      ['tBTCUST', 'BTC', 'USDT'],
      ['tBCHN:USD', 'BCH', 'USD'],
      ['tIOTETH', 'IOTA', 'ETH'],
      ['tDSHBTC', 'DASH', 'BTC'],
      ['tDUSK:BTC', 'DUSK', 'BTC'],
    ]);
    expect(instruments[0]).toEqual({ venue: 'bitfinex', type: 'spot', symbol: 'tBTCUSD', base: 'BTC', quote: 'USD', tickSize: '0', trading: true, status: 'listed' });
  });

  it('maps perpetuals <BASE>F0:<QUOTE>F0 with contract size 1, no expiry; test and other names skipped', () => {
    const body = JSON.stringify([['BTCF0:USTF0', 'ETHF0:BTCF0', 'TESTBTCF0:TESTUSDTF0', 'BTCUSD']]);
    expect(parseInstruments('futures', body).instruments).toEqual([
      { venue: 'bitfinex', type: 'futures', symbol: 'tBTCF0:USTF0', base: 'BTC', quote: 'USDT', tickSize: '0', contractSize: '1', trading: true, status: 'listed' },
      { venue: 'bitfinex', type: 'futures', symbol: 'tETHF0:BTCF0', base: 'ETH', quote: 'BTC', tickSize: '0', contractSize: '1', trading: true, status: 'listed' },
    ]);
  });

  it('splits pair names', () => {
    expect(splitPair('BTCUSD')).toEqual(['BTC', 'USD']);
    expect(splitPair('AAVE:UST')).toEqual(['AAVE', 'UST']);
    expect(splitPair('BTCDOMF0:USTF0')).toEqual(['BTCDOMF0', 'USTF0']);
    expect(splitPair('ABCD')).toBeUndefined();
    expect(splitPair(':USD')).toBeUndefined();
  });

  it('throws on a body of another shape', () => {
    expect(() => parseInstruments('spot', 'nope')).toThrow('bitfinex: pub:list:pair:exchange body is not JSON');
    expect(() => parseInstruments('spot', '{"a":1}')).toThrow(/not a list of pair names/);
    expect(() => parseInstruments('futures', '[[1]]')).toThrow(/entry is not a pair name/);
  });
});

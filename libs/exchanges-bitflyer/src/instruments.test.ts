import { describe, expect, it } from 'vitest';
import { BITFLYER_URLS } from './index.js';
import { instrumentsUrl, nonSpotReason, parseInstruments } from './instruments.js';

// The 2021 /v1/markets answer of the fixture recording.
const MARKETS = JSON.stringify([
  { product_code: 'BTC_JPY', market_type: 'Spot' },
  { product_code: 'XRP_JPY', market_type: 'Spot' },
  { product_code: 'ETH_BTC', market_type: 'Spot' },
  { product_code: 'BCH_BTC', market_type: 'Spot' },
  { product_code: 'FX_BTC_JPY', market_type: 'FX' },
  { product_code: 'BTCJPY17DEC2021', alias: 'BTCJPY_MAT1WK', market_type: 'Futures' },
]);

describe('instrumentsUrl', () => {
  it('is /v1/markets on the REST host, spot only', () => {
    expect(instrumentsUrl(BITFLYER_URLS, 'spot')).toBe('https://api.bitflyer.com/v1/markets');
    expect(instrumentsUrl({ rest: 'http://127.0.0.1:9000' }, 'spot')).toBe('http://127.0.0.1:9000/v1/markets');
    expect(() => instrumentsUrl(BITFLYER_URLS, 'futures')).toThrow('bitflyer: no "futures" markets: bitFlyer support is spot only');
  });
});

describe('parseInstruments', () => {
  it('maps Spot products with a configured tick; CFD and futures are listed as never trading, saying why', () => {
    expect(parseInstruments('spot', MARKETS)).toEqual({
      instruments: [
        { venue: 'bitflyer', type: 'spot', symbol: 'BTC_JPY', base: 'BTC', quote: 'JPY', tickSize: '1', trading: true, status: 'Spot' },
        { venue: 'bitflyer', type: 'spot', symbol: 'XRP_JPY', base: 'XRP', quote: 'JPY', tickSize: '0.01', trading: true, status: 'Spot' },
        // ETH_BTC: no known tick, skipped.
        { venue: 'bitflyer', type: 'spot', symbol: 'BCH_BTC', base: 'BCH', quote: 'BTC', tickSize: '0.00001', trading: true, status: 'Spot' },
        { venue: 'bitflyer', type: 'spot', symbol: 'FX_BTC_JPY', base: 'BTC', quote: 'JPY', tickSize: '', trading: false, status: 'FX_BTC_JPY is bitFlyer Crypto CFD, not spot: bitFlyer support is spot only' },
        {
          venue: 'bitflyer',
          type: 'spot',
          symbol: 'BTCJPY17DEC2021',
          base: 'BTC',
          quote: 'JPY',
          tickSize: '',
          trading: false,
          status: 'BTCJPY17DEC2021 is a Lightning Futures contract, not spot: bitFlyer support is spot only',
        },
      ],
    });
  });

  it('throws on a body of another shape', () => {
    expect(() => parseInstruments('spot', 'nope')).toThrow('bitflyer: /v1/markets body is not JSON');
    expect(() => parseInstruments('spot', '{}')).toThrow('bitflyer: /v1/markets body is not an array of products');
    expect(() => parseInstruments('spot', '[{"product_code":"BTC_JPY"}]')).toThrow(/entry without "product_code" or "market_type"/);
    expect(() => parseInstruments('inverse', '[]')).toThrow(/spot only/);
  });

  it('nonSpotReason names CFD and futures codes', () => {
    expect(nonSpotReason('FX_BTC_JPY')).toBe('bitflyer: FX_BTC_JPY is bitFlyer Crypto CFD, not spot: bitFlyer support is spot only');
    expect(nonSpotReason('BTCJPY17DEC2021')).toMatch(/Lightning Futures contract, not spot: bitFlyer support is spot only$/);
    expect(nonSpotReason('BTCJPY_MAT3M')).toMatch(/spot only$/);
    expect(nonSpotReason('BTC_JPY')).toBeUndefined();
  });
});

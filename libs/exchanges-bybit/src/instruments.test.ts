import { describe, expect, it } from 'vitest';
import { BYBIT_URLS } from './index.js';
import { instrumentsUrl, parseInstruments } from './instruments.js';

// Bodies shaped like GET /v5/market/instruments-info answers (fields level4 does not read left out).
const page = (category: string, list: unknown[], nextPageCursor = ''): string =>
  JSON.stringify({ retCode: 0, retMsg: 'OK', result: { category, list, nextPageCursor }, retExtInfo: {}, time: 1760027412300 });

const linear = (symbol: string, contractType: string, extra: object = {}): object => ({
  symbol,
  contractType,
  status: 'Trading',
  baseCoin: 'BTC',
  quoteCoin: 'USDT',
  launchTime: '1585526400000',
  deliveryTime: '0',
  priceFilter: { minPrice: '0.10', maxPrice: '1999999.80', tickSize: '0.10' },
  lotSizeFilter: { qtyStep: '0.001' },
  settleCoin: 'USDT',
  ...extra,
});

describe('instrumentsUrl', () => {
  it('asks for the largest page of the category, then follows the cursor', () => {
    expect(instrumentsUrl(BYBIT_URLS, 'spot')).toBe('https://api.bybit.com/v5/market/instruments-info?category=spot&limit=1000');
    expect(instrumentsUrl(BYBIT_URLS, 'futures')).toBe('https://api.bybit.com/v5/market/instruments-info?category=linear&limit=1000');
    // The cursor goes back exactly as Bybit wrote it: its own %-escapes are escaped once more.
    expect(instrumentsUrl({ rest: 'http://127.0.0.1:9000' }, 'inverse', 'first%3DBTCUSD%26last%3DETHUSD')).toBe(
      'http://127.0.0.1:9000/v5/market/instruments-info?category=inverse&limit=1000&cursor=first%253DBTCUSD%2526last%253DETHUSD',
    );
  });
});

describe('parseInstruments', () => {
  it('maps spot pairs: upper-case assets, tick size as text, no contract fields', () => {
    const body = page('spot', [
      { symbol: 'BTCUSDT', baseCoin: 'BTC', quoteCoin: 'USDT', status: 'Trading', priceFilter: { tickSize: '0.1' }, lotSizeFilter: { basePrecision: '0.000001' } },
      { symbol: 'MNTUSDC', baseCoin: 'mnt', quoteCoin: 'usdc', status: 'Closed', priceFilter: { tickSize: '0.0001' } },
    ]);
    expect(parseInstruments('spot', body)).toEqual({
      instruments: [
        { venue: 'bybit', type: 'spot', symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', trading: true, status: 'Trading' },
        { venue: 'bybit', type: 'spot', symbol: 'MNTUSDC', base: 'MNT', quote: 'USDC', tickSize: '0.0001', trading: false, status: 'Closed' },
      ],
    });
  });

  it('maps linear perpetuals and dated futures (expiry = deliveryTime), and gives the next cursor', () => {
    const body = page(
      'linear',
      [
        linear('BTCUSDT', 'LinearPerpetual'),
        linear('BTCPERP', 'LinearPerpetual', { quoteCoin: 'USDC', status: 'PreLaunch' }),
        linear('BTCUSDT-21FEB25', 'LinearFutures', { deliveryTime: '1740124800000' }),
      ],
      'first%3DBTCUSDT%26last%3DBTCUSDT-21FEB25',
    );
    const { instruments, next } = parseInstruments('futures', body);
    expect(next).toBe('first%3DBTCUSDT%26last%3DBTCUSDT-21FEB25');
    expect(instruments).toEqual([
      { venue: 'bybit', type: 'futures', symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', tickSize: '0.10', contractSize: '1', trading: true, status: 'Trading' },
      { venue: 'bybit', type: 'futures', symbol: 'BTCPERP', base: 'BTC', quote: 'USDC', tickSize: '0.10', contractSize: '1', trading: false, status: 'PreLaunch' },
      {
        venue: 'bybit',
        type: 'futures',
        symbol: 'BTCUSDT-21FEB25',
        base: 'BTC',
        quote: 'USDT',
        tickSize: '0.10',
        contractSize: '1',
        expiry: 1740124800000,
        trading: true,
        status: 'Trading',
      },
    ]);
  });

  it('maps inverse contracts (sizes in USD contracts: contract size 1)', () => {
    const body = page('inverse', [
      linear('BTCUSD', 'InversePerpetual', { quoteCoin: 'USD', settleCoin: 'BTC', priceFilter: { tickSize: '0.50' } }),
      linear('BTCUSDZ25', 'InverseFutures', { quoteCoin: 'USD', deliveryTime: '1766736000000', status: 'Delivering', priceFilter: { tickSize: '0.50' } }),
    ]);
    const [perpetual, dated] = parseInstruments('inverse', body).instruments;
    expect(perpetual).toEqual({ venue: 'bybit', type: 'inverse', symbol: 'BTCUSD', base: 'BTC', quote: 'USD', tickSize: '0.50', contractSize: '1', trading: true, status: 'Trading' });
    expect(dated).toMatchObject({ symbol: 'BTCUSDZ25', expiry: 1766736000000, trading: false, status: 'Delivering' });
  });

  it('skips contract types it does not know (or that belong to the other category)', () => {
    const body = page('linear', [linear('BTCUSDT', 'LinearPerpetual'), linear('BTC-X', 'LinearOptions'), linear('BTCUSD', 'InversePerpetual'), linear('Y', undefined as never)]);
    expect(parseInstruments('futures', body).instruments.map((i) => i.symbol)).toEqual(['BTCUSDT']);
  });

  it('throws on a failed call or a body of another shape, saying which', () => {
    expect(() => parseInstruments('spot', '{"retCode":10006,"retMsg":"Too many visits!","result":{}}')).toThrow(
      'bybit: instruments-info (spot) failed: retCode 10006, Too many visits!',
    );
    expect(() => parseInstruments('spot', '<html>403</html>')).toThrow('bybit: instruments-info (spot) body is not JSON');
    expect(() => parseInstruments('spot', '{"retCode":0,"result":{}}')).toThrow('without "result.list"');
    expect(() => parseInstruments('futures', page('inverse', []))).toThrow('bybit: instruments-info for category inverse, expected linear');
    expect(() => parseInstruments('futures', page('linear', [linear('BTCUSDT', 'LinearPerpetual', { priceFilter: {} })]))).toThrow(
      'entry without symbol, baseCoin, quoteCoin, status or priceFilter.tickSize',
    );
  });
});

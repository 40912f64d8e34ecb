import type { FeedMessage, Instrument, LevelUpdate, MarketType, SnapshotMessage } from '@level4/feed';

/**
 * Bitstamp WebSocket v2 frames -> feed messages. Every frame is `{"event","channel","data"}`:
 * `data` on `diff_order_book_<pair>` is a full-depth diff (absolute sizes, zero = delete), `trade`
 * on `live_trades_<pair>` one trade, `bts:*` events are answers and notices. Prices and sizes are
 * strings on the wire and pass through as written; `microtimestamp` (µs, text) is both the time
 * and the sequence value of the `time` sync rule.
 */

type Payload = Record<string, unknown>;

const NOTHING: readonly FeedMessage[] = [];
const HEARTBEAT: readonly FeedMessage[] = [{ kind: 'heartbeat' }];
const RECONNECT: readonly FeedMessage[] = [{ kind: 'reconnect', reason: 'bitstamp: bts:request_reconnect (server going into maintenance)' }];

const BOOK = 'diff_order_book_';
const TRADES = 'live_trades_';

/** One frame from a socket (spot: Bitstamp's only market type here) -> messages. Throws on a frame it cannot read. */
export function parseFrame(frame: string, _type?: MarketType): readonly FeedMessage[] {
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch {
    throw new Error(`bitstamp: frame is not JSON: ${excerpt(frame)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`bitstamp: frame is not an object: ${excerpt(frame)}`);
  const p = json as Payload;
  const event = p.event;
  const channel = p.channel;
  switch (event) {
    case 'data':
      // order_book_, detail_order_book_, live_orders_ also say `data`: well-formed, not ours.
      if (typeof channel === 'string' && channel.startsWith(BOOK)) return [diff(p.data, channel)];
      if (typeof channel !== 'string') throw new Error(`bitstamp: data event without "channel": ${excerpt(frame)}`);
      return NOTHING;
    case 'trade':
      if (typeof channel === 'string' && channel.startsWith(TRADES)) return [trade(p.data, channel)];
      if (typeof channel !== 'string') throw new Error(`bitstamp: trade event without "channel": ${excerpt(frame)}`);
      return NOTHING;
    case 'bts:heartbeat':
      return HEARTBEAT;
    case 'bts:request_reconnect':
      // `data` is "", {} or null depending on the server: the event alone decides.
      return RECONNECT;
    case 'bts:subscription_succeeded':
    case 'bts:unsubscription_succeeded': {
      // No request id comes back; the channel tells which market it was.
      const symbol = symbolOf(channel);
      return [symbol === undefined ? { kind: 'ack' } : { kind: 'ack', symbol }];
    }
    case 'bts:error':
      return [venueError(p.data, channel)];
    default:
      if (typeof event !== 'string') throw new Error(`bitstamp: frame without "event" text: ${excerpt(frame)}`);
      // Order events, funding rates, future bts:* notices: well-formed, not ours.
      return NOTHING;
  }
}

/** `diff_order_book_<pair>` data: `microtimestamp` is the delta's `last` (its `first` too) and time. */
function diff(data: unknown, channel: string): FeedMessage {
  if (typeof data !== 'object' || data === null) throw new Error(`bitstamp: ${channel} without "data" object`);
  const d = data as Payload;
  const micros = microsOf(d.microtimestamp, channel);
  const bids = d.bids;
  const asks = d.asks;
  if (!Array.isArray(bids)) throw new Error(`bitstamp: ${channel} without "bids" array`);
  if (!Array.isArray(asks)) throw new Error(`bitstamp: ${channel} without "asks" array`);
  return { kind: 'delta', symbol: channel.slice(BOOK.length), bids: bids as LevelUpdate[], asks: asks as LevelUpdate[], last: micros, time: micros };
}

/** `live_trades_<pair>` data: `type` 0 = the buyer was the aggressor (taker bought), 1 = taker sold. `_str` fields, never the floats. */
function trade(data: unknown, channel: string): FeedMessage {
  if (typeof data !== 'object' || data === null) throw new Error(`bitstamp: ${channel} without "data" object`);
  const d = data as Payload;
  const id = d.id;
  if (!(typeof id === 'number' && Number.isSafeInteger(id)) && !(typeof id === 'string' && id !== '')) throw new Error(`bitstamp: ${channel} trade without "id"`);
  const type = d.type;
  if (type !== 0 && type !== 1) throw new Error(`bitstamp: ${channel} trade with "type" ${JSON.stringify(type)} (0 = buy, 1 = sell)`);
  const price = d.price_str;
  const size = d.amount_str;
  if (typeof price !== 'string' || price === '') throw new Error(`bitstamp: ${channel} trade without "price_str"`);
  if (typeof size !== 'string' || size === '') throw new Error(`bitstamp: ${channel} trade without "amount_str"`);
  return {
    kind: 'trade',
    symbol: channel.slice(TRADES.length),
    id: String(id),
    side: type === 0 ? 'buy' : 'sell',
    price,
    size,
    time: microsOf(d.microtimestamp, channel),
  };
}

/** `bts:error`: `channel` is usually empty (answers are matched by order); when it names a market, say which. */
function venueError(data: unknown, channel: unknown): FeedMessage {
  const d = typeof data === 'object' && data !== null ? (data as Payload) : {};
  const text = typeof d.message === 'string' ? d.message : typeof data === 'string' && data !== '' ? data : 'unspecified error';
  const code = d.code;
  const message = code === null || code === undefined ? text : `code ${String(code)}: ${text}`;
  const symbol = symbolOf(channel);
  return symbol === undefined ? { kind: 'error', message } : { kind: 'error', message, symbol };
}

/** The pair of a channel name we subscribe to, else undefined. */
function symbolOf(channel: unknown): string | undefined {
  if (typeof channel !== 'string') return undefined;
  if (channel.startsWith(BOOK)) return channel.slice(BOOK.length) || undefined;
  if (channel.startsWith(TRADES)) return channel.slice(TRADES.length) || undefined;
  return undefined;
}

/** `microtimestamp`: µs since epoch as integer text (fits in 2^53). */
function microsOf(v: unknown, what: string): number {
  const n = typeof v === 'string' && v !== '' ? Number(v) : typeof v === 'number' ? v : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bitstamp: ${what} without integer "microtimestamp"`);
  return n;
}

/**
 * REST `GET /api/v2/order_book/<pair>/` body (full depth, `group=1`: aggregated by price) ->
 * snapshot of `instrument`. `sequence` = `microtimestamp`, the value diffs are compared with.
 */
export function parseSnapshot(body: string, instrument: Instrument): SnapshotMessage {
  const what = `order book snapshot for ${instrument.symbol}`;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error(`bitstamp: ${what} is not JSON: ${excerpt(body)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`bitstamp: ${what} is not an object: ${excerpt(body)}`);
  const p = json as Payload;
  if (p.microtimestamp === undefined && (p.status === 'error' || 'reason' in p || 'message' in p || 'code' in p)) {
    throw new Error(`bitstamp: ${what} failed: ${excerpt(JSON.stringify(p.reason ?? p.message ?? p.code ?? p))}`);
  }
  const micros = microsOf(p.microtimestamp, what);
  if (!Array.isArray(p.bids)) throw new Error(`bitstamp: ${what} without "bids" array`);
  if (!Array.isArray(p.asks)) throw new Error(`bitstamp: ${what} without "asks" array`);
  return { kind: 'snapshot', symbol: instrument.symbol, bids: p.bids as LevelUpdate[], asks: p.asks as LevelUpdate[], sequence: micros, time: micros };
}

function excerpt(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

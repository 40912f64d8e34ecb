import {
  millisToMicros,
  type FeedMessage,
  type HeartbeatMessage,
  type LevelUpdate,
  type MarketType,
  type TradeMessage,
} from '@level4/feed';

/**
 * Poloniex spot API v3 public frames (`wss://ws.poloniex.com/ws/public`) -> feed messages. One
 * market type (spot), so `type` is not needed.
 */

/** The fields level4 reads from a frame; anything else the venue adds is ignored. */
interface Frame {
  readonly event?: unknown;
  readonly channel?: unknown;
  readonly action?: unknown;
  readonly data?: unknown;
  readonly message?: unknown;
  readonly symbols?: unknown;
}

interface BookData {
  readonly symbol?: unknown;
  readonly createTime?: unknown;
  readonly asks?: unknown;
  readonly bids?: unknown;
  readonly lastId?: unknown;
  readonly id?: unknown;
}

interface TradeData {
  readonly symbol?: unknown;
  readonly id?: unknown;
  readonly price?: unknown;
  readonly quantity?: unknown;
  readonly takerSide?: unknown;
  readonly createTime?: unknown;
}

const HEARTBEAT: HeartbeatMessage = Object.freeze({ kind: 'heartbeat' });
const ACK: FeedMessage = Object.freeze({ kind: 'ack' });
export const BOOK_CHANNEL = 'book_lv2';
export const TRADES_CHANNEL = 'trades';

/** One frame's text -> messages. Throws an Error naming what is wrong with a frame it cannot read. */
export function parseFrame(frame: string, _type?: MarketType): FeedMessage[] {
  let msg: Frame;
  try {
    msg = JSON.parse(frame) as Frame;
  } catch {
    throw new Error(`poloniex: frame is not JSON: ${preview(frame)}`);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    throw new Error(`poloniex: frame is not a JSON object: ${preview(frame)}`);
  }
  // Answers to our requests carry `event` (their `channel` echoes the request's); data frames do not.
  const event = msg.event;
  if (event !== undefined) return parseEvent(event, msg);
  const channel = msg.channel;
  if (channel === BOOK_CHANNEL) return parseBook(msg);
  if (channel === TRADES_CHANNEL) return parseTrades(msg);
  if (typeof channel === 'string') return []; // book, ticker, candles_...: not asked for
  throw new Error(`poloniex: frame without "event" or "channel": ${preview(frame)}`);
}

/**
 * `book_lv2` (spec §4–§6): `action` `snapshot` (the top 20 levels per side, replaces the book) or
 * `update` (absolute sizes, "0" removes); `id` = this version, `lastId` = the version before it.
 * `data` is an array: one message per element.
 */
function parseBook(msg: Frame): FeedMessage[] {
  const action = msg.action;
  const data = msg.data;
  if (action !== 'snapshot' && action !== 'update') {
    if (typeof action === 'string') return []; // an action level4 does not know: nothing to apply
    throw new Error(`poloniex: ${BOOK_CHANNEL} without "action"`);
  }
  if (!Array.isArray(data)) throw new Error(`poloniex: ${BOOK_CHANNEL} ${action} without a "data" array`);
  const out: FeedMessage[] = [];
  for (let i = 0; i < data.length; i++) {
    const entry = data[i] as BookData | null;
    if (typeof entry !== 'object' || entry === null) throw new Error(`poloniex: ${BOOK_CHANNEL} ${action} entry is not an object`);
    const { symbol, createTime, id, lastId, asks, bids } = entry;
    if (typeof symbol !== 'string' || symbol === '') throw new Error(`poloniex: ${BOOK_CHANNEL} ${action} without "symbol"`);
    if (typeof id !== 'number') throw new Error(`poloniex: ${BOOK_CHANNEL} ${symbol} without version "id"`);
    if (!Array.isArray(bids) || !Array.isArray(asks)) throw new Error(`poloniex: ${BOOK_CHANNEL} ${symbol} without "asks"/"bids" arrays`);
    const time = typeof createTime === 'number' ? millisToMicros(createTime) : undefined;
    if (action === 'snapshot') {
      out.push({ kind: 'snapshot', symbol, bids: bids as LevelUpdate[], asks: asks as LevelUpdate[], sequence: id, time });
      continue;
    }
    if (typeof lastId !== 'number') throw new Error(`poloniex: ${BOOK_CHANNEL} ${symbol} update without "lastId"`);
    out.push({ kind: 'delta', symbol, bids: bids as LevelUpdate[], asks: asks as LevelUpdate[], last: id, prev: lastId, time });
  }
  return out;
}

/**
 * `trades` (spec §7): `data` holds new trades, each with its symbol; `quantity` is the base size
 * (`amount` is the quote notional), `takerSide` the taker's side. No history on subscribe.
 */
function parseTrades(msg: Frame): TradeMessage[] {
  const data = msg.data;
  if (!Array.isArray(data)) throw new Error(`poloniex: ${TRADES_CHANNEL} without a "data" array`);
  const out: TradeMessage[] = [];
  for (let i = 0; i < data.length; i++) {
    const fill = data[i] as TradeData | null;
    if (typeof fill !== 'object' || fill === null) throw new Error(`poloniex: ${TRADES_CHANNEL} entry is not an object`);
    const { symbol, id, price, quantity, takerSide, createTime } = fill;
    if (typeof symbol !== 'string' || symbol === '') throw new Error(`poloniex: ${TRADES_CHANNEL} entry without "symbol"`);
    if ((typeof id !== 'string' && typeof id !== 'number') || typeof price !== 'string' || typeof quantity !== 'string' || typeof createTime !== 'number') {
      throw new Error(`poloniex: ${TRADES_CHANNEL} ${symbol} trade without "id", "price", "quantity" or "createTime": ${JSON.stringify(fill)}`);
    }
    if (takerSide !== 'buy' && takerSide !== 'sell') throw new Error(`poloniex: ${TRADES_CHANNEL} ${symbol} trade ${id} with takerSide ${JSON.stringify(takerSide)}`);
    out.push({ kind: 'trade', symbol, id: String(id), side: takerSide, price, size: quantity, time: millisToMicros(createTime) });
  }
  return out;
}

/**
 * Answers (spec §3, §8): `{"event":"subscribe","channel":"book_lv2","symbols":[..]}` acks a request
 * (Poloniex echoes no request id), with `message` it failed; `{"event":"error","message":".."}` is
 * an error (naming no request or symbol); `{"event":"pong"}` answers our ping.
 */
function parseEvent(event: unknown, msg: Frame): FeedMessage[] {
  switch (event) {
    case 'pong':
      return [HEARTBEAT];
    case 'subscribe':
    case 'unsubscribe':
    case 'unsubscribe_all':
      if (typeof msg.message === 'string' && msg.message !== '') return [{ kind: 'error', message: `${String(event)} failed: ${msg.message}` }];
      return [ACK];
    case 'error':
      return [{ kind: 'error', message: typeof msg.message === 'string' && msg.message !== '' ? msg.message : 'error' }];
    default:
      if (typeof event !== 'string') throw new Error(`poloniex: "event" is not text: ${JSON.stringify(event)}`);
      return []; // list_subscriptions and events level4 does not use
  }
}

function preview(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
}

import {
  isoToMicros,
  millisToMicros,
  type FeedMessage,
  type HeartbeatMessage,
  type LevelUpdate,
  type MarketType,
  type TradeMessage,
} from '@level4/feed';

/**
 * Kraken frames -> feed messages. A `spot` socket speaks WebSocket v2 (`wss://ws.kraken.com/v2`),
 * a `futures` or `inverse` socket speaks Kraken Futures ws/v1 (`wss://futures.kraken.com/ws/v1`).
 *
 * Both send prices and sizes as bare JSON numbers printed at the venue's precision (`0.10000000`).
 * `JSON.parse` would turn that into 0.1 and lose the text the checksum is built from (spec §6), so
 * before the one `JSON.parse` each number token of a `price` or `qty` field is put in quotes, text
 * unchanged: a `{"price":P,"qty":Q}` level becomes the `["P","Q"]` tuple the book takes as it is.
 * Futures `book` deltas (one level each, most of the traffic) skip the rewrite: the frame is parsed
 * as it is and the two number texts are read from it after their keys.
 */

const HEARTBEAT: HeartbeatMessage = Object.freeze({ kind: 'heartbeat' });

/** A level object in Kraken's key order: rewritten to a `[price, qty]` tuple of the number texts. */
const LEVEL = /\{"price":(-?\d[\d.eE+-]*),"qty":(-?\d[\d.eE+-]*)\}/g;
/** Any other `price`/`qty` number (trades, Futures book deltas, levels in another key order). */
const FIELD = /"(price|qty)":(-?\d[\d.eE+-]*)/g;

/** The frame with every `price`/`qty` number token as a string of the same text. */
function keepNumberText(frame: string): string {
  const text = frame.replace(LEVEL, '["$1","$2"]');
  // Left over: trade fields, Futures delta fields, levels in another key order.
  return text.indexOf('"price":') === -1 ? text : text.replace(FIELD, '"$1":"$2"');
}

/** A Futures book delta (one level, the busiest frame there is) starts so. */
const FUTURES_DELTA = '{"feed":"book","';

/** One frame's text -> messages. Throws an Error naming what is wrong with a frame it cannot read. */
export function parseFrame(frame: string, type: MarketType): FeedMessage[] {
  // Futures deltas: parsed as they are, the two number texts read from the frame (no rewrite).
  const delta = type !== 'spot' && frame.startsWith(FUTURES_DELTA);
  let msg: unknown;
  try {
    msg = JSON.parse(delta ? frame : keepNumberText(frame));
  } catch {
    throw new Error(`kraken: frame is not JSON: ${preview(frame)}`);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    throw new Error(`kraken: frame is not a JSON object: ${preview(frame)}`);
  }
  if (delta && (msg as FuturesFrame).event === undefined) return [parseFuturesDelta(msg as FuturesFrame, frame)];
  return type === 'spot' ? parseSpot(msg as SpotFrame, frame) : parseFutures(msg as FuturesFrame, frame);
}

// ---- spot, WebSocket v2 -------------------------------------------------------------------------

interface SpotFrame {
  readonly channel?: unknown;
  readonly type?: unknown;
  readonly data?: unknown;
  readonly method?: unknown;
  readonly success?: unknown;
  readonly error?: unknown;
  readonly req_id?: unknown;
  readonly result?: { readonly symbol?: unknown } | null;
  readonly symbol?: unknown;
}

interface SpotBook {
  readonly symbol?: unknown;
  readonly bids?: unknown;
  readonly asks?: unknown;
  readonly checksum?: unknown;
  readonly timestamp?: unknown;
}

interface SpotTrade {
  readonly symbol?: unknown;
  readonly side?: unknown;
  readonly price?: unknown;
  readonly qty?: unknown;
  readonly trade_id?: unknown;
  readonly timestamp?: unknown;
}

function parseSpot(msg: SpotFrame, frame: string): FeedMessage[] {
  const channel = msg.channel;
  if (typeof channel === 'string') {
    switch (channel) {
      case 'book':
        return parseSpotBook(msg);
      case 'trade':
        return parseSpotTrades(msg);
      case 'heartbeat':
        return [HEARTBEAT];
      case 'status':
        return parseStatus(msg);
      default:
        return []; // ticker, ohlc, instrument, level3...: not asked for
    }
  }
  if (typeof msg.method === 'string') return parseMethod(msg.method, msg);
  throw new Error(`kraken: frame without "channel" or "method": ${preview(frame)}`);
}

/** `book` snapshot or update: one entry per symbol in `data`, each with its checksum (spec §5, §6). */
function parseSpotBook(msg: SpotFrame): FeedMessage[] {
  const kind = msg.type;
  if (kind !== 'snapshot' && kind !== 'update') throw new Error(`kraken: book of type ${JSON.stringify(kind)} (expected "snapshot" or "update")`);
  const data = msg.data;
  if (!Array.isArray(data)) throw new Error(`kraken: book ${kind} without a "data" array`);
  const out: FeedMessage[] = [];
  for (const entry of data as SpotBook[]) {
    if (typeof entry !== 'object' || entry === null) throw new Error(`kraken: book ${kind} with a data entry that is not an object`);
    const { symbol, checksum, timestamp } = entry;
    if (typeof symbol !== 'string') throw new Error(`kraken: book ${kind} without "symbol"`);
    if (!Array.isArray(entry.bids) || !Array.isArray(entry.asks)) throw new Error(`kraken: book ${kind} of ${symbol} without "bids"/"asks" arrays`);
    if (typeof checksum !== 'number') throw new Error(`kraken: book ${kind} of ${symbol} without "checksum"`);
    const bids = levels(entry.bids);
    const asks = levels(entry.asks);
    const time = typeof timestamp === 'string' ? isoToMicros(timestamp) : Number.NaN;
    if (kind === 'snapshot') {
      out.push(Number.isNaN(time) ? { kind: 'snapshot', symbol, bids, asks, check: checksum } : { kind: 'snapshot', symbol, bids, asks, time, check: checksum });
    } else {
      out.push(Number.isNaN(time) ? { kind: 'delta', symbol, bids, asks, check: checksum } : { kind: 'delta', symbol, bids, asks, time, check: checksum });
    }
  }
  return out;
}

/**
 * The levels as `[price, qty]` tuples. Kraken's key order (`price`, `qty`) came out of the rewrite
 * as tuples already; only a level in another key order is copied (its fields are texts by then).
 */
function levels(list: unknown[]): LevelUpdate[] {
  for (let i = 0; i < list.length; i++) {
    if (!Array.isArray(list[i])) return list.map(toTuple);
  }
  return list as LevelUpdate[];
}

function toTuple(level: unknown): LevelUpdate {
  if (Array.isArray(level)) return level as unknown as LevelUpdate;
  const { price, qty } = (level ?? {}) as { price?: unknown; qty?: unknown };
  if (typeof price !== 'string' || typeof qty !== 'string') throw new Error(`kraken: book level without "price" or "qty": ${JSON.stringify(level)}`);
  return [price, qty];
}

/** `trade`: a batch of fills; `side` is the taker side (spec §7). The snapshot of past trades is not live. */
function parseSpotTrades(msg: SpotFrame): TradeMessage[] {
  if (msg.type === 'snapshot') return [];
  const data = msg.data;
  if (!Array.isArray(data)) throw new Error('kraken: trade without a "data" array');
  const out: TradeMessage[] = [];
  for (const fill of data as SpotTrade[]) {
    const { symbol, side, price, qty, trade_id: id, timestamp } = fill ?? {};
    if (typeof symbol !== 'string' || typeof price !== 'string' || typeof qty !== 'string' || (typeof id !== 'number' && typeof id !== 'string') || typeof timestamp !== 'string') {
      throw new Error(`kraken: trade without "symbol", "price", "qty", "trade_id" or "timestamp": ${JSON.stringify(fill)}`);
    }
    if (side !== 'buy' && side !== 'sell') throw new Error(`kraken: trade ${String(id)} of ${symbol} with side ${JSON.stringify(side)}`);
    const time = isoToMicros(timestamp);
    if (Number.isNaN(time)) throw new Error(`kraken: trade ${String(id)} of ${symbol} with timestamp ${JSON.stringify(timestamp)}`);
    out.push({ kind: 'trade', symbol, id: String(id), side, price, size: qty, time });
  }
  return out;
}

/** `status`: `system` online (or cancel_only / post_only: books still flow) or maintenance (spec §3, §8). */
function parseStatus(msg: SpotFrame): FeedMessage[] {
  const data = msg.data;
  const first = Array.isArray(data) ? (data[0] as { system?: unknown } | undefined) : undefined;
  const system = first?.system;
  if (typeof system !== 'string') throw new Error('kraken: status without "data[0].system"');
  if (system === 'maintenance') return [{ kind: 'reconnect', reason: 'Kraken system status: maintenance' }];
  return [HEARTBEAT];
}

/** Answers to our requests: subscribe/unsubscribe acks and errors, pongs (spec §3, §8). */
function parseMethod(method: string, msg: SpotFrame): FeedMessage[] {
  if (method === 'pong') return [HEARTBEAT];
  if (method !== 'subscribe' && method !== 'unsubscribe') return [];
  const request = typeof msg.req_id === 'number' ? msg.req_id : undefined;
  if (msg.success === true) return [request === undefined ? { kind: 'ack' } : { kind: 'ack', request }];
  if (msg.success === false) {
    const message = typeof msg.error === 'string' && msg.error !== '' ? msg.error : `${method} failed`;
    const symbol = typeof msg.symbol === 'string' ? msg.symbol : typeof msg.result?.symbol === 'string' ? msg.result.symbol : undefined;
    return [{ kind: 'error', message, ...(request === undefined ? {} : { request }), ...(symbol === undefined ? {} : { symbol }) }];
  }
  throw new Error(`kraken: ${method} answer without "success"`);
}

// ---- Kraken Futures, ws/v1 ----------------------------------------------------------------------

interface FuturesFrame {
  readonly feed?: unknown;
  readonly event?: unknown;
  readonly product_id?: unknown;
  readonly product_ids?: unknown;
  readonly message?: unknown;
  readonly seq?: unknown;
  readonly timestamp?: unknown;
  readonly bids?: unknown;
  readonly asks?: unknown;
  readonly side?: unknown;
  readonly price?: unknown;
  readonly qty?: unknown;
  readonly uid?: unknown;
  readonly time?: unknown;
}

function parseFutures(msg: FuturesFrame, frame: string): FeedMessage[] {
  const feed = msg.feed;
  if (typeof msg.event === 'string') return parseEvent(msg.event, msg);
  if (typeof feed === 'string') {
    switch (feed) {
      case 'book':
        return [parseFuturesDelta(msg, undefined)];
      case 'book_snapshot':
        return [parseFuturesSnapshot(msg)];
      case 'trade':
        return [parseFuturesTrade(msg)];
      case 'heartbeat':
        return [HEARTBEAT];
      default:
        return []; // trade_snapshot (past trades, spec §7), ticker, ticker_lite...: nothing live to publish
    }
  }
  throw new Error(`kraken: futures frame without "feed" or "event": ${preview(frame)}`);
}

/** Product ids come back upper case (spec §2); instruments use the same spelling. */
function productOf(msg: FuturesFrame, what: string): string {
  const id = msg.product_id;
  if (typeof id !== 'string') throw new Error(`kraken: futures ${what} without "product_id"`);
  return id;
}

/** `book_snapshot`: the whole book and its `seq` (spec §4). */
function parseFuturesSnapshot(msg: FuturesFrame): FeedMessage {
  const symbol = productOf(msg, 'book_snapshot');
  const { seq, timestamp } = msg;
  if (!Array.isArray(msg.bids) || !Array.isArray(msg.asks)) throw new Error(`kraken: futures book_snapshot of ${symbol} without "bids"/"asks" arrays`);
  if (typeof seq !== 'number') throw new Error(`kraken: futures book_snapshot of ${symbol} without "seq"`);
  const bids = levels(msg.bids);
  const asks = levels(msg.asks);
  return typeof timestamp === 'number'
    ? { kind: 'snapshot', symbol, bids, asks, sequence: seq, time: millisToMicros(timestamp) }
    : { kind: 'snapshot', symbol, bids, asks, sequence: seq };
}

/** `book`: one level, absolute size, `seq` + 1 per product (spec §5, §6). */
function parseFuturesDelta(msg: FuturesFrame, raw: string | undefined): FeedMessage {
  const symbol = productOf(msg, 'book');
  const { seq, side, timestamp } = msg;
  // From the raw frame: the number token texts; from a rewritten one: the strings they became.
  const price = raw === undefined ? msg.price : typeof msg.price === 'number' ? tokenAfter(raw, '"price":') : undefined;
  const qty = raw === undefined ? msg.qty : typeof msg.qty === 'number' ? tokenAfter(raw, '"qty":') : undefined;
  if (typeof seq !== 'number') throw new Error(`kraken: futures book of ${symbol} without "seq"`);
  if (typeof price !== 'string' || typeof qty !== 'string') throw new Error(`kraken: futures book of ${symbol} without "price" or "qty"`);
  const level: LevelUpdate[] = [[price, qty]];
  const time = typeof timestamp === 'number' ? millisToMicros(timestamp) : undefined;
  if (side === 'buy') return time === undefined ? { kind: 'delta', symbol, bids: level, asks: [], last: seq } : { kind: 'delta', symbol, bids: level, asks: [], last: seq, time };
  if (side === 'sell') return time === undefined ? { kind: 'delta', symbol, bids: [], asks: level, last: seq } : { kind: 'delta', symbol, bids: [], asks: level, last: seq, time };
  throw new Error(`kraken: futures book of ${symbol} with side ${JSON.stringify(side)}`);
}

/** `trade`: one fill; `side` is the taker side, `uid` its id, `time` ms (spec §7). */
function parseFuturesTrade(msg: FuturesFrame): TradeMessage {
  const symbol = productOf(msg, 'trade');
  const { uid, side, price, qty, time } = msg;
  if (typeof uid !== 'string' || typeof price !== 'string' || typeof qty !== 'string' || typeof time !== 'number') {
    throw new Error(`kraken: futures trade of ${symbol} without "uid", "price", "qty" or "time"`);
  }
  if (side !== 'buy' && side !== 'sell') throw new Error(`kraken: futures trade ${uid} with side ${JSON.stringify(side)}`);
  return { kind: 'trade', symbol, id: uid, side, price, size: qty, time: millisToMicros(time) };
}

/** `event` frames: info, subscribe results, errors, alerts (spec §3). */
function parseEvent(event: string, msg: FuturesFrame): FeedMessage[] {
  switch (event) {
    case 'info':
      return [HEARTBEAT];
    case 'subscribed':
    case 'unsubscribed':
      return [{ kind: 'ack' }];
    case 'subscribed_failed': {
      // The refused products fail (and are retried); without products it is only logged.
      const ids = Array.isArray(msg.product_ids) ? msg.product_ids.filter((p): p is string => typeof p === 'string') : [];
      const message = `subscribe to ${String(msg.feed)} failed`;
      return ids.length === 0 ? [{ kind: 'error', message }] : ids.map((p) => ({ kind: 'error', message, symbol: p.toUpperCase() }));
    }
    case 'unsubscribed_failed':
      return [{ kind: 'error', message: `unsubscribe from ${String(msg.feed)} failed` }];
    case 'error':
    case 'alert':
      return [{ kind: 'error', message: typeof msg.message === 'string' && msg.message !== '' ? msg.message : event }];
    default:
      return [];
  }
}

/** The text of the JSON number right after `key` in `frame` (the first such key). */
function tokenAfter(frame: string, key: string): string | undefined {
  const at = frame.indexOf(key);
  if (at === -1) return undefined;
  const start = at + key.length;
  let end = start;
  for (; end < frame.length; end++) {
    const c = frame.charCodeAt(end);
    // digits . - + e E
    if (!((c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43 || c === 101 || c === 69)) break;
  }
  return end > start ? frame.slice(start, end) : undefined;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
}

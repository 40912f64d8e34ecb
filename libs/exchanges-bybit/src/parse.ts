import {
  millisToMicros,
  type FeedMessage,
  type HeartbeatMessage,
  type LevelUpdate,
  type MarketType,
  type TradeMessage,
} from '@level4/feed';

/**
 * Bybit V5 public frames -> feed messages. One format for spot, linear and inverse sockets (field
 * order differs between them, which a JSON parser does not care about), so `type` is not needed.
 */

/** The fields level4 reads from a frame; anything else the venue adds is ignored. */
interface Frame {
  readonly topic?: unknown;
  readonly type?: unknown;
  readonly ts?: unknown;
  readonly cts?: unknown;
  readonly data?: unknown;
  readonly op?: unknown;
  readonly success?: unknown;
  readonly ret_msg?: unknown;
  readonly req_id?: unknown;
}

interface BookData {
  readonly s?: unknown;
  readonly b?: unknown;
  readonly a?: unknown;
  readonly u?: unknown;
}

interface TradeData {
  readonly i?: unknown;
  readonly T?: unknown;
  readonly p?: unknown;
  readonly v?: unknown;
  readonly S?: unknown;
}

const HEARTBEAT: HeartbeatMessage = Object.freeze({ kind: 'heartbeat' });
const BOOK = 'orderbook.';
const TRADES = 'publicTrade.';

/** One frame's text -> messages. Throws an Error naming what is wrong with a frame it cannot read. */
export function parseFrame(frame: string, _type?: MarketType): FeedMessage[] {
  let msg: Frame;
  try {
    msg = JSON.parse(frame) as Frame;
  } catch {
    throw new Error(`bybit: frame is not JSON: ${preview(frame)}`);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    throw new Error(`bybit: frame is not a JSON object: ${preview(frame)}`);
  }
  const topic = msg.topic;
  if (typeof topic === 'string') {
    if (topic.startsWith(BOOK)) return parseBook(topic, msg);
    if (topic.startsWith(TRADES)) return parseTrades(topic, msg);
    return []; // tickers, klines, liquidations...: not asked for
  }
  if (typeof msg.op === 'string') return parseOp(msg.op, msg);
  throw new Error(`bybit: frame without "topic" or "op": ${preview(frame)}`);
}

/** `orderbook.<depth>.<symbol>`: the in-band snapshot and the deltas that follow it (spec §4a). */
function parseBook(topic: string, msg: Frame): FeedMessage[] {
  // Only numeric depths carry an in-band snapshot; `orderbook.full` (REST-synced) and
  // `orderbook.rpi` (3-element levels) are streams level4 does not subscribe.
  const digit = topic.charCodeAt(BOOK.length);
  if (!(digit >= 48 && digit <= 57)) return [];
  const data = msg.data as BookData | null | undefined;
  if (typeof data !== 'object' || data === null) throw new Error(`bybit: ${topic} without "data"`);
  const { s: symbol, b: bids, a: asks, u } = data;
  if (typeof symbol !== 'string') throw new Error(`bybit: ${topic} without "data.s"`);
  if (!Array.isArray(bids) || !Array.isArray(asks)) throw new Error(`bybit: ${topic} without "data.b"/"data.a" arrays`);
  if (typeof u !== 'number') throw new Error(`bybit: ${topic} without "data.u"`);
  // cts is the matching engine's time (it lines up with trade `T`); ts is only the push time.
  const ms = msg.cts ?? msg.ts;
  const time = typeof ms === 'number' ? millisToMicros(ms) : undefined;
  const kind = msg.type;
  // u = 1 on a delta means the service restarted and the message holds the whole book (§4a step 4).
  if (kind === 'snapshot' || (kind === 'delta' && u === 1)) {
    return [{ kind: 'snapshot', symbol, bids: bids as LevelUpdate[], asks: asks as LevelUpdate[], sequence: u, time }];
  }
  if (kind === 'delta') {
    return [{ kind: 'delta', symbol, bids: bids as LevelUpdate[], asks: asks as LevelUpdate[], last: u, time }];
  }
  throw new Error(`bybit: ${topic} of type ${JSON.stringify(kind)} (expected "snapshot" or "delta")`);
}

/** `publicTrade.<symbol>`: a batch of fills, oldest first; `S` is the taker's side (spec §7). */
function parseTrades(topic: string, msg: Frame): TradeMessage[] {
  const data = msg.data;
  if (!Array.isArray(data)) throw new Error(`bybit: ${topic} without a "data" array`);
  const symbol = topic.slice(TRADES.length);
  const out: TradeMessage[] = [];
  for (const fill of data as TradeData[]) {
    const { i: id, T: ms, p: price, v: size, S: taker } = fill;
    if (typeof id !== 'string' || typeof price !== 'string' || typeof size !== 'string' || typeof ms !== 'number') {
      throw new Error(`bybit: ${topic} fill without "i", "p", "v" or "T": ${JSON.stringify(fill)}`);
    }
    if (taker !== 'Buy' && taker !== 'Sell') throw new Error(`bybit: ${topic} fill ${id} with side ${JSON.stringify(taker)}`);
    out.push({ kind: 'trade', symbol, id, side: taker === 'Buy' ? 'buy' : 'sell', price, size, time: millisToMicros(ms) });
  }
  return out;
}

/** Answers to our requests: subscribe/unsubscribe acks and errors, pongs (spec §3, §8). */
function parseOp(op: string, msg: Frame): FeedMessage[] {
  // Pongs come as `op: "ping"` with `ret_msg: "pong"` (spot, linear, inverse) or as `op: "pong"`.
  if (op === 'ping' || op === 'pong') return [HEARTBEAT];
  if (op !== 'subscribe' && op !== 'unsubscribe') return [];
  const request = requestId(msg.req_id);
  if (msg.success === true) return [request === undefined ? { kind: 'ack' } : { kind: 'ack', request }];
  if (msg.success === false) {
    const message = typeof msg.ret_msg === 'string' && msg.ret_msg !== '' ? msg.ret_msg : `${op} failed`;
    return [request === undefined ? { kind: 'error', message } : { kind: 'error', message, request }];
  }
  throw new Error(`bybit: ${op} answer without "success"`);
}

/**
 * The id echoed in `req_id`. Bybit wants text, the engine numbers its requests: `"7"` comes back
 * as 7 so that it equals the number the engine passed to `subscribe`. Empty = none (the spot ack
 * may lack it, linear answers `""` to requests sent without one).
 */
function requestId(value: unknown): string | number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value === '') return undefined;
  return /^(0|[1-9]\d{0,14})$/.test(value) ? Number(value) : value;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
}

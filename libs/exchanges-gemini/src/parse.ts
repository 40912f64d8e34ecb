import {
  millisToMicros,
  nanosToMicros,
  type FeedMessage,
  type HeartbeatMessage,
  type LevelUpdate,
  type MarketType,
  type TradeMessage,
} from '@level4/feed';

/**
 * Gemini frames -> feed messages, one parser per API (spec §3, §4). Spot only, so `type` is not needed.
 */

/** The id of the keepalive ping: its answer is a heartbeat, not the answer to a subscribe. */
export const PING_ID = 'ping';

const HEARTBEAT: HeartbeatMessage = Object.freeze({ kind: 'heartbeat' });

// ---- WebSocket API (wss://ws.gemini.com), spec §3 ---------------------------------------------------

/** The fields level4 reads from a WebSocket API frame; anything else Gemini adds is ignored. */
interface WsFrame {
  readonly e?: unknown;
  readonly s?: unknown;
  readonly U?: unknown;
  readonly u?: unknown;
  readonly b?: unknown;
  readonly a?: unknown;
  readonly t?: unknown;
  readonly p?: unknown;
  readonly q?: unknown;
  readonly m?: unknown;
  readonly id?: unknown;
  readonly status?: unknown;
  readonly error?: unknown;
  readonly lastUpdateId?: unknown;
}

/** One WebSocket API frame's text -> messages. Throws an Error naming what is wrong with a frame it cannot read. */
export function parseFrame(frame: string, _type?: MarketType): FeedMessage[] {
  let msg: WsFrame;
  try {
    msg = JSON.parse(frame) as WsFrame;
  } catch {
    throw new Error(`gemini: frame is not JSON: ${preview(frame)}`);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new Error(`gemini: frame is not a JSON object: ${preview(frame)}`);
  const event = msg.e;
  if (event === 'depthUpdate') return parseDepth(frame, msg);
  if (typeof event === 'string') return []; // other events: not asked for
  if (msg.id !== undefined) return parseAnswer(msg);
  if (typeof msg.m === 'boolean') return [parseTrade(frame, msg)];
  // `depth` request answers and `@depthN` partial books (`lastUpdateId`), `@bookTicker` (`u` + text
  // `b`): streams level4 does not subscribe.
  if (msg.lastUpdateId !== undefined || (msg.u !== undefined && typeof msg.b === 'string')) return [];
  throw new Error(`gemini: frame without "e", "id" or "m": ${preview(frame)}`);
}

/**
 * `depthUpdate` (`{s}@depth@100ms`): changed levels, absolute sizes, `U..u` the update ids covered.
 * The first one after subscribe (socket opened with `?snapshot=-1`) is the whole book: the sync rule
 * `first-delta` makes it so. `E` is nanoseconds, beyond 2^53: read from the text, not the float.
 */
function parseDepth(frame: string, msg: WsFrame): FeedMessage[] {
  const { s: symbol, U: first, u: last, b: bids, a: asks } = msg;
  if (typeof symbol !== 'string') throw new Error('gemini: depthUpdate without "s"');
  if (typeof first !== 'number' || typeof last !== 'number') throw new Error(`gemini: depthUpdate ${symbol} without numeric "U"/"u"`);
  if (!Array.isArray(bids) || !Array.isArray(asks)) throw new Error(`gemini: depthUpdate ${symbol} without "b"/"a" arrays`);
  const ns = integerText(frame, '"E":');
  return [{ kind: 'delta', symbol, bids: bids as LevelUpdate[], asks: asks as LevelUpdate[], first, last, time: ns === undefined ? undefined : nanosToMicros(ns) }];
}

/** `{s}@trade`: one trade; `m` = the buyer is the maker, so `m: true` means the taker sold (spec §3.4). */
function parseTrade(frame: string, msg: WsFrame): TradeMessage {
  const { s: symbol, p: price, q: size, m: buyerMaker } = msg;
  if (typeof symbol !== 'string') throw new Error('gemini: trade without "s"');
  if (typeof price !== 'string' || typeof size !== 'string') throw new Error(`gemini: trade ${symbol} without text "p"/"q"`);
  const id = integerText(frame, '"t":');
  if (id === undefined || typeof msg.t !== 'number') throw new Error(`gemini: trade ${symbol} without numeric "t"`);
  const ns = integerText(frame, '"E":');
  if (ns === undefined) throw new Error(`gemini: trade ${symbol} without numeric "E"`);
  return { kind: 'trade', symbol, id, side: buyerMaker ? 'sell' : 'buy', price, size, time: nanosToMicros(ns) };
}

/** `{"id":1,"status":200,"result":..}` -> ack; `{"id":1,"status":400,"error":{"code":-1002,"msg":".."}}` -> error; the ping's answer -> heartbeat. */
function parseAnswer(msg: WsFrame): FeedMessage[] {
  const request = requestId(msg.id);
  if (request === PING_ID) return [HEARTBEAT];
  const error = msg.error;
  if (error === undefined && msg.status === 200) return [request === undefined ? { kind: 'ack' } : { kind: 'ack', request }];
  if (error === undefined && msg.status === undefined) throw new Error(`gemini: answer to request ${String(msg.id)} without "status"`);
  const detail = typeof error === 'object' && error !== null ? (error as { code?: unknown; msg?: unknown }) : {};
  const text = typeof detail.msg === 'string' && detail.msg !== '' ? detail.msg : typeof error === 'string' ? error : 'request failed';
  const code = detail.code === undefined ? '' : `, code ${String(detail.code)}`;
  const message = `${text} (status ${String(msg.status)}${code})`;
  return [request === undefined ? { kind: 'error', message } : { kind: 'error', message, request }];
}

/** The echoed `id`: digits come back as the number the engine passed to `subscribe`. */
function requestId(value: unknown): string | number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value === '') return undefined;
  return /^(0|[1-9]\d{0,14})$/.test(value) ? Number(value) : value;
}

/** The digits of an integer field exactly as written (`"E":1751508260659505382` -> its 19 digits). */
function integerText(frame: string, key: string): string | undefined {
  const at = frame.indexOf(key);
  if (at < 0) return undefined;
  let i = at + key.length;
  while (frame.charCodeAt(i) === 32) i++;
  let j = i;
  for (let c = frame.charCodeAt(j); c >= 48 && c <= 57; c = frame.charCodeAt(++j));
  return j > i ? frame.slice(i, j) : undefined;
}

// ---- Market Data v2 (wss://api.gemini.com/v2/marketdata), spec §4 ----------------------------------

interface V2Frame {
  readonly type?: unknown;
  readonly symbol?: unknown;
  readonly changes?: unknown;
  readonly trades?: unknown;
  readonly event_id?: unknown;
  readonly timestamp?: unknown;
  readonly price?: unknown;
  readonly quantity?: unknown;
  readonly side?: unknown;
  readonly result?: unknown;
  readonly reason?: unknown;
  readonly message?: unknown;
}

/** One Market Data v2 frame's text -> messages. Throws an Error naming what is wrong with a frame it cannot read. */
export function parseV2Frame(frame: string, _type?: MarketType): FeedMessage[] {
  let msg: V2Frame;
  try {
    msg = JSON.parse(frame) as V2Frame;
  } catch {
    throw new Error(`gemini: frame is not JSON: ${preview(frame)}`);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new Error(`gemini: frame is not a JSON object: ${preview(frame)}`);
  switch (msg.type) {
    case 'l2_updates':
      return [parseL2(msg)];
    case 'trade':
      return [parseV2Trade(msg)];
    case 'heartbeat':
      return [HEARTBEAT];
  }
  if (msg.result === 'error' || msg.type === 'error') {
    const parts = [msg.reason, msg.message].filter((x): x is string => typeof x === 'string' && x !== '');
    return [{ kind: 'error', message: parts.length > 0 ? parts.join(': ') : 'error' }];
  }
  if (typeof msg.type === 'string') return []; // candles, auction events: not asked for
  throw new Error(`gemini: v2 frame without "type": ${preview(frame)}`);
}

/**
 * `l2_updates`: `changes` = `[side, price, quantity]`, quantity absolute. The first one of a
 * subscription is the whole book and comes with the last trades (`trades`, history, not published)
 * and `auction_events`: it is a snapshot; later ones carry `changes` only and are deltas. v2 has no
 * sequence numbers and no time on book frames.
 */
function parseL2(msg: V2Frame): FeedMessage {
  const { symbol, changes } = msg;
  if (typeof symbol !== 'string') throw new Error('gemini: l2_updates without "symbol"');
  if (!Array.isArray(changes)) throw new Error(`gemini: l2_updates ${symbol} without a "changes" array`);
  const bids: LevelUpdate[] = [];
  const asks: LevelUpdate[] = [];
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i] as unknown[];
    if (!Array.isArray(change)) throw new Error(`gemini: l2_updates ${symbol} change ${i} is not an array`);
    const side = change[0];
    if (side === 'buy') bids.push([change[1] as string, change[2] as string]);
    else if (side === 'sell') asks.push([change[1] as string, change[2] as string]);
    else throw new Error(`gemini: l2_updates ${symbol} change with side ${JSON.stringify(side)}`);
  }
  return Array.isArray(msg.trades) ? { kind: 'snapshot', symbol, bids, asks } : { kind: 'delta', symbol, bids, asks };
}

/** `trade`: `side` is the taker's side (spec §4.5), `timestamp` ms, `event_id` the trade id. */
function parseV2Trade(msg: V2Frame): TradeMessage {
  const { symbol, event_id: id, timestamp, price, quantity: size, side } = msg;
  if (typeof symbol !== 'string') throw new Error('gemini: trade without "symbol"');
  if (typeof id !== 'number' || typeof timestamp !== 'number' || typeof price !== 'string' || typeof size !== 'string') {
    throw new Error(`gemini: trade ${symbol} without "event_id", "timestamp", "price" or "quantity"`);
  }
  if (side !== 'buy' && side !== 'sell') throw new Error(`gemini: trade ${symbol} ${id} with side ${JSON.stringify(side)}`);
  return { kind: 'trade', symbol, id: String(id), side, price, size, time: millisToMicros(timestamp) };
}

function preview(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
}

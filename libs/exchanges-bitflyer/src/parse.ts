import {
  isoToMicros,
  type FeedMessage,
  type LevelUpdate,
  type MarketType,
  type TradeMessage,
} from '@level4/feed';
import { JsonReader } from './json.js';

/**
 * bitFlyer Lightning realtime (JSON-RPC 2.0) frames -> feed messages. Spot only: the engine opens
 * bitFlyer sockets for `spot` alone, so `type` is not needed.
 *
 * Prices and sizes are JSON numbers on the wire; they are read by {@link JsonReader}, which keeps
 * each number's token text (`471156.0`, `0.02675395`), so nothing goes through a double.
 */

/** The fields level4 reads from a frame; anything else the venue adds is ignored. */
interface Frame {
  readonly jsonrpc?: unknown;
  readonly method?: unknown;
  readonly params?: { readonly channel?: unknown; readonly message?: unknown } | null;
  readonly id?: unknown;
  readonly result?: unknown;
  readonly error?: { readonly code?: unknown; readonly message?: unknown } | null;
}

interface Board {
  readonly mid_price?: unknown;
  readonly bids?: unknown;
  readonly asks?: unknown;
}

interface Execution {
  readonly id?: unknown;
  readonly side?: unknown;
  readonly price?: unknown;
  readonly size?: unknown;
  readonly exec_date?: unknown;
}

export const SNAPSHOT_CHANNEL = 'lightning_board_snapshot_';
export const BOARD_CHANNEL = 'lightning_board_';
export const EXECUTIONS_CHANNEL = 'lightning_executions_';

/** One frame's text -> messages. Throws an Error naming what is wrong with a frame it cannot read. */
export function parseFrame(frame: string, _type?: MarketType): FeedMessage[] {
  let msg: Frame | Frame[];
  try {
    msg = new JsonReader().read(frame) as Frame;
  } catch (error) {
    throw new Error(`bitflyer: frame is not JSON (${(error as Error).message}): ${preview(frame)}`);
  }
  if (Array.isArray(msg)) return parseBatchAnswer(msg, frame);
  if (typeof msg !== 'object' || msg === null) throw new Error(`bitflyer: frame is not a JSON object: ${preview(frame)}`);
  if (msg.method === 'channelMessage') return parseChannelMessage(msg);
  if (msg.result !== undefined || msg.error !== undefined) return [answer(msg)];
  if (typeof msg.method === 'string') return []; // another server notification: not asked for
  throw new Error(`bitflyer: frame without "method", "result" or "error": ${preview(frame)}`);
}

/** `channelMessage`: board snapshot, board diff or executions of one product (spec §3-§7). */
function parseChannelMessage(msg: Frame): FeedMessage[] {
  const params = msg.params;
  if (typeof params !== 'object' || params === null) throw new Error('bitflyer: channelMessage without "params"');
  const channel = params.channel;
  if (typeof channel !== 'string') throw new Error('bitflyer: channelMessage without "params.channel"');
  if (channel.startsWith(BOARD_CHANNEL)) {
    if (channel.startsWith(SNAPSHOT_CHANNEL)) return [board('snapshot', channel, channel.slice(SNAPSHOT_CHANNEL.length), params.message)];
    return [board('delta', channel, channel.slice(BOARD_CHANNEL.length), params.message)];
  }
  if (channel.startsWith(EXECUTIONS_CHANNEL)) return executions(channel, channel.slice(EXECUTIONS_CHANNEL.length), params.message);
  return []; // lightning_ticker_* and anything else: not subscribed by level4
}

/**
 * `{"mid_price":N,"bids":[{"price":N,"size":N}],"asks":[...]}`. Sizes are absolute, `size: 0`
 * removes the level, an empty array changes nothing on that side, `price: 0` entries (itayose
 * market orders) are no level and are dropped. `mid_price` is the check for `verify` (spec §5).
 */
function board(kind: 'snapshot' | 'delta', channel: string, symbol: string, message: unknown): FeedMessage {
  if (typeof message !== 'object' || message === null) throw new Error(`bitflyer: ${channel} without a "message" object`);
  const { mid_price: mid, bids, asks } = message as Board;
  if (!Array.isArray(bids) || !Array.isArray(asks)) throw new Error(`bitflyer: ${channel} without "bids"/"asks" arrays`);
  if (typeof mid !== 'string') throw new Error(`bitflyer: ${channel} without "mid_price"`);
  return { kind, symbol, bids: levels(channel, bids), asks: levels(channel, asks), check: mid };
}

/**
 * The reader gives `{"price":N,"size":N}` as `[price, size]` already: those pass as they are. A
 * level of another shape (extra fields, other key order) is read by name; a `price: 0` entry
 * drops out (the array is copied only then).
 */
function levels(channel: string, list: unknown[]): LevelUpdate[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < list.length; i++) {
    let level = list[i];
    if (!Array.isArray(level)) {
      const { price, size } = (level ?? {}) as { price?: unknown; size?: unknown };
      if (typeof price !== 'string' || typeof size !== 'string') {
        throw new Error(`bitflyer: ${channel} level without "price" or "size": ${JSON.stringify(level)}`);
      }
      level = [price, size];
      out ??= list.slice(0, i);
    } else if (typeof level[0] === 'string' && isZero(level[0])) {
      out ??= list.slice(0, i);
      continue;
    }
    out?.push(level);
  }
  return (out ?? list) as LevelUpdate[];
}

/** `0`, `0.0`, `-0`, `0e0`... (itayose entries carry price 0). */
function isZero(text: string): boolean {
  const c = text.charCodeAt(0);
  if (c !== 48 && c !== 45) return false;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (d === 101 || d === 69) return true; // the mantissa so far was all zeros
    if (d !== 48 && d !== 46 && d !== 45) return false;
  }
  return true;
}

/**
 * `message` is an array of executions, oldest first; `side` is the taker's side (`BUY` = the buy
 * order was the aggressor). Itayose executions have `side: ""`, which the contract cannot carry
 * (a trade is `buy` or `sell`): they are left out.
 */
function executions(channel: string, symbol: string, message: unknown): TradeMessage[] {
  if (!Array.isArray(message)) throw new Error(`bitflyer: ${channel} without a "message" array`);
  const out: TradeMessage[] = [];
  for (const fill of message as Execution[]) {
    const { id, side, price, size, exec_date: date } = (fill ?? {}) as Execution;
    if (typeof id !== 'string' || typeof price !== 'string' || typeof size !== 'string' || typeof date !== 'string') {
      throw new Error(`bitflyer: ${channel} execution without "id", "price", "size" or "exec_date": ${JSON.stringify(fill)}`);
    }
    const time = isoToMicros(date);
    if (Number.isNaN(time)) throw new Error(`bitflyer: ${channel} execution ${id} with exec_date ${JSON.stringify(date)}`);
    if (side === 'BUY') out.push({ kind: 'trade', symbol, id, side: 'buy', price, size, time });
    else if (side === 'SELL') out.push({ kind: 'trade', symbol, id, side: 'sell', price, size, time });
    else if (side !== '') throw new Error(`bitflyer: ${channel} execution ${id} with side ${JSON.stringify(side)}`);
  }
  return out;
}

/**
 * The answer to one of our requests: `{"jsonrpc":"2.0","id":7,"result":true}` -> ack 7;
 * an `error` object or `result: false` -> error 7 (spec §3: fatal for that channel).
 */
function answer(msg: Frame): FeedMessage {
  const request = requestId(msg.id);
  const error = msg.error;
  if (error !== undefined && error !== null) {
    const code = typeof error === 'object' && error.code !== undefined ? ` (code ${String(error.code)})` : '';
    const text = typeof error === 'object' && typeof error.message === 'string' && error.message !== '' ? error.message : 'request failed';
    const message = `${text}${code}`;
    return request === undefined ? { kind: 'error', message } : { kind: 'error', message, request };
  }
  if (msg.result === false) {
    const message = 'request refused (result false)';
    return request === undefined ? { kind: 'error', message } : { kind: 'error', message, request };
  }
  return request === undefined ? { kind: 'ack' } : { kind: 'ack', request };
}

/**
 * The answer to a batch (one market's channels in one frame): one ack when every request of it
 * succeeded, else its first error, so that a refused channel fails the market's request.
 */
function parseBatchAnswer(list: unknown[], frame: string): FeedMessage[] {
  let first: FeedMessage | undefined;
  for (const item of list) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new Error(`bitflyer: batch answer with a non-object entry: ${preview(frame)}`);
    const entry = item as Frame;
    if (entry.result === undefined && entry.error === undefined) throw new Error(`bitflyer: batch answer entry without "result" or "error": ${preview(frame)}`);
    const one = answer(entry);
    if (one.kind === 'error') return [one];
    first ??= one;
  }
  return first === undefined ? [] : [first];
}

/** The id echoed in an answer: the engine's request number (digits in text come back as a number). */
function requestId(value: unknown): string | number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return /^(0|[1-9]\d{0,14})$/.test(value) ? Number(value) : value;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
}

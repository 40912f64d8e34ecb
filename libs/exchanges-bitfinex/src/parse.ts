import {
  millisToMicros,
  type CheckMessage,
  type ConnectionSequenceMessage,
  type DeltaMessage,
  type FeedMessage,
  type HeartbeatMessage,
  type LevelUpdate,
  type MarketType,
  type SnapshotMessage,
  type TradeMessage,
} from '@level4/feed';

/**
 * Bitfinex WebSocket v2 frames -> feed messages (spec §3-§8). Spot and perpetuals share one format,
 * so `type` is not needed.
 *
 * Channel messages are arrays routed by the numeric channel id (`symbol: ''`, `channel: chanId`);
 * the subscribe ack binds the id to the symbol. With the SEQ_ALL flag every channel message ends
 * with the connection's sequence number: it comes first, as `connection-sequence`, so that the
 * engine sees a gap before it applies anything of the frame.
 *
 * Numbers: Bitfinex writes prices and amounts as JSON numbers in JavaScript's own formatting
 * (`0.0000011`, `7e-7`), so `String(value)` of the parsed number is the token exactly as written —
 * the text the checksum is computed over (spec §6 step 4). An amount's sign is its side; the size
 * passed on is the text without the `-`.
 */

const HEARTBEAT: HeartbeatMessage = Object.freeze({ kind: 'heartbeat' });
const NONE: readonly LevelUpdate[] = Object.freeze([]);

/** Info codes (spec §8). */
export const INFO_RESTART = 20051;
export const INFO_MAINTENANCE_START = 20060;
export const INFO_MAINTENANCE_END = 20061;

interface EventFrame {
  readonly event?: unknown;
  readonly code?: unknown;
  readonly msg?: unknown;
  readonly status?: unknown;
  readonly platform?: { readonly status?: unknown } | null;
  readonly channel?: unknown;
  readonly chanId?: unknown;
  readonly symbol?: unknown;
  readonly subId?: unknown;
}

/** One frame's text -> messages. Throws an Error naming what is wrong with a frame it cannot read. */
export function parseFrame(frame: string, _type?: MarketType): FeedMessage[] {
  let msg: unknown;
  try {
    msg = JSON.parse(frame);
  } catch {
    throw new Error(`bitfinex: frame is not JSON: ${preview(frame)}`);
  }
  if (Array.isArray(msg)) return parseChannel(msg, frame);
  if (typeof msg === 'object' && msg !== null) return parseEvent(msg as EventFrame, frame);
  throw new Error(`bitfinex: frame is neither an event object nor a channel array: ${preview(frame)}`);
}

function parseChannel(msg: unknown[], frame: string): FeedMessage[] {
  const channel = msg[0];
  if (typeof channel !== 'number') throw new Error(`bitfinex: channel message without a numeric channel id: ${preview(frame)}`);
  const body = msg[1];
  if (Array.isArray(body)) {
    const out: FeedMessage[] = [];
    sequence(msg[2], out);
    if (body.length === 0) {
      // An empty book (spec §4). An empty trades history looks the same; see the README.
      out.push({ kind: 'snapshot', symbol: '', channel, bids: NONE, asks: NONE } satisfies SnapshotMessage);
      return out;
    }
    const first = body[0];
    if (Array.isArray(first)) {
      // Book snapshot levels have 3 fields; trade history entries 4 (history: not published).
      if (first.length === 3) out.push(bookSnapshot(channel, body as unknown[][], frame));
      return out;
    }
    // A flat list of 3 numbers is one book level; tickers (10) and others are not asked for.
    if (body.length === 3) out.push(bookUpdate(channel, body, frame));
    return out;
  }
  if (typeof body !== 'string') throw new Error(`bitfinex: channel ${channel} message of unknown shape: ${preview(frame)}`);
  const out: FeedMessage[] = [];
  switch (body) {
    case 'hb':
      sequence(msg[2], out);
      out.push(HEARTBEAT);
      return out;
    case 'cs': {
      sequence(msg[3], out);
      const check = msg[2];
      if (typeof check !== 'number' || !Number.isInteger(check)) throw new Error(`bitfinex: channel ${channel} "cs" without an integer checksum: ${preview(frame)}`);
      out.push({ kind: 'check', symbol: '', channel, check } satisfies CheckMessage);
      return out;
    }
    case 'te':
      sequence(msg[3], out);
      out.push(trade(channel, msg[2], frame));
      return out;
    default:
      // `tu` repeats a `te` trade; funding `fte`/`ftu` and future kinds are not published.
      sequence(msg[3], out);
      return out;
  }
}

/** The SEQ_ALL number at the end of a channel message, when the flag is on. */
function sequence(value: unknown, out: FeedMessage[]): void {
  if (typeof value === 'number') out.push({ kind: 'connection-sequence', value } satisfies ConnectionSequenceMessage);
}

/** `[PRICE, COUNT, AMOUNT]` -> [price, size] on its side; COUNT 0 removes the level (spec §5). */
function level(entry: unknown[], frame: string): [bid: boolean, level: LevelUpdate] {
  const price = entry[0];
  const count = entry[1];
  const amount = entry[2];
  if (typeof price !== 'number' || typeof count !== 'number' || typeof amount !== 'number' || amount === 0) {
    throw new Error(`bitfinex: book level is not [PRICE, COUNT, AMOUNT] with a signed amount: ${preview(frame)}`);
  }
  const bid = amount > 0;
  if (count === 0) return [bid, [String(price), '0']];
  const text = String(amount);
  return [bid, [String(price), bid ? text : text.slice(1)]];
}

function bookUpdate(channel: number, entry: unknown[], frame: string): DeltaMessage {
  const [bid, update] = level(entry, frame);
  return bid
    ? { kind: 'delta', symbol: '', channel, bids: [update], asks: NONE }
    : { kind: 'delta', symbol: '', channel, bids: NONE, asks: [update] };
}

function bookSnapshot(channel: number, entries: unknown[][], frame: string): SnapshotMessage {
  const bids: LevelUpdate[] = [];
  const asks: LevelUpdate[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!Array.isArray(entry)) throw new Error(`bitfinex: book snapshot entry is not a level: ${preview(frame)}`);
    const [bid, update] = level(entry, frame);
    (bid ? bids : asks).push(update);
  }
  return { kind: 'snapshot', symbol: '', channel, bids, asks };
}

/** `[ID, MTS, AMOUNT, PRICE]`: AMOUNT > 0 = the taker bought (spec §7). */
function trade(channel: number, entry: unknown, frame: string): TradeMessage {
  if (!Array.isArray(entry)) throw new Error(`bitfinex: "te" without a trade array: ${preview(frame)}`);
  const id = entry[0];
  const mts = entry[1];
  const amount = entry[2];
  const price = entry[3];
  if (typeof id !== 'number' || typeof mts !== 'number' || typeof amount !== 'number' || typeof price !== 'number' || amount === 0) {
    throw new Error(`bitfinex: "te" trade is not [ID, MTS, AMOUNT, PRICE] with a signed amount: ${preview(frame)}`);
  }
  const buy = amount > 0;
  const text = String(amount);
  return { kind: 'trade', symbol: '', channel, id: String(id), side: buy ? 'buy' : 'sell', price: String(price), size: buy ? text : text.slice(1), time: millisToMicros(mts) };
}

/** `{"event":...}` frames: info codes, acks, errors, pongs (spec §3, §8). */
function parseEvent(msg: EventFrame, frame: string): FeedMessage[] {
  switch (msg.event) {
    case 'subscribed': {
      const { channel, chanId, symbol } = msg;
      if (typeof chanId !== 'number' || typeof symbol !== 'string') throw new Error(`bitfinex: "subscribed" without "chanId" or "symbol": ${preview(frame)}`);
      // Only book and trades channels carry markets; a ticker (say) stays unbound and its frames route nowhere.
      if (channel !== 'book' && channel !== 'trades') return [];
      const request = requestId(msg.subId);
      return [request === undefined ? { kind: 'ack', channel: chanId, symbol } : { kind: 'ack', request, channel: chanId, symbol }];
    }
    case 'info':
      return info(msg);
    case 'error': {
      const message = `${typeof msg.code === 'number' ? `${msg.code} ` : ''}${typeof msg.msg === 'string' ? msg.msg : 'error'}`;
      const request = requestId(msg.subId);
      const symbol = typeof msg.symbol === 'string' ? msg.symbol : undefined;
      return [{ kind: 'error', message, ...(request === undefined ? {} : { request }), ...(symbol === undefined ? {} : { symbol }) }];
    }
    case 'conf':
      return msg.status === 'OK' ? [] : [{ kind: 'error', message: `conf flags refused: ${preview(frame)}` }];
    case 'pong':
      return [HEARTBEAT];
    case undefined:
      throw new Error(`bitfinex: object frame without "event": ${preview(frame)}`);
    default:
      return []; // unsubscribed, auth, ...
  }
}

/**
 * Info codes: 20051 (server restarting) -> reconnect; 20061 (maintenance ended: resubscribe every
 * channel, rebuild every book) -> reconnect, which does exactly that; 20060 (maintenance started)
 * and a platform status 0 on connect -> `pause`: the markets leave `live` and wait, without
 * reconnecting, for 20061. Other codes and the version banner -> nothing.
 */
function info(msg: EventFrame): FeedMessage[] {
  const code = msg.code;
  const text = typeof msg.msg === 'string' ? `: ${msg.msg}` : '';
  if (code === INFO_RESTART) return [{ kind: 'reconnect', reason: `bitfinex info ${code} (server restarting)${text}` }];
  if (code === INFO_MAINTENANCE_END) return [{ kind: 'reconnect', reason: `bitfinex info ${code} (maintenance ended)${text}` }];
  if (code === INFO_MAINTENANCE_START) return [{ kind: 'pause', reason: `bitfinex info ${code} (maintenance started, no data until it ends)${text}` }];
  if (msg.platform?.status === 0) return [{ kind: 'pause', reason: 'bitfinex platform in maintenance (info platform.status 0)' }];
  return [];
}

/** The `subId` echoed in acks and errors: the engine's request number, sent as text. */
function requestId(value: unknown): string | number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value === '') return undefined;
  return /^(0|[1-9]\d{0,14})$/.test(value) ? Number(value) : value;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
}

import {
  millisToMicros,
  type FeedMessage,
  type HeartbeatMessage,
  type LevelUpdate,
  type MarketType,
  type TradeMessage,
} from '@level4/feed';

/**
 * HitBTC API v3 public frames -> feed messages. Spot and futures share one socket and one format
 * (spec §1, §3), so `type` is not needed.
 */

/** The fields level4 reads from a frame; anything else the venue adds is ignored. */
interface Frame {
  readonly ch?: unknown;
  readonly snapshot?: unknown;
  readonly update?: unknown;
  readonly result?: unknown;
  readonly error?: unknown;
  readonly id?: unknown;
}

interface BookData {
  readonly t?: unknown;
  readonly s?: unknown;
  readonly a?: unknown;
  readonly b?: unknown;
}

interface TradeData {
  readonly t?: unknown;
  readonly i?: unknown;
  readonly p?: unknown;
  readonly q?: unknown;
  readonly s?: unknown;
}

interface ErrorData {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly description?: unknown;
}

const HEARTBEAT: HeartbeatMessage = Object.freeze({ kind: 'heartbeat' });
export const BOOK_CHANNEL = 'orderbook/full';
export const TRADES_CHANNEL = 'trades';

/**
 * HitBTC's error code 503 "Service Unavailable": what its REST API answers during maintenance
 * (spec §8). On the socket it is read as "come back later": a `reconnect`, not a refused request.
 */
const SERVICE_UNAVAILABLE = 503;

/** One frame's text -> messages. Throws an Error naming what is wrong with a frame it cannot read. */
export function parseFrame(frame: string, _type?: MarketType): FeedMessage[] {
  let msg: Frame;
  try {
    msg = JSON.parse(frame) as Frame;
  } catch {
    throw new Error(`hitbtc: frame is not JSON: ${preview(frame)}`);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    throw new Error(`hitbtc: frame is not a JSON object: ${preview(frame)}`);
  }
  const ch = msg.ch;
  if (typeof ch === 'string') {
    if (ch === BOOK_CHANNEL) return parseBook(msg);
    if (ch === TRADES_CHANNEL) return parseTrades(msg);
    return []; // orderbook/D20/..., ticker/..., candles/...: not asked for
  }
  if (msg.error !== undefined) return parseError(msg.error, msg.id);
  if (msg.result !== undefined) return parseResult(msg.result, msg.id);
  throw new Error(`hitbtc: frame without "ch", "result" or "error": ${preview(frame)}`);
}

/**
 * `orderbook/full`: `snapshot` (the whole book) or `update` (absolute sizes, "0" removes), keyed by
 * symbol; `s` is the per-symbol sequence, +1 per update (spec §4–§6).
 */
function parseBook(msg: Frame): FeedMessage[] {
  const snapshot = msg.snapshot;
  const isSnapshot = snapshot !== undefined;
  const body = isSnapshot ? snapshot : msg.update;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Error(`hitbtc: ${BOOK_CHANNEL} without a "snapshot" or "update" object`);
  }
  const out: FeedMessage[] = [];
  for (const symbol in body) {
    const data = (body as Record<string, BookData | null | undefined>)[symbol];
    if (typeof data !== 'object' || data === null) throw new Error(`hitbtc: ${BOOK_CHANNEL} ${symbol} is not an object`);
    const { t, s, a: asks, b: bids } = data;
    if (typeof s !== 'number') throw new Error(`hitbtc: ${BOOK_CHANNEL} ${symbol} without sequence "s"`);
    if (!Array.isArray(bids) || !Array.isArray(asks)) throw new Error(`hitbtc: ${BOOK_CHANNEL} ${symbol} without "a"/"b" arrays`);
    const time = typeof t === 'number' ? millisToMicros(t) : undefined;
    out.push(
      isSnapshot
        ? { kind: 'snapshot', symbol, bids: bids as LevelUpdate[], asks: asks as LevelUpdate[], sequence: s, time }
        : { kind: 'delta', symbol, bids: bids as LevelUpdate[], asks: asks as LevelUpdate[], last: s, time },
    );
  }
  return out;
}

/**
 * `trades`: the `snapshot` after subscribe is history (level4 asks for `limit: 0` and publishes
 * none of it); each `update` holds new trades per symbol, oldest first; `s` is the taker side (§7).
 */
function parseTrades(msg: Frame): TradeMessage[] {
  if (msg.update === undefined) {
    const snapshot = msg.snapshot;
    if (typeof snapshot !== 'object' || snapshot === null || Array.isArray(snapshot)) {
      throw new Error(`hitbtc: ${TRADES_CHANNEL} without a "snapshot" or "update" object`);
    }
    return [];
  }
  const body = msg.update;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error(`hitbtc: ${TRADES_CHANNEL} "update" is not an object`);
  const out: TradeMessage[] = [];
  for (const symbol in body) {
    const fills = (body as Record<string, unknown>)[symbol];
    if (!Array.isArray(fills)) throw new Error(`hitbtc: ${TRADES_CHANNEL} ${symbol} is not an array`);
    for (const fill of fills as TradeData[]) {
      const { i: id, t: ms, p: price, q: size, s: taker } = fill;
      if (typeof id !== 'number' || typeof price !== 'string' || typeof size !== 'string' || typeof ms !== 'number') {
        throw new Error(`hitbtc: ${TRADES_CHANNEL} ${symbol} trade without "i", "p", "q" or "t": ${JSON.stringify(fill)}`);
      }
      if (taker !== 'buy' && taker !== 'sell') throw new Error(`hitbtc: ${TRADES_CHANNEL} ${symbol} trade ${id} with side ${JSON.stringify(taker)}`);
      out.push({ kind: 'trade', symbol, id: String(id), side: taker, price, size, time: millisToMicros(ms) });
    }
  }
  return out;
}

/**
 * Answers to our requests (spec §3, §8): `{"result":{"ch":..,"subscriptions":[..]},"id":1}` is a
 * subscribe/unsubscribe ack, `{"result":"pong","id":2}` the answer to an application ping.
 */
function parseResult(result: unknown, id: unknown): FeedMessage[] {
  if (result === 'pong') return [HEARTBEAT];
  const request = requestId(id);
  // The ack lists every symbol the channel now carries and leaves out unknown ones (spec §3).
  const listed = (result as { subscriptions?: unknown } | null)?.subscriptions;
  const symbols = Array.isArray(listed) && listed.every((s) => typeof s === 'string') ? (listed as string[]) : undefined;
  return [{ kind: 'ack', ...(request === undefined ? {} : { request }), ...(symbols === undefined ? {} : { symbols }) }];
}

/** `{"error":{"code":2003,"message":"Unknown channel","description":"..."},"id":5}`; the socket stays open. */
function parseError(error: unknown, id: unknown): FeedMessage[] {
  if (typeof error !== 'object' || error === null) throw new Error(`hitbtc: "error" is not an object: ${JSON.stringify(error)}`);
  const { code, message, description } = error as ErrorData;
  let text = typeof message === 'string' && message !== '' ? message : 'error';
  if (typeof code === 'number' || typeof code === 'string') text = `${code} ${text}`;
  if (typeof description === 'string' && description !== '') text = `${text}: ${description}`;
  if (code === SERVICE_UNAVAILABLE) return [{ kind: 'reconnect', reason: `hitbtc: ${text}` }];
  const request = requestId(id);
  return [request === undefined ? { kind: 'error', message: text } : { kind: 'error', message: text, request }];
}

/** The `id` echoed in an answer: the number the engine passed to `subscribe` (digit text read back as it). */
function requestId(value: unknown): string | number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value === '') return undefined;
  return /^(0|[1-9]\d{0,14})$/.test(value) ? Number(value) : value;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
}

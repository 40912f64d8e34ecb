import {
  millisToMicros,
  type FeedMessage,
  type Instrument,
  type LevelUpdate,
  type MarketType,
  type SnapshotMessage,
} from '@level4/feed';

/**
 * Binance frames -> feed messages. One function for all three markets: spot, USD-M and COIN-M
 * share their event shapes, and differ only in `pu` (futures chain deltas by it) and in which
 * trade stream is subscribed. Frames arrive wrapped (`{"stream":..,"data":..}`, combined streams)
 * or bare (raw streams); both are read.
 */

type Payload = Record<string, unknown>;

const NOTHING: readonly FeedMessage[] = [];

/** One frame from a socket of market `type` -> messages. Throws on a frame it cannot read. */
export function parseFrame(frame: string, type: MarketType): readonly FeedMessage[] {
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch {
    throw new Error(`binance: frame is not JSON: ${excerpt(frame)}`);
  }
  if (typeof json !== 'object' || json === null) throw new Error(`binance: frame is not an object: ${excerpt(frame)}`);
  // All-market streams (`!ticker@arr`, `!markPrice@arr`) are arrays; level4 never asks for them.
  if (Array.isArray(json)) return NOTHING;
  let payload = json as Payload;
  if (payload.stream !== undefined) {
    const data = payload.data;
    if (typeof data !== 'object' || data === null) throw new Error(`binance: combined-stream frame without "data" object: ${excerpt(frame)}`);
    if (Array.isArray(data)) return NOTHING;
    payload = data as Payload;
  }

  switch (payload.e) {
    case 'depthUpdate':
      return [depthUpdate(payload, type)];
    case 'trade':
      return [trade(payload, 't')];
    case 'aggTrade':
      return [trade(payload, 'a')];
    case 'bookTicker':
      return [bookTicker(payload)];
    case 'serverShutdown':
      return [{ kind: 'reconnect', reason: 'binance: serverShutdown (server going down)' }];
    case undefined:
      return control(payload, frame);
    default:
      // Klines, tickers, mark prices...: well-formed, not ours.
      if (typeof payload.e !== 'string') throw new Error(`binance: event type "e" is not text: ${excerpt(frame)}`);
      return NOTHING;
  }
}

/** Diff depth: `U`..`u` are the update ids it covers; futures also name the previous event's `u` in `pu`. */
function depthUpdate(p: Payload, type: MarketType): FeedMessage {
  const symbol = text(p, 's', 'depthUpdate');
  const bids = levels(p, 'b', 'depthUpdate');
  const asks = levels(p, 'a', 'depthUpdate');
  const first = int(p, 'U', 'depthUpdate');
  const last = int(p, 'u', 'depthUpdate');
  const time = millisToMicros(int(p, 'E', 'depthUpdate'));
  // Spot has no `pu` (its chain is U == previous u + 1); futures ids are shared venue-wide, so `pu` is the only link.
  if (type === 'spot') return { kind: 'delta', symbol, bids, asks, first, last, time };
  return { kind: 'delta', symbol, bids, asks, first, last, prev: int(p, 'pu', 'depthUpdate'), time };
}

/** `trade` (id `t`) and `aggTrade` (id `a`). `m` = the buyer was the maker, so the taker sold. */
function trade(p: Payload, idField: 't' | 'a'): FeedMessage {
  const event = idField === 't' ? 'trade' : 'aggTrade';
  const m = p.m;
  if (typeof m !== 'boolean') throw new Error(`binance: ${event} without boolean "m"`);
  return {
    kind: 'trade',
    symbol: text(p, 's', event),
    id: String(int(p, idField, event)),
    side: m ? 'sell' : 'buy',
    price: text(p, 'p', event),
    size: text(p, 'q', event),
    time: millisToMicros(int(p, 'T', event)),
  };
}

/** Best bid/ask; `u` is in the depth stream's id space (spot sends no `e`, futures `e: "bookTicker"`). */
function bookTicker(p: Payload): FeedMessage {
  const symbol = text(p, 's', 'bookTicker');
  const bid = [text(p, 'b', 'bookTicker'), text(p, 'B', 'bookTicker')] as const;
  const ask = [text(p, 'a', 'bookTicker'), text(p, 'A', 'bookTicker')] as const;
  const sequence = int(p, 'u', 'bookTicker');
  // Spot's bookTicker has no event time; futures' has `E`.
  if (p.E === undefined) return { kind: 'top', symbol, bid, ask, sequence };
  return { kind: 'top', symbol, bid, ask, sequence, time: millisToMicros(int(p, 'E', 'bookTicker')) };
}

/** Frames without `e`: answers to control frames, errors, and spot's bare bookTicker. */
function control(p: Payload, frame: string): readonly FeedMessage[] {
  if ('result' in p && 'id' in p) return [{ kind: 'ack', ...requestOf(p.id) }];
  const error = typeof p.error === 'object' && p.error !== null ? (p.error as Payload) : 'code' in p && 'msg' in p ? p : undefined;
  if (error !== undefined) {
    return [{ kind: 'error', message: `code ${String(error.code)}: ${String(error.msg)}`, ...requestOf(p.id) }];
  }
  if (typeof p.u === 'number' && typeof p.s === 'string' && 'b' in p && 'a' in p) return [bookTicker(p)];
  throw new Error(`binance: unrecognised frame (no "e", "result" or "code"): ${excerpt(frame)}`);
}

function requestOf(id: unknown): { request?: string | number } {
  return typeof id === 'number' || typeof id === 'string' ? { request: id } : {};
}

/**
 * REST depth body (`/api/v3/depth`, `/fapi/v1/depth`, `/dapi/v1/depth`) -> snapshot of `instrument`.
 * `lastUpdateId` is the book's sequence; futures bodies also carry `E`/`T` (ms).
 */
export function parseSnapshot(body: string, instrument: Instrument): SnapshotMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error(`binance: depth snapshot for ${instrument.symbol} is not JSON: ${excerpt(body)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`binance: depth snapshot for ${instrument.symbol} is not an object: ${excerpt(body)}`);
  }
  const p = json as Payload;
  if ('code' in p && 'msg' in p) throw new Error(`binance: depth snapshot for ${instrument.symbol} failed: code ${String(p.code)}: ${String(p.msg)}`);
  // COIN-M names the symbol: a body for another market must never replace this book.
  if (p.symbol !== undefined && p.symbol !== instrument.symbol) {
    throw new Error(`binance: depth snapshot for ${instrument.symbol} is for ${String(p.symbol)}`);
  }
  const what = `depth snapshot for ${instrument.symbol}`;
  const symbol = instrument.symbol;
  const bids = levels(p, 'bids', what);
  const asks = levels(p, 'asks', what);
  const sequence = int(p, 'lastUpdateId', what);
  // Futures bodies carry the event time `E` and the matching-engine time `T`; spot bodies neither.
  const ms = p.E ?? p.T;
  if (ms === undefined) return { kind: 'snapshot', symbol, bids, asks, sequence };
  return { kind: 'snapshot', symbol, bids, asks, sequence, time: millisToMicros(int(p, p.E === undefined ? 'T' : 'E', what)) };
}

function text(p: Payload, field: string, what: string): string {
  const v = p[field];
  if (typeof v !== 'string') throw new Error(`binance: ${what} without "${field}"`);
  return v;
}

function int(p: Payload, field: string, what: string): number {
  const v = p[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Error(`binance: ${what} without integer "${field}"`);
  return v;
}

/** The venue's `[[price, size], ...]` passed through as is: the order book rejects non-decimal text itself. */
function levels(p: Payload, field: string, what: string): readonly LevelUpdate[] {
  const v = p[field];
  if (!Array.isArray(v)) throw new Error(`binance: ${what} without "${field}" array`);
  return v as LevelUpdate[];
}

function excerpt(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

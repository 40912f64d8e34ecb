import {
  isoToMicros,
  type FeedMessage,
  type HeartbeatMessage,
  type LevelUpdate,
  type MarketType,
  type TopMessage,
  type TradeMessage,
} from '@level4/feed';

/**
 * BitMEX realtime frames -> feed messages. One socket and one format for every instrument type
 * (spec §1), so `type` is not needed. Rows are routed by their own `symbol` (spec §5).
 */

/** The fields level4 reads from a frame; anything else the venue adds is ignored. */
interface Frame {
  readonly table?: unknown;
  readonly action?: unknown;
  readonly data?: unknown;
  readonly filter?: { readonly symbol?: unknown } | null;
  readonly info?: unknown;
  readonly success?: unknown;
  readonly subscribe?: unknown;
  readonly unsubscribe?: unknown;
  readonly status?: unknown;
  readonly error?: unknown;
  readonly request?: { readonly op?: unknown; readonly args?: unknown } | null;
}

interface BookRow {
  readonly symbol?: unknown;
  readonly id?: unknown;
  readonly side?: unknown;
  readonly size?: unknown;
  readonly price?: unknown;
  readonly timestamp?: unknown;
}

interface TradeRow {
  readonly symbol?: unknown;
  readonly side?: unknown;
  readonly size?: unknown;
  readonly price?: unknown;
  readonly timestamp?: unknown;
  readonly trdMatchID?: unknown;
  readonly trdType?: unknown;
}

interface QuoteRow {
  readonly symbol?: unknown;
  readonly bidPrice?: unknown;
  readonly bidSize?: unknown;
  readonly askPrice?: unknown;
  readonly askSize?: unknown;
  readonly timestamp?: unknown;
}

const HEARTBEAT: HeartbeatMessage = Object.freeze({ kind: 'heartbeat' });

/** One frame's text -> messages. Throws an Error naming what is wrong with a frame it cannot read. */
export function parseFrame(frame: string, _type?: MarketType): FeedMessage[] {
  // The answer to the text `ping` keepalive (spec §8) is the bare text `pong`.
  if (frame === 'pong') return [HEARTBEAT];
  let msg: Frame;
  try {
    msg = JSON.parse(frame) as Frame;
  } catch {
    throw new Error(`bitmex: frame is not JSON: ${preview(frame)}`);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    throw new Error(`bitmex: frame is not a JSON object: ${preview(frame)}`);
  }
  const table = msg.table;
  if (typeof table === 'string') {
    if (table === 'orderBookL2') return parseBook(msg);
    if (table === 'trade') return parseTrades(msg);
    if (table === 'quote') return parseQuotes(msg);
    return []; // instrument, funding, orderBookL2_25, ...: not asked for
  }
  if (msg.success !== undefined) return parseAnswer(msg);
  if (msg.error !== undefined) return parseError(msg);
  // The welcome message on connect and other notices: the venue is there.
  if (msg.info !== undefined) return [HEARTBEAT];
  throw new Error(`bitmex: frame without "table", "success", "error" or "info": ${preview(frame)}`);
}

/**
 * `orderBookL2`: `partial` = the whole book of a symbol (spec §4), then `insert` / `update` /
 * `delete` rows keyed by id (spec §5). Every level carries its id as the third element: the engine
 * keeps the id -> price map (sync rule `levelIds`). Inserts and partials give the price; updates and
 * deletes are handed over with price `''` even when the row has one (current format), so that
 * the engine looks the id up and an update or delete for an id it does not know is an integrity
 * failure (a resync), in the legacy format (no price on those rows) and the current one alike.
 */
function parseBook(msg: Frame): FeedMessage[] {
  const action = msg.action;
  const rows = msg.data;
  if (!Array.isArray(rows)) throw new Error(`bitmex: orderBookL2 ${String(action)} without a "data" array`);
  let kind: 'snapshot' | 'delta';
  let mode: number;
  if (action === 'partial') {
    kind = 'snapshot';
    mode = PRICED;
  } else if (action === 'update') {
    kind = 'delta';
    mode = SIZED;
  } else if (action === 'insert') {
    kind = 'delta';
    mode = PRICED;
  } else if (action === 'delete') {
    kind = 'delta';
    mode = GONE;
  } else {
    throw new Error(`bitmex: orderBookL2 with action ${JSON.stringify(action)}`);
  }
  if (rows.length === 0) {
    // An empty partial is an empty book (a closed instrument); an empty delta changes nothing.
    const symbol = msg.filter?.symbol;
    if (kind === 'delta' || typeof symbol !== 'string') return [];
    return [{ kind, symbol, bids: [], asks: [] }];
  }
  const out: FeedMessage[] = [];
  let symbol: unknown = NONE;
  let bids: LevelUpdate[] = [];
  let asks: LevelUpdate[] = [];
  let stamp: unknown;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as BookRow | null;
    const s = row?.symbol;
    if (s !== symbol) {
      if (typeof s !== 'string') throw new Error(`bitmex: orderBookL2 ${action} row without "symbol": ${JSON.stringify(row)}`);
      if (symbol !== NONE) out.push(bookMessage(kind, symbol as string, bids, asks, stamp));
      symbol = s;
      bids = [];
      asks = [];
      stamp = undefined;
    }
    const r = row as BookRow;
    const id = r.id;
    if (typeof id !== 'number' && typeof id !== 'string') throw new Error(`bitmex: orderBookL2 ${action} row without "id": ${JSON.stringify(row)}`);
    const level: LevelUpdate = mode === PRICED ? [numberText(r.price), numberText(r.size), String(id)] : mode === SIZED ? ['', numberText(r.size), String(id)] : ['', '0', String(id)];
    const side = r.side;
    if (side === 'Buy') bids.push(level);
    else if (side === 'Sell') asks.push(level);
    else throw new Error(`bitmex: orderBookL2 ${action} row ${String(id)} with side ${JSON.stringify(side)}`);
    if (r.timestamp !== undefined) stamp = r.timestamp;
  }
  out.push(bookMessage(kind, symbol as string, bids, asks, stamp));
  return out;
}

/** No symbol seen yet (a row's `symbol` may be anything, `undefined` included). */
const NONE: unknown = Symbol('none');

/** Level shapes: [price, size, id], ['', size, id], ['', '0', id]. */
const PRICED = 0;
const SIZED = 1;
const GONE = 2;

function bookMessage(kind: 'snapshot' | 'delta', symbol: string, bids: LevelUpdate[], asks: LevelUpdate[], stamp: unknown): FeedMessage {
  // Rows carry the matching-engine time since 2022-02-14 (spec §5); legacy rows have none.
  if (stamp === undefined) return { kind, symbol, bids, asks };
  return { kind, symbol, bids, asks, time: timeOf(stamp, 'orderBookL2') };
}

/**
 * `trade`: `insert` rows are new fills, `side` the taker's (spec §7). The `partial` sent on
 * subscribe holds past trades: not new, not published. Prints that are not order-book matches
 * (`trdType` other than `Regular`: settlement, funding...) are left out.
 */
function parseTrades(msg: Frame): TradeMessage[] {
  const rows = msg.data;
  if (!Array.isArray(rows)) throw new Error(`bitmex: trade ${String(msg.action)} without a "data" array`);
  if (msg.action === 'partial') return [];
  if (msg.action !== 'insert') throw new Error(`bitmex: trade with action ${JSON.stringify(msg.action)}`);
  const out: TradeMessage[] = [];
  for (const row of rows as (TradeRow | null)[]) {
    const symbol = row?.symbol;
    const id = row?.trdMatchID;
    if (typeof symbol !== 'string' || typeof id !== 'string' || typeof row?.price !== 'number' || typeof row.size !== 'number') {
      throw new Error(`bitmex: trade row without "symbol", "trdMatchID", "price" or "size": ${JSON.stringify(row)}`);
    }
    if (row.trdType !== undefined && row.trdType !== 'Regular') continue;
    const taker = row.side;
    if (taker !== 'Buy' && taker !== 'Sell') throw new Error(`bitmex: trade ${id} with side ${JSON.stringify(taker)}`);
    out.push({ kind: 'trade', symbol, id, side: taker === 'Buy' ? 'buy' : 'sell', price: numberText(row.price), size: numberText(row.size), time: timeOf(row.timestamp, 'trade') });
  }
  return out;
}

/**
 * `quote`: BitMEX's own best bid and ask (spec §6). A message may hold several rows of one symbol,
 * oldest first: only the last one describes the book as it is after the frames before it, so
 * one `top` per symbol, from its last row. A side with no price (empty) is not compared.
 */
function parseQuotes(msg: Frame): TopMessage[] {
  const rows = msg.data;
  if (!Array.isArray(rows)) throw new Error(`bitmex: quote ${String(msg.action)} without a "data" array`);
  if (msg.action !== 'partial' && msg.action !== 'insert') return [];
  const out: TopMessage[] = [];
  const seen: string[] = [];
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i] as QuoteRow | null;
    const symbol = row?.symbol;
    if (typeof symbol !== 'string') throw new Error(`bitmex: quote row without "symbol": ${JSON.stringify(row)}`);
    if (seen.includes(symbol)) continue; // an older row of a symbol whose newer row is in `out`
    seen.push(symbol);
    const r = row as QuoteRow;
    const top: { -readonly [K in keyof TopMessage]: TopMessage[K] } = { kind: 'top', symbol, time: timeOf(r.timestamp, 'quote') };
    if (typeof r.bidPrice === 'number') top.bid = [numberText(r.bidPrice), numberText(r.bidSize)];
    if (typeof r.askPrice === 'number') top.ask = [numberText(r.askPrice), numberText(r.askSize)];
    out.push(top);
  }
  return out.reverse();
}

/** `{"success":true,"subscribe":"orderBookL2:XBTUSD","request":{...}}`: BitMEX echoes no request id. */
function parseAnswer(msg: Frame): FeedMessage[] {
  if (msg.success === true) return [{ kind: 'ack' }];
  return parseError(msg);
}

/**
 * `{"status":400,"error":"Unknown or expired symbol.","meta":{},"request":{"op":"subscribe","args":[...]}}`
 * (spec §3). A refused subscribe is an error for each symbol it named; a refused unsubscribe or an
 * error about no request is only reported. A 5xx status (BitMEX overloaded or going down for an
 * upgrade, spec §6) asks for a new connection.
 */
function parseError(msg: Frame): FeedMessage[] {
  const status = msg.status;
  const text = typeof msg.error === 'string' && msg.error !== '' ? msg.error : typeof msg.error === 'object' && msg.error !== null ? JSON.stringify(msg.error) : 'request failed';
  const message = typeof status === 'number' ? `${status} ${text}` : text;
  if (typeof status === 'number' && status >= 500) return [{ kind: 'reconnect', reason: message }];
  const request = msg.request;
  if (request?.op !== 'subscribe' || !Array.isArray(request.args)) return [{ kind: 'error', message }];
  const symbols = new Set<string>();
  for (const arg of request.args) {
    if (typeof arg !== 'string') continue;
    const colon = arg.indexOf(':');
    if (colon > 0) symbols.add(arg.slice(colon + 1));
  }
  if (symbols.size === 0) return [{ kind: 'error', message }];
  return [...symbols].map((symbol) => ({ kind: 'error', message, symbol }));
}

function timeOf(stamp: unknown, table: string): number {
  const time = typeof stamp === 'string' ? isoToMicros(stamp) : Number.NaN;
  if (Number.isNaN(time)) throw new Error(`bitmex: ${table} row with timestamp ${JSON.stringify(stamp)}`);
  return time;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
}
/**
 * BitMEX sends prices and sizes as JSON numbers (`"price":1.814e-05`, `"size":3000`). After
 * `JSON.parse` the original token is gone; what is left is the double nearest to it, and
 * `String(double)` is the shortest decimal that reads back as that double. For every token of at
 * most 15 significant digits (all BitMEX prices, tick sizes and integer contract sizes) that
 * decimal has the token's exact value: only its spelling may differ (`100.0` -> `100`,
 * `1.814e-05` -> `0.00001814`). BitMEX has no checksum over the text, so the value is all that
 * matters. Exponent forms are written out plainly so that the order book keeps them compact.
 */

/** A JSON number (or text) -> decimal text of the same value; anything else -> its String() (the book rejects it). */
export function numberText(value: unknown): string {
  if (typeof value === 'number' && value !== 0 && (value < 1e-6 ? value > -1e-6 : value >= 1e21)) return plain(String(value));
  return String(value);
}

/** `'1.814e-7'` -> `'0.0000001814'`, `'1e+21'` -> `'1000000000000000000000'`. */
function plain(text: string): string {
  const e = text.indexOf('e');
  if (e < 0) return text;
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const point = mantissa.indexOf('.');
  const digits = point < 0 ? mantissa : mantissa.slice(0, point) + mantissa.slice(point + 1);
  // Position of the decimal point after shifting: integer digits + exponent.
  const at = (point < 0 ? mantissa.length : point) + exponent;
  let out: string;
  if (at <= 0) out = `0.${'0'.repeat(-at)}${digits}`;
  else if (at >= digits.length) out = digits + '0'.repeat(at - digits.length);
  else out = `${digits.slice(0, at)}.${digits.slice(at)}`;
  return negative ? `-${out}` : out;
}

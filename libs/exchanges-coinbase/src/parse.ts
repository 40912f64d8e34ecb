import {
  isoToMicros,
  type ConnectionSequenceMessage,
  type FeedMessage,
  type HeartbeatMessage,
  type LevelUpdate,
  type MarketType,
  type TopMessage,
} from '@level4/feed';

/**
 * Coinbase Advanced Trade market-data frames -> feed messages (spec §3–§8). Every frame but an
 * error has the envelope `{channel, timestamp, sequence_num, events[]}`; `sequence_num` counts every
 * frame of the connection across all channels, so it comes first, as a `connection-sequence`.
 * Spot is the only market type, so `type` is not needed.
 */

/** The fields level4 reads from a frame; anything else the venue adds is ignored. */
interface Frame {
  readonly channel?: unknown;
  readonly type?: unknown;
  readonly message?: unknown;
  readonly reason?: unknown;
  readonly timestamp?: unknown;
  readonly sequence_num?: unknown;
  readonly events?: unknown;
}

interface BookEvent {
  readonly type?: unknown;
  readonly product_id?: unknown;
  readonly updates?: unknown;
}

interface Level {
  readonly side?: unknown;
  readonly price_level?: string;
  readonly new_quantity?: string;
}

interface TradeEvent {
  readonly type?: unknown;
  readonly trades?: unknown;
}

interface Trade {
  readonly trade_id?: unknown;
  readonly product_id?: unknown;
  readonly price?: unknown;
  readonly size?: unknown;
  readonly side?: unknown;
  readonly time?: unknown;
}

interface TickerEvent {
  readonly tickers?: unknown;
}

interface Ticker {
  readonly product_id?: unknown;
  readonly best_bid?: unknown;
  readonly best_bid_quantity?: unknown;
  readonly best_ask?: unknown;
  readonly best_ask_quantity?: unknown;
}

const HEARTBEAT: HeartbeatMessage = Object.freeze({ kind: 'heartbeat' });

/** One frame's text -> messages. Throws an Error naming what is wrong with a frame it cannot read. */
export function parseFrame(frame: string, _type?: MarketType): FeedMessage[] {
  let msg: Frame;
  try {
    msg = JSON.parse(frame) as Frame;
  } catch {
    throw new Error(`coinbase: frame is not JSON: ${preview(frame)}`);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    throw new Error(`coinbase: frame is not a JSON object: ${preview(frame)}`);
  }
  const channel = msg.channel;
  if (typeof channel !== 'string') {
    // `{"type":"error","message":"failure to subscribe"}`: no envelope, no sequence_num, no product.
    if (msg.type === 'error') return [{ kind: 'error', message: errorText(msg) }];
    throw new Error(`coinbase: frame without "channel": ${preview(frame)}`);
  }
  const sequence = msg.sequence_num;
  if (typeof sequence !== 'number' || !Number.isInteger(sequence)) throw new Error(`coinbase: ${channel} frame without an integer "sequence_num"`);
  const counter: ConnectionSequenceMessage = { kind: 'connection-sequence', value: sequence };
  const events = msg.events;
  if (!Array.isArray(events)) throw new Error(`coinbase: ${channel} frame without an "events" array`);
  switch (channel) {
    case 'l2_data':
      return parseBook(events as BookEvent[], counter, sequence, msg.timestamp);
    case 'market_trades':
      return parseTrades(events as TradeEvent[], counter);
    case 'ticker':
    case 'ticker_batch':
      return parseTickers(channel, events as TickerEvent[], counter, msg.timestamp);
    case 'heartbeats':
      return [counter, HEARTBEAT];
    case 'subscriptions':
      // Coinbase echoes no request id: the cumulative list of the connection's subscriptions.
      return [counter, { kind: 'ack' }];
    default:
      return [counter]; // candles, status, ...: not asked for, but they count on the connection
  }
}

/**
 * `l2_data`: a `snapshot` event (the whole book, both sides in one unsorted `updates` array) or
 * `update` events (absolute `new_quantity`, zero removes); `side` is `bid` or `offer`. Routed by
 * the event's own `product_id`. No per-product sequence: `last` is the frame's `sequence_num`.
 */
function parseBook(events: readonly BookEvent[], counter: ConnectionSequenceMessage, sequence: number, timestamp: unknown): FeedMessage[] {
  const out: FeedMessage[] = [counter];
  const time = envelopeTime('l2_data', timestamp);
  for (let e = 0; e < events.length; e++) {
    const event = events[e] as BookEvent;
    const { type, product_id: symbol, updates } = event;
    if (typeof symbol !== 'string') throw new Error('coinbase: l2_data event without "product_id"');
    if (!Array.isArray(updates)) throw new Error(`coinbase: l2_data event of ${symbol} without an "updates" array`);
    const bids: LevelUpdate[] = [];
    const asks: LevelUpdate[] = [];
    for (let i = 0; i < updates.length; i++) {
      const level = updates[i] as Level;
      const side = level.side;
      // Price and size text go to the book as sent; it rejects text that is not a decimal.
      if (side === 'bid') bids.push([level.price_level as string, level.new_quantity as string]);
      else if (side === 'offer') asks.push([level.price_level as string, level.new_quantity as string]);
      else throw new Error(`coinbase: l2_data level of ${symbol} with side ${JSON.stringify(side)}`);
    }
    if (type === 'snapshot') out.push({ kind: 'snapshot', symbol, bids, asks, sequence, time });
    else if (type === 'update') out.push({ kind: 'delta', symbol, bids, asks, last: sequence, time });
    else throw new Error(`coinbase: l2_data event of ${symbol} of type ${JSON.stringify(type)} (expected "snapshot" or "update")`);
  }
  return out;
}

/**
 * `market_trades`: `update` events carry new fills (several products possibly). The `snapshot`
 * event sent on subscribe holds recent historical trades: not new prints, so it gives nothing.
 * `side` is the MAKER's side (BUY prints at the best bid, SELL at the best ask in the 2026-08-09
 * recording), so the taker side is the opposite.
 */
function parseTrades(events: readonly TradeEvent[], counter: ConnectionSequenceMessage): FeedMessage[] {
  const out: FeedMessage[] = [counter];
  for (const event of events) {
    if (event.type !== 'update') continue;
    const trades = event.trades;
    if (!Array.isArray(trades)) throw new Error('coinbase: market_trades event without a "trades" array');
    for (const trade of trades as Trade[]) {
      const { trade_id: id, product_id: symbol, price, size, side, time } = trade;
      if (typeof id !== 'string' || typeof symbol !== 'string' || typeof price !== 'string' || typeof size !== 'string' || typeof time !== 'string') {
        throw new Error(`coinbase: market_trades trade without trade_id, product_id, price, size or time: ${JSON.stringify(trade)}`);
      }
      if (side !== 'BUY' && side !== 'SELL') throw new Error(`coinbase: market_trades trade ${id} with side ${JSON.stringify(side)}`);
      const micros = isoToMicros(time);
      if (Number.isNaN(micros)) throw new Error(`coinbase: market_trades trade ${id} with time ${JSON.stringify(time)}`);
      out.push({ kind: 'trade', symbol, id, side: side === 'BUY' ? 'sell' : 'buy', price, size, time: micros });
    }
  }
  return out;
}

/** `ticker`: the venue's best bid/ask per product, a separate stream from `l2_data` (no shared sequence). */
function parseTickers(channel: string, events: readonly TickerEvent[], counter: ConnectionSequenceMessage, timestamp: unknown): FeedMessage[] {
  const out: FeedMessage[] = [counter];
  const time = envelopeTime(channel, timestamp);
  for (const event of events) {
    const tickers = event.tickers;
    if (!Array.isArray(tickers)) throw new Error(`coinbase: ${channel} event without a "tickers" array`);
    for (const ticker of tickers as Ticker[]) {
      const { product_id: symbol, best_bid: bid, best_bid_quantity: bidSize, best_ask: ask, best_ask_quantity: askSize } = ticker;
      if (typeof symbol !== 'string') throw new Error(`coinbase: ${channel} ticker without "product_id"`);
      const top: { -readonly [K in keyof TopMessage]: TopMessage[K] } = { kind: 'top', symbol, time };
      if (typeof bid === 'string' && bid !== '' && typeof bidSize === 'string' && bidSize !== '') top.bid = [bid, bidSize];
      if (typeof ask === 'string' && ask !== '' && typeof askSize === 'string' && askSize !== '') top.ask = [ask, askSize];
      out.push(top);
    }
  }
  return out;
}

/** The envelope `timestamp` (RFC 3339, up to 9 fractional digits) in µs. */
function envelopeTime(channel: string, timestamp: unknown): number {
  const time = typeof timestamp === 'string' ? isoToMicros(timestamp) : Number.NaN;
  if (Number.isNaN(time)) throw new Error(`coinbase: ${channel} frame with timestamp ${JSON.stringify(timestamp)}`);
  return time;
}

function errorText(msg: Frame): string {
  const message = typeof msg.message === 'string' && msg.message !== '' ? msg.message : 'error';
  return typeof msg.reason === 'string' && msg.reason !== '' ? `${message}: ${msg.reason}` : message;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
}

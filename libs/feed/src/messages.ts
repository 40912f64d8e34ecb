/**
 * Feed messages: what an adapter's `parse(frame)` returns. One venue frame gives zero or more
 * messages. The engine does the rest (routing, sequencing, books, events), the same for every venue.
 *
 * Conventions:
 * - Prices and sizes are decimal text exactly as the venue wrote them (`'0.01000000'`); a venue
 *   that sends JSON numbers must hand over the number's original token text (checksums need it).
 * - Sizes are absolute (the new size of the level); zero in any spelling removes the level.
 * - Times are integer microseconds since the Unix epoch (see `./time.ts` for converters).
 * - Sequence values are the venue's own counters, as numbers (all venues stay below 2^53).
 */

/**
 * One price level: `[price, size]`, or `[price, size, id]` for venues whose levels have ids
 * (BitMEX). With an id, `price` may be `''` when the venue sent only the id; the engine then finds
 * the price from the id it saw in the snapshot or insert.
 */
export type LevelUpdate = readonly [price: string, size: string] | readonly [price: string, size: string, id: string];

/** Where a book message belongs: the venue symbol, or (venues that number channels) a channel id. */
export interface Routed {
  /** Venue symbol (`'BTCUSDT'`). Empty when the venue routes by `channel` instead. */
  readonly symbol: string;
  /** Channel id given by the venue in a subscribe ack (Bitfinex); see `AckMessage.channel`. */
  readonly channel?: string | number;
}

/** A full book: replaces everything the engine holds for the market. */
export interface SnapshotMessage extends Routed {
  readonly kind: 'snapshot';
  readonly bids: readonly LevelUpdate[];
  readonly asks: readonly LevelUpdate[];
  /** The venue's sequence value of this book (Binance `lastUpdateId`, Bybit `u`, Bitstamp microtimestamp). */
  readonly sequence?: number;
  readonly time?: number;
  /** Value for the adapter's `verify` (Kraken checksum), checked after the snapshot is applied. */
  readonly check?: number | string;
}

/** Changed levels. `first`/`last`/`prev` carry the sequence fields the adapter's sync rule uses. */
export interface DeltaMessage extends Routed {
  readonly kind: 'delta';
  readonly bids: readonly LevelUpdate[];
  readonly asks: readonly LevelUpdate[];
  /** First update id covered by this delta (Binance `U`). Defaults to `last`. */
  readonly first?: number;
  /** Last update id covered by this delta (Binance `u`, Bybit `u`, HitBTC `s`, Poloniex `id`). */
  readonly last?: number;
  /** The `last` of the delta before this one (Binance futures `pu`, Poloniex `lastId`). */
  readonly prev?: number;
  readonly time?: number;
  /** Value for the adapter's `verify`, checked after the delta is applied (Kraken checksum, bitFlyer mid). */
  readonly check?: number | string;
}

/** A trade (time and sales). `side` is the taker's side. */
export interface TradeMessage extends Routed {
  readonly kind: 'trade';
  readonly id: string;
  readonly side: 'buy' | 'sell';
  readonly price: string;
  readonly size: string;
  readonly time: number;
}

/**
 * The venue's own top of book (Binance `bookTicker`, BitMEX `quote`, Coinbase `ticker`). When its
 * `sequence` equals the book's, or the venue gives none, the engine compares it with the book.
 */
export interface TopMessage extends Routed {
  readonly kind: 'top';
  readonly bid?: readonly [price: string, size: string];
  readonly ask?: readonly [price: string, size: string];
  readonly sequence?: number;
  readonly time?: number;
}

/** A check value sent on its own (Bitfinex `cs`), verified against the book as it is now. */
export interface CheckMessage extends Routed {
  readonly kind: 'check';
  readonly check: number | string;
}

/** Proof of life (venue heartbeat, pong). */
export interface HeartbeatMessage {
  readonly kind: 'heartbeat';
}

/**
 * A subscribe/unsubscribe answer. `request` is the id the adapter put in the request frame.
 * Venues that number their channels bind `channel` to `symbol` here.
 */
export interface AckMessage {
  readonly kind: 'ack';
  readonly request?: string | number;
  readonly channel?: string | number;
  readonly symbol?: string;
  /**
   * The symbols the venue says it subscribed, when its ack lists them (HitBTC lists every symbol of
   * the channel and silently leaves out those it does not serve): a requested symbol missing here
   * was refused.
   */
  readonly symbols?: readonly string[];
}

/** An error the venue reported. With `request`, it concerns the markets of that request. */
export interface VenueErrorMessage {
  readonly kind: 'error';
  readonly message: string;
  readonly request?: string | number;
  readonly symbol?: string;
}

/**
 * The venue stops serving data for a while and asks clients to wait (Bitfinex info 20060,
 * maintenance): every market of the connection leaves `live` (Status `stale` with the reason) and
 * waits, without reconnecting, for the venue's next word (usually a `reconnect`).
 */
export interface PauseMessage {
  readonly kind: 'pause';
  readonly reason: string;
}

/** The venue asks clients to reconnect (Binance `serverShutdown`, Bitstamp `bts:request_reconnect`). */
export interface ReconnectMessage {
  readonly kind: 'reconnect';
  readonly reason: string;
}

/**
 * A per-connection sequence counter that spans all channels (Coinbase `sequence_num`, Bitfinex
 * SEQ_ALL). The engine expects +1 from one frame to the next; a jump means frames were lost, so
 * every market on the connection resyncs; a value at or below the last one is a duplicate.
 */
export interface ConnectionSequenceMessage {
  readonly kind: 'connection-sequence';
  readonly value: number;
}

export type FeedMessage =
  | SnapshotMessage
  | DeltaMessage
  | TradeMessage
  | TopMessage
  | CheckMessage
  | HeartbeatMessage
  | AckMessage
  | VenueErrorMessage
  | ReconnectMessage
  | PauseMessage
  | ConnectionSequenceMessage;

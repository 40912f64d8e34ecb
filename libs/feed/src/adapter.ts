import type { OrderBook } from '@level4/orderbook';
import type { FeedMessage, SnapshotMessage } from './messages.js';

/**
 * The adapter contract: everything level4 needs to know about one venue, as plain data and pure
 * functions. No sockets, no timers, no state: the engine owns all I/O and all bookkeeping, so the
 * same engine runs every venue and an adapter can be tested frame by frame.
 */

/** `futures` = linear (USD(T)-margined) contracts; `inverse` = coin-margined contracts. */
export type MarketType = 'spot' | 'futures' | 'inverse';
export const MARKET_TYPES: readonly MarketType[] = ['spot', 'futures', 'inverse'];

/** What an operator asks for: a venue market, by base and quote, or by the venue's own symbol. */
export interface MarketSpec {
  readonly venue: string;
  readonly type: MarketType;
  readonly base: string;
  readonly quote: string;
  /** The venue symbol, for markets base/quote cannot single out (dated contracts). */
  readonly symbol?: string;
}

/** One tradable instrument from the venue's instrument list. */
export interface Instrument {
  readonly venue: string;
  readonly type: MarketType;
  /** The venue's symbol, exactly as used in its frames (`'BTCUSDT'`, `'BTC-USD'`, `'tBTCUSD'`). */
  readonly symbol: string;
  /** Normalized asset codes, upper case (`'BTC'`, `'USDT'`). */
  readonly base: string;
  readonly quote: string;
  /** Price increment, decimal text. */
  readonly tickSize: string;
  /** Contracts: what one unit of size is (`'100'` USD for Binance COIN-M BTC). Absent for spot. */
  readonly contractSize?: string;
  /** Dated contracts: delivery time, ms since epoch. Absent for spot and perpetuals. */
  readonly expiry?: number;
  /** Whether the venue's status lets the market trade (only such markets are subscribed). */
  readonly trading: boolean;
  /** The venue's own status text (`'TRADING'`, `'Trading'`, `'online'`). */
  readonly status: string;
}

/** One page of an instrument list; `next` is the cursor of the next page, if any. */
export interface InstrumentPage {
  readonly instruments: readonly Instrument[];
  readonly next?: string;
}

/** What a connection carries for each of its markets. */
export type Channel = 'book' | 'trades';

/** A WebSocket endpoint for one market type. */
export interface Endpoint {
  readonly url: string;
  /** The channels subscribed on this endpoint (Binance USD-M: book on `/public`, trades on `/market`). */
  readonly channels: readonly Channel[];
}

/**
 * How a delta must chain onto the book:
 * - `none`: no sequence (integrity from checksums, crossed-book checks, periodic snapshots).
 * - `next`: each delta covers ids `first..last`; the next one must start at `last + 1`. After a
 *   REST snapshot with id S, deltas with `last <= S` are dropped and the first applied one must
 *   straddle it: `first <= S + 1 <= last` (Binance spot, Bybit, HitBTC, Kraken Futures, Gemini).
 * - `previous`: each delta names the delta before it in `prev`, which must equal the book's
 *   `last`. After a REST snapshot S, deltas with `last < S` are dropped and the first applied one
 *   must contain it: `first <= S <= last` (Binance USD-M/COIN-M `pu`, Poloniex `lastId`).
 * - `time`: the snapshot's `sequence` is a timestamp; deltas with `last <= S` are in it, the rest
 *   apply in order; the oldest buffered delta must be at or before S, else the snapshot may miss
 *   changes and is fetched again (Bitstamp microtimestamps).
 */
export type SequenceRule = 'none' | 'next' | 'previous' | 'time';

/** How a market's book is obtained and kept in sync. */
export interface SyncRule {
  /**
   * - `message`: the venue sends a snapshot message on the socket after subscribe, and may send
   *   more later; each one replaces the book (Bybit, Kraken, BitMEX, bitFlyer's periodic ones).
   *   Resync = unsubscribe + subscribe (or reconnect if the venue has no unsubscribe).
   * - `rest`: deltas are buffered while `snapshotUrl` is fetched (Binance, Bitstamp).
   * - `first-delta`: the first delta after subscribe holds the whole book (Gemini `snapshot=-1`).
   */
  readonly snapshot: 'message' | 'rest' | 'first-delta';
  readonly sequence: SequenceRule;
  /** The venue keeps only the best N levels per side; the engine trims to N after every message. */
  readonly depth?: number;
  /** Levels carry ids (BitMEX): an update for an unknown id is an integrity failure. */
  readonly levelIds?: boolean;
}

/** Application-level keepalive, for venues that need more than WebSocket pings. */
export interface Keepalive {
  readonly intervalMs: number;
  /**
   * The application ping frame to send. Without it a WebSocket ping frame is sent every
   * `intervalMs`, busy or not (Kraken Futures drops a client that has not pinged for 60 s).
   */
  frame?(): string;
}

/** Venue limits the engine respects when it packs markets onto connections. */
export interface VenueLimits {
  /** Markets one connection may carry. */
  readonly marketsPerConnection: number;
  /** Markets per subscribe frame. */
  readonly marketsPerRequest: number;
  /** Client frames per second per connection (subscribes, pings). */
  readonly framesPerSecond: number;
}

export interface VenueAdapter {
  /** Lower-case venue name (`'binance'`). */
  readonly venue: string;
  readonly marketTypes: readonly MarketType[];
  /** Every base URL the adapter uses, by name; overridable at creation (tests point them at a replay server). */
  readonly urls: Readonly<Record<string, string>>;
  readonly limits: VenueLimits;
  /** Silence (no frame at all) after which a connection is declared stale and reopened. */
  readonly livenessMs: number;
  readonly keepalive?: Keepalive;
  /** The venue closes every connection after this long (Binance: 24 h); the engine reconnects shortly before. */
  readonly maxConnectionMs?: number;

  /** URL of the instrument list (page `cursor`, when the list is paginated). */
  instrumentsUrl(type: MarketType, cursor?: string): string;
  /** Instrument list body -> instruments. Throws on a body it cannot read. */
  parseInstruments(type: MarketType, body: string): InstrumentPage;

  endpoints(type: MarketType): readonly Endpoint[];
  /**
   * Frames sent once each time a connection opens, before any subscribe: settings of the
   * connection itself (Bitfinex's `conf` flags for sequence numbers and checksums, Coinbase's
   * `heartbeats` channel, which must be subscribed once per connection).
   */
  openFrames?(endpoint: Endpoint): readonly string[];
  /** Frames that subscribe these instruments to the endpoint's channels; `request` is the id to echo. */
  subscribe(endpoint: Endpoint, instruments: readonly Instrument[], request: number): readonly string[];
  /**
   * Frames that unsubscribe these instruments. `channels`: the channel ids the venue bound to them
   * on this connection (in its subscribe acks), for venues that unsubscribe by channel id (Bitfinex).
   * No frames = the venue cannot unsubscribe them: the engine reconnects instead.
   */
  unsubscribe(endpoint: Endpoint, instruments: readonly Instrument[], request: number, channels?: readonly (string | number)[]): readonly string[];

  /** One frame from a socket of this market type -> messages. Throws on a frame it cannot read. */
  parse(frame: string, type: MarketType): readonly FeedMessage[];

  sync(type: MarketType): SyncRule;
  /** REST snapshot URL, for `snapshot: 'rest'`. */
  snapshotUrl?(instrument: Instrument): string;
  /** REST snapshot body -> snapshot, for `snapshot: 'rest'`. Throws on a body it cannot read. */
  parseSnapshot?(body: string, instrument: Instrument): SnapshotMessage;
  /**
   * Checks the book against a venue check value (`check` on a message): Kraken's and Bitfinex's
   * checksums over the venue's original text, bitFlyer's rounded mid. `false` = the book is wrong.
   */
  verify?(book: OrderBook, check: number | string, instrument: Instrument): boolean;
}

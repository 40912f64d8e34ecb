import type { MarketType } from './adapter.js';

/** The lifecycle of one market's feed, as published on the status topic. */
export type FeedState = 'starting' | 'syncing' | 'live' | 'resyncing' | 'stale' | 'stopped' | 'failed';

/** Which market an event is about. `marketId` is the operator's numeric id (the Kafka partition). */
export interface MarketRef {
  readonly marketId: number;
  readonly venue: string;
  readonly marketType: MarketType;
  readonly symbol: string;
}

/**
 * The best bid or best ask changed (price or size). Only emitted while the book is live. A side
 * with no level has null price and size, and then the mid is null too.
 */
export interface SpreadEvent extends MarketRef {
  readonly kind: 'spread';
  readonly bidPrice: string | null;
  readonly bidSize: string | null;
  readonly askPrice: string | null;
  readonly askSize: string | null;
  /** Exact mid of bid and ask (`midPrice`), never rounded. */
  readonly midPrice: string | null;
  /** Venue time of the change, µs since epoch (receive time when the venue gives none). */
  readonly exchangeTime: number;
  /** When the frame arrived, µs since epoch. */
  readonly receiveTime: number;
  /** Per market, +1 per spread event, from 1. */
  readonly sequence: number;
}

export interface TradeEvent extends MarketRef {
  readonly kind: 'trade';
  readonly tradeId: string;
  /** The taker's side. */
  readonly side: 'buy' | 'sell';
  readonly price: string;
  readonly size: string;
  readonly exchangeTime: number;
  readonly receiveTime: number;
  /** Per market, +1 per trade event, from 1. */
  readonly sequence: number;
}

export interface StatusEvent extends MarketRef {
  readonly kind: 'status';
  readonly state: FeedState;
  /** Why (empty for plain progress like starting -> syncing). */
  readonly reason: string;
  /** The node hosting the feed (empty when the engine runs outside a node). */
  readonly node: string;
  /**
   * The owner epoch the host gave the feed when it started it (0 outside a cluster). When a market
   * moves between nodes the new owner's epoch is higher: a consumer keeps the highest.
   */
  readonly epoch: number;
  readonly time: number;
  /** Per market, +1 per status event, from 1. */
  readonly sequence: number;
}

export type FeedEvent = SpreadEvent | TradeEvent | StatusEvent;

/** Per-market counters, for metrics. */
export interface FeedCounters {
  /** Frames routed to this market's messages. */
  messages: number;
  deltas: number;
  snapshots: number;
  trades: number;
  spreads: number;
  gaps: number;
  checksumFailures: number;
  crossedBooks: number;
  /** Venue top-of-book messages compared with the book, and how many disagreed. */
  topChecks: number;
  topMismatches: number;
  resyncs: number;
  reconnects: number;
  malformedFrames: number;
  venueErrors: number;
  /** Deltas dropped because the pre-snapshot buffer was full (the market then resyncs). */
  bufferOverflows: number;
}

export function emptyCounters(): FeedCounters {
  return {
    messages: 0,
    deltas: 0,
    snapshots: 0,
    trades: 0,
    spreads: 0,
    gaps: 0,
    checksumFailures: 0,
    crossedBooks: 0,
    topChecks: 0,
    topMismatches: 0,
    resyncs: 0,
    reconnects: 0,
    malformedFrames: 0,
    venueErrors: 0,
    bufferOverflows: 0,
  };
}

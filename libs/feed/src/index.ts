export {
  MARKET_TYPES,
  type Channel,
  type Endpoint,
  type Instrument,
  type InstrumentPage,
  type Keepalive,
  type MarketSpec,
  type MarketType,
  type SequenceRule,
  type SyncRule,
  type VenueAdapter,
  type VenueLimits,
} from './adapter.js';
export type {
  AckMessage,
  CheckMessage,
  ConnectionSequenceMessage,
  DeltaMessage,
  FeedMessage,
  HeartbeatMessage,
  LevelUpdate,
  PauseMessage,
  ReconnectMessage,
  Routed,
  SnapshotMessage,
  TopMessage,
  TradeMessage,
  VenueErrorMessage,
} from './messages.js';
export {
  emptyCounters,
  type FeedCounters,
  type FeedEvent,
  type FeedState,
  type MarketRef,
  type SpreadEvent,
  type StatusEvent,
  type TradeEvent,
} from './events.js';
export { MarketError, resolveInstrument } from './instrument.js';
export { isoToMicros, millisToMicros, nanosToMicros, nowMicros } from './time.js';
export { DEFAULT_TIMING, FeedEngine, FeedError, type EngineTiming, type FeedEngineOptions, type FeedErrorCode, type FeedInfo, type FeedSpec } from './engine.js';
export { MarketSync, type MarketMessage, type MarketSyncHooks, type MarketSyncOptions, type SnapshotOutcome } from './market-sync.js';
export { Backoff } from './backoff.js';
export { getText, HttpError, type GetOptions } from './http.js';
export { silentLogger, stderrLogger, type FeedLogger } from './logger.js';

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

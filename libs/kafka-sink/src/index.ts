export { encodeEvent, SCHEMA, toPbFeedState, toPbMarketType, type EncodedValue, type Encoding } from './encode.js';
export { DEFAULT_TOPICS, KafkaSink, PlacementError, type Compression, type EventKind, type KafkaSinkOptions, type SinkBatch, type SinkStats, type Topics } from './sink.js';

export { CaptureWriter, formatCaptureLine, parseCapture, readCapture, type CaptureLine } from './capture.js';
export { capturesDir } from './captures-dir.js';
export { record, type RecordOptions } from './recorder.js';
export { startReplay, type Fault, type FramePick, type ReplayOptions, type ReplayServer } from './replay-server.js';
export { localUrls, replayFeeds, type ReplayedFeeds, type ReplayFeedsOptions } from './replay-feeds.js';
export {
  afterLive,
  collectingLogger,
  spreadsOf,
  statusStory,
  tradesOf,
  unsoundSpreads,
  type LogLine,
  type UnsoundSpread,
  type UnsoundSpreadsOptions,
} from './feed-checks.js';

export { CaptureWriter, formatCaptureLine, parseCapture, readCapture, type CaptureLine } from './capture.js';
export { CaptureScript, type CaptureScriptOptions } from './capture-script.js';
export { capturesDir } from './captures-dir.js';
export { ladder, priceText, sizeOf, type TestPrices } from './test-book.js';
export { record, type RecordOptions } from './recorder.js';
export { startReplay, type Fault, type FramePick, type ReplayOptions, type ReplayServer } from './replay-server.js';
export { localUrls, replayFeeds, type ReplayedFeeds, type ReplayFeedsOptions } from './replay-feeds.js';
export { bookSide, clientFrames, replayRunner, type ReplayRun, type ReplayRunner, type ReplayRunnerOptions } from './replay-runner.js';
export {
  afterLive,
  collectingLogger,
  spreadsOf,
  states,
  statusStory,
  tradesOf,
  unsoundSpreads,
  type LogLine,
  type UnsoundSpread,
  type UnsoundSpreadsOptions,
} from './feed-checks.js';

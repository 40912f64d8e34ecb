import type { FeedEvent, FeedState, MarketType, SpreadEvent, StatusEvent, TradeEvent } from '@level4/feed';
import { FeedState as PbFeedState, MarketType as PbMarketType, Side, Spread, Status, Trade } from '@level4/rpc';

export type Encoding = 'json' | 'protobuf';

/** The headers a record carries, so that a consumer can decode it without configuration. */
export interface EncodedValue {
  readonly value: Buffer;
  readonly contentType: string;
  /** The protobuf message name of the payload (JSON values have the same fields, camelCase). */
  readonly schema: string;
}

const PB_MARKET_TYPE: Record<MarketType, PbMarketType> = {
  spot: PbMarketType.MARKET_TYPE_SPOT,
  futures: PbMarketType.MARKET_TYPE_FUTURES,
  inverse: PbMarketType.MARKET_TYPE_INVERSE,
};

const PB_STATE: Record<FeedState, PbFeedState> = {
  starting: PbFeedState.FEED_STATE_STARTING,
  syncing: PbFeedState.FEED_STATE_SYNCING,
  live: PbFeedState.FEED_STATE_LIVE,
  resyncing: PbFeedState.FEED_STATE_RESYNCING,
  stale: PbFeedState.FEED_STATE_STALE,
  stopped: PbFeedState.FEED_STATE_STOPPED,
  failed: PbFeedState.FEED_STATE_FAILED,
};

export const toPbMarketType = (type: MarketType): PbMarketType => PB_MARKET_TYPE[type];
export const toPbFeedState = (state: FeedState): PbFeedState => PB_STATE[state];

export const SCHEMA = { spread: 'level4.v1.Spread', trade: 'level4.v1.Trade', status: 'level4.v1.Status' } as const;

/** JSON: the event's fields without `kind` (the topic says it); an empty side is null. */
function json(event: FeedEvent): Buffer {
  const { kind: _kind, ...fields } = event;
  return Buffer.from(JSON.stringify(fields));
}

function spreadPb(e: SpreadEvent): Uint8Array {
  return Spread.encode({
    marketId: e.marketId,
    venue: e.venue,
    marketType: PB_MARKET_TYPE[e.marketType],
    symbol: e.symbol,
    bidPrice: e.bidPrice ?? '',
    bidSize: e.bidSize ?? '',
    askPrice: e.askPrice ?? '',
    askSize: e.askSize ?? '',
    midPrice: e.midPrice ?? '',
    exchangeTimeUs: e.exchangeTime,
    receiveTimeUs: e.receiveTime,
    sequence: e.sequence,
  }).finish();
}

function tradePb(e: TradeEvent): Uint8Array {
  return Trade.encode({
    marketId: e.marketId,
    venue: e.venue,
    marketType: PB_MARKET_TYPE[e.marketType],
    symbol: e.symbol,
    tradeId: e.tradeId,
    side: e.side === 'buy' ? Side.SIDE_BUY : Side.SIDE_SELL,
    price: e.price,
    size: e.size,
    exchangeTimeUs: e.exchangeTime,
    receiveTimeUs: e.receiveTime,
    sequence: e.sequence,
  }).finish();
}

function statusPb(e: StatusEvent): Uint8Array {
  return Status.encode({
    marketId: e.marketId,
    venue: e.venue,
    marketType: PB_MARKET_TYPE[e.marketType],
    symbol: e.symbol,
    node: e.node,
    state: PB_STATE[e.state],
    reason: e.reason,
    timeUs: e.time,
    sequence: e.sequence,
    epoch: e.epoch,
  }).finish();
}

/** The record value of an event in the chosen encoding. */
export function encodeEvent(event: FeedEvent, encoding: Encoding): EncodedValue {
  const schema = SCHEMA[event.kind];
  if (encoding === 'json') return { value: json(event), contentType: 'application/json', schema };
  const bytes = event.kind === 'spread' ? spreadPb(event) : event.kind === 'trade' ? tradePb(event) : statusPb(event);
  return { value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), contentType: 'application/x-protobuf', schema };
}

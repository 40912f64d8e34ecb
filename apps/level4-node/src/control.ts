import { FeedError, type FeedEngine, type FeedInfo, type FeedState, type MarketType } from '@level4/feed';
import { PlacementError, toPbFeedState, toPbMarketType, type KafkaSink } from '@level4/kafka-sink';
import { GrpcStatus, MarketType as PbMarketType, RpcError, type ControlHandlers, type Feed, type Market, type Node } from '@level4/rpc';

/** What the handlers need from the node. */
export interface ControlContext {
  readonly engine: FeedEngine;
  readonly sink: KafkaSink;
  readonly node: () => Node;
  readonly maxFeeds: number;
}

/** Market ids are Kafka partitions: keep them to what one topic can sensibly hold. */
export const MAX_MARKET_ID = 100_000;
const MAX_BOOK_DEPTH = 5_000;
const DEFAULT_BOOK_DEPTH = 10;

const TYPES: Readonly<Record<number, MarketType>> = {
  [PbMarketType.MARKET_TYPE_SPOT]: 'spot',
  [PbMarketType.MARKET_TYPE_FUTURES]: 'futures',
  [PbMarketType.MARKET_TYPE_INVERSE]: 'inverse',
};
const TYPE_NAMES = 'MARKET_TYPE_SPOT, MARKET_TYPE_FUTURES, MARKET_TYPE_INVERSE';

const invalid = (message: string) => new RpcError(GrpcStatus.INVALID_ARGUMENT, message);

/** The FeedError codes of the engine, as gRPC status codes. */
const CODES: Readonly<Record<string, GrpcStatus>> = {
  'invalid-market': GrpcStatus.INVALID_ARGUMENT,
  'already-running': GrpcStatus.ALREADY_EXISTS,
  'not-found': GrpcStatus.NOT_FOUND,
  unavailable: GrpcStatus.UNAVAILABLE,
};

function fromFeedError(error: unknown): never {
  if (error instanceof FeedError) throw new RpcError(CODES[error.code] ?? GrpcStatus.INTERNAL, error.message);
  throw error;
}

export function toFeed(info: FeedInfo, node: string): Feed {
  return {
    market: {
      id: info.id,
      venue: info.market.venue,
      marketType: toPbMarketType(info.market.type),
      base: info.market.base,
      quote: info.market.quote,
      symbol: info.market.symbol ?? '',
    },
    symbol: info.instrument.symbol,
    node,
    state: toPbFeedState(info.state as FeedState),
    reason: info.reason,
    startedAtUs: info.since,
    counters: { ...info.counters },
  };
}

/** Checks a StartFeed market field by field, naming the first wrong one. */
function readMarket(market: Market | undefined, engine: FeedEngine): { id: number; venue: string; type: MarketType; base: string; quote: string; symbol?: string } {
  if (market === undefined) throw invalid('market is required: { id, venue, market_type, base, quote, symbol? }');
  if (market.id > MAX_MARKET_ID) throw invalid(`market.id ${market.id} is too large: ids are 0-${MAX_MARKET_ID} (the id is the market's Kafka partition)`);
  const venues = engine.venues();
  const venue = venues.find((v) => v.venue === market.venue);
  if (venue === undefined) throw invalid(`market.venue ${JSON.stringify(market.venue)} is not a venue; accepted: ${venues.map((v) => v.venue).join(', ')}`);
  const type = TYPES[market.marketType];
  if (type === undefined || !venue.marketTypes.includes(type)) {
    const accepted = venue.marketTypes.map((t) => `MARKET_TYPE_${t.toUpperCase()}`).join(', ');
    const given = type === undefined ? String(market.marketType) : `MARKET_TYPE_${type.toUpperCase()}`;
    throw invalid(`market.market_type ${given} is not a ${market.venue} market type; accepted for ${market.venue}: ${accepted} (all types: ${TYPE_NAMES})`);
  }
  const base = market.base.trim().toUpperCase();
  const quote = market.quote.trim().toUpperCase();
  const symbol = market.symbol.trim();
  if (symbol === '' && (base === '' || quote === '')) throw invalid('market.base and market.quote are required unless market.symbol names the venue symbol');
  return { id: market.id, venue: market.venue, type, base, quote, ...(symbol === '' ? {} : { symbol }) };
}

/** The control API of one node. */
export function controlHandlers(ctx: ControlContext): ControlHandlers {
  const { engine, sink } = ctx;
  /** Starts in progress count against capacity and block a second start of the same id. */
  const starting = new Set<number>();
  const nodeName = () => ctx.node().name;
  const running = (id: number): FeedInfo => {
    const info = engine.feed(id);
    if (!info) throw new RpcError(GrpcStatus.NOT_FOUND, `market id ${id} is not running on node ${nodeName()}`);
    return info;
  };

  return {
    async startFeed({ market }) {
      const spec = readMarket(market, engine);
      if (engine.feed(spec.id) || starting.has(spec.id)) throw new RpcError(GrpcStatus.ALREADY_EXISTS, `market id ${spec.id} is already running on node ${nodeName()}`);
      const hosted = engine.list().length + starting.size;
      if (hosted >= ctx.maxFeeds) {
        throw new RpcError(GrpcStatus.RESOURCE_EXHAUSTED, `node ${nodeName()} hosts ${hosted} of ${ctx.maxFeeds} feeds (MAX_DATA_FEEDS); stop a feed or add a node`);
      }
      starting.add(spec.id);
      try {
        // The market first (no topic grows for a market that does not exist), then its partitions
        // (the feed's first Status event must already have its own), then the feed.
        const instrument = await engine.resolve(spec).catch(fromFeedError);
        try {
          await sink.ensureMarket(spec.id);
        } catch (error) {
          if (error instanceof PlacementError) throw new RpcError(GrpcStatus.UNAVAILABLE, error.message);
          throw error;
        }
        const info = await engine.start({ ...spec, instrument }).catch(fromFeedError);
        return { feed: toFeed(info, nodeName()) };
      } finally {
        starting.delete(spec.id);
      }
    },

    async stopFeed({ marketId }) {
      running(marketId);
      const info = (() => {
        try {
          return engine.stop(marketId);
        } catch (error) {
          return fromFeedError(error);
        }
      })();
      return { feed: toFeed(info, nodeName()) };
    },

    async listFeeds() {
      return { feeds: engine.list().map((info) => toFeed(info, nodeName())) };
    },

    async listNodes() {
      return { nodes: [ctx.node()] };
    },

    async getFeed({ marketId }) {
      return { feed: toFeed(running(marketId), nodeName()) };
    },

    async getBook({ marketId, depth }) {
      const info = running(marketId);
      if (depth > MAX_BOOK_DEPTH) throw invalid(`depth ${depth} is too large (at most ${MAX_BOOK_DEPTH})`);
      // A book out of sync is not shown: it may be wrong, and the API never publishes a false book.
      if (info.state !== 'live') {
        throw new RpcError(GrpcStatus.FAILED_PRECONDITION, `market id ${marketId} is ${info.state}${info.reason ? ` (${info.reason})` : ''}: its book is not in sync`);
      }
      const book = engine.book(marketId);
      const n = depth === 0 ? DEFAULT_BOOK_DEPTH : depth;
      return {
        marketId,
        symbol: info.instrument.symbol,
        bids: book ? book.top('bid', n).map(({ price, size }) => ({ price, size })) : [],
        asks: book ? book.top('ask', n).map(({ price, size }) => ({ price, size })) : [],
        state: toPbFeedState(info.state),
      };
    },
  };
}

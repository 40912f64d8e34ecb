import type { FeedEngine, MarketType } from '@level4/feed';
import type { FeedRegistry } from '@level4/feed-registry';
import { toPbFeedState } from '@level4/kafka-sink';
import { FeedState as PbFeedState, GrpcStatus, MarketType as PbMarketType, RpcError, type CallContext, type ControlHandlers, type Feed, type Market, type Node } from '@level4/rpc';
import { forwardedError, HOP_HEADER, type Cluster, type ClusterNode } from './cluster.js';
import { pendingFeed, toFeed, type MarketRequest, type NodeFeeds } from './node-feeds.js';
import { capacityMessage, placementOrder, type PlacementStrategy } from './placement.js';

/** What the handlers need from the node. */
export interface ControlContext {
  readonly engine: FeedEngine;
  readonly feeds: NodeFeeds;
  readonly registry: FeedRegistry;
  readonly cluster: Cluster;
  readonly placement: PlacementStrategy;
  readonly gossipRecord: () => string;
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

/** Checks a StartFeed market field by field, naming the first wrong one. */
function readMarket(market: Market | undefined, engine: FeedEngine): MarketRequest {
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

/** A call another node forwarded: answer for this node only. */
const forwarded = (call: CallContext) => call.metadata.get(HOP_HEADER).length > 0;

/**
 * The control API of a node in its cluster: any call can come to any node. StartFeed picks a node
 * with a free place and forwards the start there; StopFeed, GetFeed and GetBook go to the node that
 * runs the feed (the registry says which); ListFeeds and ListNodes answer for the whole cluster.
 */
export function controlHandlers(ctx: ControlContext): ControlHandlers {
  const { engine, feeds, registry, cluster } = ctx;
  const me = feeds.name;

  /** The node that runs a market: this one (undefined) or another live one; errors when neither. */
  const owner = (id: number): ClusterNode | undefined => {
    const a = registry.get(id);
    if (!a) throw new RpcError(GrpcStatus.NOT_FOUND, `market id ${id} is not running in the cluster`);
    if (a.node === me) return undefined;
    const node = cluster.node(a.node);
    if (!node) {
      const why = cluster.holdsLease(a.node) ? 'which this node cannot reach (it still reads the registry, so it keeps the feed)' : 'which is gone; the feed moves to another node';
      throw new RpcError(GrpcStatus.UNAVAILABLE, `market id ${id} runs on node ${a.node}, ${why}`);
    }
    return node;
  };
  /** A feed of this node, or the word that it is still starting here. */
  const local = (id: number) => {
    const info = feeds.feed(id);
    if (info) return info;
    const a = registry.get(id);
    if (a?.node === me) throw new RpcError(GrpcStatus.UNAVAILABLE, `market id ${id} is starting on node ${me}`);
    throw new RpcError(GrpcStatus.NOT_FOUND, `market id ${id} is not running on node ${me}`);
  };

  return {
    async startFeed({ market }, call) {
      const spec = readMarket(market, engine);
      if (forwarded(call)) return { feed: await feeds.start(spec) };
      const taken = registry.get(spec.id);
      if (taken) throw new RpcError(GrpcStatus.ALREADY_EXISTS, `market id ${spec.id} is already running on node ${taken.node}`);
      const candidates = cluster.candidates();
      const order = placementOrder(candidates, ctx.placement);
      let last: RpcError | undefined;
      for (const c of order) {
        try {
          if (c.node.self) return { feed: await feeds.start(spec) };
          return await cluster.client(c.node.address).startFeed({ market: market as Market });
        } catch (error) {
          const e = error instanceof RpcError ? error : forwardedError(error, c.name);
          // Full meanwhile, or gone: the next node. Anything else is the caller's answer.
          if (e.code !== GrpcStatus.RESOURCE_EXHAUSTED && e.code !== GrpcStatus.UNAVAILABLE && e.code !== GrpcStatus.DEADLINE_EXCEEDED) throw e;
          last = e;
        }
      }
      if (last === undefined || last.code === GrpcStatus.RESOURCE_EXHAUSTED) throw new RpcError(GrpcStatus.RESOURCE_EXHAUSTED, capacityMessage(cluster.candidates()));
      throw last;
    },

    async stopFeed({ marketId }, call) {
      if (forwarded(call) || registry.get(marketId)?.node === me) return { feed: await feeds.stop(marketId) };
      const a = registry.get(marketId);
      const node = a ? cluster.node(a.node) : undefined;
      if (node) {
        try {
          return await cluster.client(node.address).stopFeed({ marketId });
        } catch (error) {
          const e = forwardedError(error, node.name);
          if (e.code !== GrpcStatus.UNAVAILABLE && e.code !== GrpcStatus.DEADLINE_EXCEEDED) throw e;
        }
      }
      // Its node is gone: the registry forgets the feed, so no node takes it over.
      const [gone] = await feeds.removeAssignment(marketId);
      return { feed: pendingFeed(gone, `stopped; node ${gone.node} was not reachable`, PbFeedState.FEED_STATE_STOPPED) };
    },

    async listFeeds(_request, call) {
      if (forwarded(call)) return { feeds: feeds.list() };
      const others = cluster.nodes().filter((n) => !n.self);
      const answers = await Promise.all(others.map((n) => cluster.client(n.address, 'read').listFeeds().then((r) => r.feeds, () => [] as Feed[])));
      const reported = new Map<string, Feed>();
      for (const f of [...feeds.list(), ...answers.flat()]) reported.set(`${f.market?.id}@${f.node}`, f);
      const out: Feed[] = [];
      for (const a of registry.list()) {
        const f = reported.get(`${a.marketId}@${a.node}`);
        if (f) out.push(f);
        else if (cluster.node(a.node)) out.push(pendingFeed(a, `starting on node ${a.node}`, PbFeedState.FEED_STATE_STARTING));
        else if (cluster.holdsLease(a.node)) out.push(pendingFeed(a, `node ${a.node} is out of this node's reach but still holds the feed`, PbFeedState.FEED_STATE_UNSPECIFIED));
        else out.push(pendingFeed(a, `node ${a.node} is gone; the feed moves to another node`));
      }
      return { feeds: out.sort((x, y) => (x.market?.id ?? 0) - (y.market?.id ?? 0)) };
    },

    async listNodes() {
      return { nodes: cluster.nodes().map((n) => n.node) };
    },

    async getFeed({ marketId }, call) {
      const node = forwarded(call) ? undefined : owner(marketId);
      if (node) return cluster.client(node.address, 'read').getFeed({ marketId }).catch((e: unknown) => Promise.reject(forwardedError(e, node.name)));
      return { feed: toFeed(local(marketId), me) };
    },

    async getBook({ marketId, depth }, call) {
      if (depth > MAX_BOOK_DEPTH) throw invalid(`depth ${depth} is too large (at most ${MAX_BOOK_DEPTH})`);
      const node = forwarded(call) ? undefined : owner(marketId);
      if (node) return cluster.client(node.address, 'read').getBook({ marketId, depth }).catch((e: unknown) => Promise.reject(forwardedError(e, node.name)));
      const info = local(marketId);
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

    async getNode() {
      return { node: cluster.nodes()[0]?.node as Node, gossipRecord: ctx.gossipRecord() };
    },
  };
}

import { feedStateToJSON, type FeedState, MarketType, marketTypeToJSON, nodeStateToJSON, type Feed, type GetBookResponse, type Node } from '@level4/rpc';

/** Left-aligned columns, two spaces apart, a header line first. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export const typeName = (t: MarketType): string => marketTypeToJSON(t).replace('MARKET_TYPE_', '').toLowerCase();
export const stateName = (s: FeedState): string => feedStateToJSON(s).replace('FEED_STATE_', '').toLowerCase();

const since = (us: number): string => (us > 0 ? new Date(Math.floor(us / 1000)).toISOString().replace('.000Z', 'Z') : '');

export function feedsTable(feeds: readonly Feed[]): string {
  return table(
    ['ID', 'VENUE', 'TYPE', 'SYMBOL', 'STATE', 'NODE', 'EPOCH', 'SINCE', 'REASON'],
    [...feeds]
      .sort((a, b) => (a.market?.id ?? 0) - (b.market?.id ?? 0))
      .map((f) => [String(f.market?.id ?? ''), f.market?.venue ?? '', typeName(f.market?.marketType ?? MarketType.MARKET_TYPE_UNSPECIFIED), f.symbol, stateName(f.state), f.node, String(f.epoch), since(f.startedAtUs), f.reason]),
  );
}

export function feedDetail(feed: Feed): string {
  const head = feedsTable([feed]);
  const counters = Object.entries(feed.counters ?? {}).map(([k, v]) => [k, String(v)]);
  return `${head}\n\n${table(['COUNTER', 'VALUE'], counters)}`;
}

export function nodesTable(nodes: readonly Node[]): string {
  return table(
    ['NAME', 'ADDRESS', 'FEEDS', 'STATE', 'GOSSIP', 'VERSION', 'STARTED'],
    nodes.map((n) => [n.name, n.address, `${n.feeds}/${n.maxFeeds}`, nodeStateToJSON(n.state).replace('NODE_STATE_', '').toLowerCase(), n.gossipAddress, n.version, since(n.startedAtUs)]),
  );
}

export function bookTable(book: GetBookResponse): string {
  const rows: string[][] = [];
  const n = Math.max(book.bids.length, book.asks.length);
  for (let i = 0; i < n; i++) {
    const b = book.bids[i];
    const a = book.asks[i];
    rows.push([b?.size ?? '', b?.price ?? '', a?.price ?? '', a?.size ?? '']);
  }
  return `${book.symbol} (market ${book.marketId}, ${stateName(book.state)})\n${table(['BID SIZE', 'BID', 'ASK', 'ASK SIZE'], rows)}`;
}

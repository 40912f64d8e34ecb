import { describe, expect, it } from 'vitest';
import { capacityMessage, placementOrder, type Candidate } from './placement.js';

const nodes: Candidate[] = [
  { name: 'a', feeds: 25, maxFeeds: 25 },
  { name: 'b', feeds: 10, maxFeeds: 25 },
  { name: 'c', feeds: 3, maxFeeds: 25 },
  { name: 'd', feeds: 3, maxFeeds: 10 },
];

describe('placement', () => {
  it('random: only nodes with a free place, each first about as often as the others', () => {
    const first = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const order = placementOrder(nodes, 'random');
      expect(order.map((c) => c.name).sort()).toEqual(['b', 'c', 'd']);
      first.set(order[0]!.name, (first.get(order[0]!.name) ?? 0) + 1);
    }
    for (const name of ['b', 'c', 'd']) expect(first.get(name)).toBeGreaterThan(800);
  });

  it('least-loaded: by share of capacity in use, then by free places', () => {
    expect(placementOrder(nodes, 'least-loaded').map((c) => c.name)).toEqual(['c', 'd', 'b']);
    const even = [
      { name: 'x', feeds: 5, maxFeeds: 10 },
      { name: 'y', feeds: 10, maxFeeds: 20 },
    ];
    expect(placementOrder(even, 'least-loaded').map((c) => c.name)).toEqual(['y', 'x']);
  });

  it('names the capacity of a full cluster', () => {
    const full = nodes.map((c) => ({ ...c, feeds: c.maxFeeds }));
    expect(placementOrder(full, 'random')).toEqual([]);
    expect(capacityMessage(full)).toBe('the cluster is full: 85 of 85 feeds in use on 4 nodes (a 25/25, b 25/25, c 25/25, d 10/10); stop a feed, raise MAX_DATA_FEEDS or add a node');
  });
});

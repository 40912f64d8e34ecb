import { afterEach, describe, expect, it, vi } from 'vitest';
import { startGossip, type Gossip, type GossipOptions } from './index.js';

const valid: GossipOptions = {
  host: '127.0.0.1',
  port: 0,
  secret: 's3cret',
  meta: { name: 'n1', address: '127.0.0.1:50051', feeds: 0, maxFeeds: 10 },
};

let started: Gossip[] = [];
afterEach(async () => {
  await Promise.all(started.map((g) => g.close()));
  started = [];
});

describe('startGossip options', () => {
  it.each<[string, Partial<GossipOptions>, RegExp]>([
    ['an empty secret', { secret: '' }, /secret must be a non-empty string/],
    ['0.0.0.0 without advertiseHost', { host: '0.0.0.0' }, /advertiseHost is required when host is 0.0.0.0/],
    ['a host name instead of an IPv4', { host: 'localhost' }, /host must be an IPv4 address/],
    ['deadAfterMs < suspectAfterMs', { suspectAfterMs: 2000, deadAfterMs: 1000 }, /deadAfterMs \(1000\) must be >= suspectAfterMs \(2000\)/],
    ['a zero probe interval', { probeIntervalMs: 0 }, /probeIntervalMs must be a positive number/],
    ['a port out of range', { port: 70_000 }, /port must be an integer 0..65535/],
    ['a host:port seed without resolveSeed', { seeds: ['10.0.0.1:9000'] }, /resolveSeed is required/],
    ['an invalid ENR seed', { seeds: ['enr:notarecord'] }, /is not a valid ENR text/],
    ['an empty name', { meta: { ...valid.meta, name: '' } }, /meta.name must be a non-empty string/],
    ['a negative feed count', { meta: { ...valid.meta, feeds: -1 } }, /meta.feeds must be a finite number >= 0/],
    ['a meta too large for the record', { meta: { ...valid.meta, address: `${'x'.repeat(200)}:1` } }, /meta too large for the node record \(\d+ bytes of meta/],
  ])('rejects %s with a clear Error', async (_what, options, message) => {
    await expect(startGossip({ ...valid, ...options })).rejects.toThrow(message);
  });

  it('binds 0.0.0.0, announces advertiseHost, and is reachable there', async () => {
    const node = await startGossip({ ...valid, host: '0.0.0.0', advertiseHost: '127.0.0.1' });
    started.push(node);
    expect(node.self().gossipAddress).toBe(`127.0.0.1:${node.port}`);
    expect(node.port).toBeGreaterThan(0);
    const other = await startGossip({ ...valid, meta: { ...valid.meta, name: 'n2' }, seeds: [node.record] });
    started.push(other);
    await vi.waitFor(() => expect(node.alive().map((m) => m.id)).toEqual([other.id]), { timeout: 15_000 });
  });

  it('says so when the port is taken', async () => {
    const first = await startGossip(valid);
    started.push(first);
    await expect(startGossip({ ...valid, port: first.port })).rejects.toThrow(/cannot bind UDP 127.0.0.1:\d+/);
  });

  it('update() refuses a meta that would not fit, and keeps the old one', async () => {
    const node = await startGossip(valid);
    started.push(node);
    const record = node.record;
    expect(() => node.update({ version: 'v'.repeat(250) })).toThrow(/meta too large/);
    expect(() => node.update({ feeds: Number.NaN })).toThrow(/meta.feeds/);
    expect(node.record).toBe(record);
    expect(node.self().meta).toEqual(valid.meta);
  });
});

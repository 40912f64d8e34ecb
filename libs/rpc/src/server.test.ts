import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { credentials, loadPackageDefinition, makeGenericClientConstructor, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectControl, FeedState, MarketType, NodeState, RpcError, startControlServer, type ControlHandlers, type ControlServer } from './index.js';

/** A node's control API in miniature: one running market (id 7), everything else answered with the codes a node uses. */
const handlers: ControlHandlers = {
  startFeed: async ({ market }) => {
    if (market === undefined) throw new RpcError(status.INVALID_ARGUMENT, 'market is required');
    if (market.id === 7) throw new RpcError(status.ALREADY_EXISTS, 'market 7 runs already');
    return { feed: { market, symbol: `${market.base}${market.quote}`, node: 'n1', state: FeedState.FEED_STATE_STARTING, reason: '', startedAtUs: 1, counters: undefined, epoch: 1 } };
  },
  stopFeed: async ({ marketId }) => {
    throw new RpcError(status.NOT_FOUND, `market ${marketId} does not run`);
  },
  listFeeds: async () => ({ feeds: [] }),
  listNodes: async () => ({ nodes: [{ name: 'n1', address: '127.0.0.1:1', feeds: 1, maxFeeds: 25, version: '0.1.0', startedAtUs: 1, state: NodeState.NODE_STATE_ALIVE, gossipAddress: '127.0.0.1:2' }] }),
  getFeed: async () => {
    throw new Error('disk on fire');
  },
  getBook: async ({ marketId, depth }) => ({ marketId, symbol: 'BTCUSDT', bids: [{ price: '1.5', size: String(depth) }], asks: [], state: FeedState.FEED_STATE_LIVE }),
  getNode: async (_request, call) => ({
    node: { name: 'n1', address: '127.0.0.1:1', feeds: 1, maxFeeds: 25, version: '0.1.0', startedAtUs: 1, state: NodeState.NODE_STATE_ALIVE, gossipAddress: '127.0.0.1:2' },
    gossipRecord: `enr:-test ${call.metadata.get('level4-hop').join(',')}`,
  }),
};

const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: ServiceError) => `${status[e.code]}: ${e.details}`);

describe('control server and client', () => {
  let server: ControlServer;
  const internal: string[] = [];
  beforeAll(async () => {
    server = await startControlServer({ handlers, address: '127.0.0.1:0', onInternalError: (method, e) => internal.push(`${method}: ${(e as Error).message}`) });
  });
  afterAll(() => server.close());

  it('round-trips requests and answers handler errors with their status code and message', async () => {
    const api = connectControl(`127.0.0.1:${server.port}`);
    const started = await api.startFeed({ market: { id: 1, venue: 'binance', marketType: MarketType.MARKET_TYPE_SPOT, base: 'BTC', quote: 'USDT', symbol: '' } });
    expect(started.feed?.symbol).toBe('BTCUSDT');
    expect((await api.listNodes()).nodes[0]).toMatchObject({ name: 'n1', maxFeeds: 25 });
    expect((await api.getBook({ marketId: 3, depth: 5 })).bids).toEqual([{ price: '1.5', size: '5' }]);
    const hop = connectControl(`127.0.0.1:${server.port}`, { metadata: { 'level4-hop': 'n0' } });
    expect((await hop.getNode()).gossipRecord).toBe('enr:-test n0');
    hop.close();
    expect(await codeOf(api.startFeed({ market: undefined }))).toBe('INVALID_ARGUMENT: market is required');
    expect(await codeOf(api.startFeed({ market: { id: 7, venue: 'binance', marketType: 1, base: 'BTC', quote: 'USDT', symbol: '' } }))).toBe('ALREADY_EXISTS: market 7 runs already');
    expect(await codeOf(api.stopFeed({ marketId: 9 }))).toBe('NOT_FOUND: market 9 does not run');
    // A handler bug is INTERNAL for the caller and reported to the server's owner.
    expect(await codeOf(api.getFeed({ marketId: 1 }))).toBe('INTERNAL: GetFeed failed: disk on fire');
    expect(internal).toEqual(['GetFeed: disk on fire']);
    api.close();
  });

  it('answers bytes that are not the request message with INVALID_ARGUMENT', async () => {
    const raw = new (makeGenericClientConstructor({}, 'raw'))(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]); // field 1, length far past the end
    const answer = await new Promise<string>((resolve) =>
      raw.makeUnaryRequest('/level4.v1.Control/StartFeed', (b: Buffer) => b, (b: Buffer) => b, garbage, (e: ServiceError | null) => resolve(e ? `${status[e.code]}: ${e.details}` : 'ok')),
    );
    raw.close();
    expect(answer).toMatch(/^INVALID_ARGUMENT: malformed request: not a StartFeed message/);
  });

  it('serves the standard health service and reflection', async () => {
    const pkg = loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as { grpc: { health: { v1: { Health: new (a: string, c: unknown) => Client & { check: (q: object, cb: (e: Error | null, r: { status: string }) => void) => void } } } } };
    const health = new pkg.grpc.health.v1.Health(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const check = (service: string) => new Promise<string>((resolve, reject) => health.check({ service }, (e: Error | null, r: { status: string }) => (e ? reject(e) : resolve(r.status))));
    expect(await check('')).toBe('SERVING');
    expect(await check('level4.v1.Control')).toBe('SERVING');
    health.close();

    const reflectionProto = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection')), '../proto/grpc/reflection/v1/reflection.proto');
    const refl = loadPackageDefinition(loadSync(reflectionProto)) as unknown as { grpc: { reflection: { v1: { ServerReflection: new (a: string, c: unknown) => Client & { serverReflectionInfo: () => import('node:stream').Duplex } } } } };
    const client = new refl.grpc.reflection.v1.ServerReflection(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const stream = client.serverReflectionInfo();
    const services = await new Promise<string[]>((resolve, reject) => {
      stream.on('data', (r: { listServicesResponse?: { service: { name: string }[] } }) => resolve((r.listServicesResponse?.service ?? []).map((s) => s.name)));
      stream.on('error', reject);
      stream.write({ listServices: '' });
    });
    stream.end();
    client.close();
    expect(services).toContain('level4.v1.Control');
  });
});

describe('security', () => {
  it('requires the bearer token when one is configured', async () => {
    const server = await startControlServer({ handlers, address: '127.0.0.1:0', token: 's3cret' });
    try {
      const anonymous = connectControl(`127.0.0.1:${server.port}`);
      expect(await codeOf(anonymous.listFeeds())).toBe('UNAUTHENTICATED: missing or wrong bearer token (metadata "authorization: Bearer <token>")');
      const wrong = connectControl(`127.0.0.1:${server.port}`, { token: 'guess' });
      expect(await codeOf(wrong.listFeeds())).toMatch(/^UNAUTHENTICATED/);
      const operator = connectControl(`127.0.0.1:${server.port}`, { token: 's3cret' });
      expect(await operator.listFeeds()).toEqual({ feeds: [] });
      for (const c of [anonymous, wrong, operator]) c.close();
    } finally {
      await server.close();
    }
  });

  it('serves TLS with the configured certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'level4-tls-'));
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    const server = await startControlServer({ handlers, address: '127.0.0.1:0', tls: { certFile, keyFile } });
    try {
      const secure = connectControl(`localhost:${server.port}`, { tls: { ca: readFileSync(certFile) } });
      expect((await secure.listNodes()).nodes).toHaveLength(1);
      const plain = connectControl(`localhost:${server.port}`, { deadlineMs: 2_000 });
      expect(await codeOf(plain.listNodes())).toMatch(/^UNAVAILABLE/);
      secure.close();
      plain.close();
    } finally {
      await server.close();
    }
  });
});

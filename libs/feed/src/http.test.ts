import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';
import { getText, HttpError } from './http.js';

/** Short waits so retries do not slow the tests. */
const quick = () => new Backoff(5, 20);

let server: Server | undefined;

/** A local HTTP server answering the n-th request (from 1) with `answer`; counts requests. */
async function serve(answer: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  const seen = { requests: 0 };
  server = createServer((req, res) => answer(++seen.requests, req, res));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/list`, seen };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe('getText', () => {
  it('returns the body of a 200', async () => {
    const { url } = await serve((_, req, res) => res.end(`{"path":"${req.url}"}`));
    expect(await getText(url, { timeoutMs: 1000 })).toBe('{"path":"/list"}');
  });

  it('retries a 429 as soon as Retry-After says, and reports why', async () => {
    const { url, seen } = await serve((n, _, res) => {
      if (n === 1) res.writeHead(429, { 'retry-after': '0' }).end('slow down');
      else res.end('ok');
    });
    const retries: [string, number][] = [];
    const body = await getText(url, { timeoutMs: 1000, backoff: new Backoff(60_000, 60_000), onRetry: (reason, waitMs) => retries.push([reason, waitMs]) });
    expect(body).toBe('ok');
    expect(seen.requests).toBe(2);
    expect(retries).toEqual([[`GET ${url}: HTTP 429`, 0]]);
  });

  it('retries a 503', async () => {
    const { url, seen } = await serve((n, _, res) => (n === 1 ? res.writeHead(503).end('maintenance') : res.end('ok')));
    const reasons: string[] = [];
    expect(await getText(url, { timeoutMs: 1000, backoff: quick(), onRetry: (reason) => reasons.push(reason) })).toBe('ok');
    expect(seen.requests).toBe(2);
    expect(reasons).toEqual([`GET ${url}: HTTP 503`]);
  });

  it('does not retry a 400: HttpError with the status and the body', async () => {
    const { url, seen } = await serve((_, __, res) => res.writeHead(400).end('{"msg":"Invalid symbol."}'));
    const error = await getText(url, { timeoutMs: 1000, backoff: quick() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 400, message: expect.stringContaining('Invalid symbol.') });
    expect(seen.requests).toBe(1);
  });

  it('gives up after `attempts` timeouts, naming them', async () => {
    const { url, seen } = await serve(() => undefined); // never answers
    const error = await getText(url, { timeoutMs: 50, attempts: 2, backoff: quick() }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(HttpError);
    expect((error as Error).message).toBe(`GET ${url}: gave up after 2 attempts (timeout after 50 ms)`);
    expect(seen.requests).toBe(2);
  });

  it('retries a refused connection until `attempts`', async () => {
    const { url } = await serve(() => undefined);
    await new Promise((resolve) => server!.close(resolve)); // nothing listens there any more
    const reasons: string[] = [];
    await expect(getText(url, { timeoutMs: 1000, attempts: 3, backoff: quick(), onRetry: (r) => reasons.push(r) })).rejects.toThrow(/gave up after 3 attempts/);
    expect(reasons).toHaveLength(2);
  });

  it('stops retrying when its signal aborts, during the wait', async () => {
    const { url, seen } = await serve((_, __, res) => res.writeHead(503).end());
    const controller = new AbortController();
    const pending = getText(url, {
      timeoutMs: 1000,
      signal: controller.signal,
      backoff: new Backoff(60_000, 60_000), // a wait only the abort can end
      onRetry: () => setImmediate(() => controller.abort()),
    });
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.requests).toBe(1);
  });

  it('stops when its signal aborts, during the request', async () => {
    const controller = new AbortController();
    const { url, seen } = await serve(() => controller.abort()); // aborted while the server holds the request
    await expect(getText(url, { timeoutMs: 60_000, signal: controller.signal, backoff: quick() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.requests).toBe(1);
  });

  it('does not start when its signal was aborted already', async () => {
    const { url, seen } = await serve((_, __, res) => res.end('ok'));
    await expect(getText(url, { timeoutMs: 1000, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.requests).toBe(0);
  });
});

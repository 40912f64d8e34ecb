import { Backoff } from './backoff.js';

/** An HTTP answer that retrying will not fix (400 bad symbol, 404, ...). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface GetOptions {
  readonly timeoutMs: number;
  /** Stops retrying (the market was stopped). */
  readonly signal?: AbortSignal;
  readonly backoff?: Backoff;
  /** Called before each wait, for logs and counters. */
  readonly onRetry?: (reason: string, waitMs: number) => void;
  /** Give up after this many attempts (default: never, until `signal` aborts). */
  readonly attempts?: number;
}

const RETRY_STATUS = new Set([408, 418, 425, 429, 500, 502, 503, 504]);

/**
 * GET a text body, retrying what can pass: network errors, timeouts, 5xx, and rate limits (429,
 * 418 IP ban, 403 "too frequent" is not retried: it is the venue's WAF and needs an operator)
 * waiting as long as the venue's Retry-After says, else with backoff.
 */
export async function getText(url: string, options: GetOptions): Promise<string> {
  const backoff = options.backoff ?? new Backoff(500, 30_000);
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    let reason: string;
    let retryAfterMs: number | undefined;
    try {
      const signal = options.signal
        ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)])
        : AbortSignal.timeout(options.timeoutMs);
      const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
      const body = await response.text();
      if (response.ok) return body;
      if (!RETRY_STATUS.has(response.status)) {
        throw new HttpError(`GET ${url}: HTTP ${response.status} ${body.slice(0, 200)}`, response.status);
      }
      reason = `HTTP ${response.status}`;
      retryAfterMs = retryAfter(response.headers.get('retry-after'));
    } catch (error) {
      if (error instanceof HttpError) throw error;
      options.signal?.throwIfAborted();
      reason = (error as Error).name === 'TimeoutError' ? `timeout after ${options.timeoutMs} ms` : String((error as Error).message);
    }
    if (options.attempts !== undefined && attempt >= options.attempts) {
      throw new Error(`GET ${url}: gave up after ${attempt} attempts (${reason})`);
    }
    const waitMs = retryAfterMs ?? backoff.next();
    options.onRetry?.(`GET ${url}: ${reason}`, waitMs);
    await sleep(waitMs, options.signal);
  }
}

/** Retry-After as seconds or an HTTP date -> ms. */
function retryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}

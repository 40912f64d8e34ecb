import type { CaptureLine } from './capture.js';

export interface CaptureScriptOptions {
  /** The clock before the first line (unix ms, as in captures). */
  readonly t0: number;
  /** How far each line moves the clock (default 100 ms). 0: only `tick()` moves it. */
  readonly step?: number;
  /** The URL of `open`, `recv` and `send` lines that name none. */
  readonly url?: string;
}

/**
 * Capture lines written by hand, in time order: each line advances a clock by `step`, so `t`
 * grows as a recording's does. Every method returns its line and also appends it to `lines`. The
 * methods are bound: `const { open, recv } = script` works.
 *
 * ```ts
 * const script = new CaptureScript({ t0: 1_700_000_000_000, url: 'wss://stream.example.com/ws' });
 * const capture = [script.open(), script.recv({ type: 'snapshot', bids: [], asks: [] }), script.recv('not json')];
 * ```
 */
export class CaptureScript {
  /** Every line written so far, in order. */
  readonly lines: CaptureLine[] = [];
  private clock: number;
  private readonly step: number;
  private readonly url: string | undefined;

  constructor(options: CaptureScriptOptions) {
    this.clock = options.t0;
    this.step = options.step ?? 100;
    this.url = options.url;
  }

  /** The clock: the `t` of the latest line (or of the latest `tick`; `t0` before any). */
  get t(): number {
    return this.clock;
  }

  /** Moves the clock on by `ms` (default: one step) without a line; returns the new time. */
  readonly tick = (ms: number = this.step): number => (this.clock += ms);

  /** A WebSocket connection to `url`. */
  readonly open = (url?: string): CaptureLine => this.ws('open', url);

  /** A frame from the venue: text as is, anything else as JSON. */
  readonly recv = (frame: unknown, url?: string): CaptureLine => this.ws('recv', url, text(frame));

  /** A frame from the client: text as is, anything else as JSON. */
  readonly send = (frame: unknown, url?: string): CaptureLine => this.ws('send', url, text(frame));

  /** An HTTP GET answered with `body` (text as is, anything else as JSON). */
  readonly get = (url: string, body: unknown, status = 200): CaptureLine => this.push({ t: this.tick(), kind: 'http', dir: 'get', url, status, data: text(body) });

  private ws(dir: 'open' | 'recv' | 'send', url: string | undefined, data?: string): CaptureLine {
    const chosen = url ?? this.url;
    if (chosen === undefined) throw new Error('CaptureScript: a WebSocket line needs a url (none given, no default)');
    return this.push(data === undefined ? { t: this.tick(), kind: 'ws', dir, url: chosen } : { t: this.tick(), kind: 'ws', dir, url: chosen, data });
  }

  private push(line: CaptureLine): CaptureLine {
    this.lines.push(line);
    return line;
  }
}

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

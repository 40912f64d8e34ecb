import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * One line of a capture: a WebSocket event or an HTTP GET, in time order. The format of the files
 * in `shared/fixtures` (see its README), which the recorder also writes.
 */
export interface CaptureLine {
  /** When it happened: unix time in milliseconds (float). */
  t: number;
  kind: 'ws' | 'http';
  /** `open` = connected to `url`; `send` = client -> venue; `recv` = venue -> client; `get` = HTTP GET. */
  dir: 'open' | 'send' | 'recv' | 'get';
  url: string;
  /** Frame text or response body, byte for byte. */
  data?: string;
  /** HTTP status, on `get` lines. */
  status?: number;
  /** `'docs-example'` on lines taken from documentation rather than a session. */
  source?: string;
}

const DIRS: Record<CaptureLine['kind'], readonly CaptureLine['dir'][]> = {
  ws: ['open', 'send', 'recv'],
  http: ['get'],
};

/** Parses capture JSONL; throws on the first bad line, naming `name` and the 1-based line number. */
export function parseCapture(text: string, name = 'capture'): CaptureLine[] {
  const lines: CaptureLine[] = [];
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i].trim();
    if (row === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch (error) {
      throw new Error(`${name}:${i + 1}: not JSON (${(error as Error).message})`);
    }
    const problem = checkLine(value);
    if (problem) throw new Error(`${name}:${i + 1}: ${problem}`);
    lines.push(pickFields(value as CaptureLine));
  }
  return lines;
}

/** Reads and validates a capture file. */
export async function readCapture(path: string): Promise<CaptureLine[]> {
  return parseCapture(await readFile(path, 'utf8'), path);
}

/** One JSON line (no newline), fields in the order the fixtures use: t, kind, dir, url, status, data, source. */
export function formatCaptureLine(line: CaptureLine): string {
  return JSON.stringify(pickFields(line));
}

/** Appends capture lines to a file as they come, so a long recording never sits in memory. */
export class CaptureWriter {
  private readonly stream: WriteStream;
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { flags: 'a', encoding: 'utf8' });
    // Kept for close(): a write error must not crash the process before anyone can see it.
    this.stream.on('error', (error) => (this.failure ??= error));
  }

  write(line: CaptureLine): void {
    if (this.closing) throw new Error(`CaptureWriter ${this.path}: write after close`);
    const problem = checkLine(line);
    if (problem) throw new Error(`CaptureWriter ${this.path}: ${problem}`);
    this.stream.write(formatCaptureLine(line) + '\n');
  }

  /** Flushes and closes the file; rejects with the first write error, if any. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve, reject) => {
      const done = () => (this.failure ? reject(this.failure) : resolve());
      if (this.stream.closed || this.stream.destroyed) return done();
      this.stream.once('close', done);
      this.stream.end();
    });
    return this.closing;
  }
}

function pickFields(line: CaptureLine): CaptureLine {
  const out: CaptureLine = { t: line.t, kind: line.kind, dir: line.dir, url: line.url };
  if (line.status !== undefined) out.status = line.status;
  if (line.data !== undefined) out.data = line.data;
  if (line.source !== undefined) out.source = line.source;
  return out;
}

/** What is wrong with a line, or undefined when it is a valid capture line. */
function checkLine(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const line = value as Record<string, unknown>;
  if (typeof line.t !== 'number' || !Number.isFinite(line.t)) return '`t` must be a number (unix ms)';
  if (line.kind !== 'ws' && line.kind !== 'http') return `\`kind\` must be "ws" or "http", got ${JSON.stringify(line.kind)}`;
  const dirs = DIRS[line.kind];
  if (!dirs.includes(line.dir as CaptureLine['dir'])) {
    return `\`dir\` of a ${line.kind} line must be ${dirs.map((d) => `"${d}"`).join(' or ')}, got ${JSON.stringify(line.dir)}`;
  }
  if (typeof line.url !== 'string' || !URL.canParse(line.url)) return `\`url\` must be an absolute URL, got ${JSON.stringify(line.url)}`;
  if (line.data !== undefined && typeof line.data !== 'string') return '`data` must be a string (the frame text or body)';
  if (line.dir !== 'open' && line.data === undefined) return `a ${line.dir} line needs \`data\``;
  if (line.dir === 'get' && (typeof line.status !== 'number' || !Number.isInteger(line.status))) return 'a get line needs an integer `status`';
  if (line.status !== undefined && line.dir !== 'get') return '`status` belongs on get lines only';
  if (line.source !== undefined && typeof line.source !== 'string') return '`source` must be a string';
  return undefined;
}

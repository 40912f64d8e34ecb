/** The logging the engine needs; pino's logger fits it as is. */
export interface FeedLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Default: warnings and errors as one JSON line each on stderr; info is dropped. */
const ignore = (): void => undefined;

export const stderrLogger: FeedLogger = {
  info: ignore,
  warn(fields, message) {
    process.stderr.write(`${JSON.stringify({ level: 'warn', time: Date.now(), msg: message, ...fields })}\n`);
  },
  error(fields, message) {
    process.stderr.write(`${JSON.stringify({ level: 'error', time: Date.now(), msg: message, ...fields })}\n`);
  },
};

/** Drops everything (tests that assert on counters instead). */
export const silentLogger: FeedLogger = { info: ignore, warn: ignore, error: ignore };

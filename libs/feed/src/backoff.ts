/**
 * Capped exponential backoff with full jitter: attempt n waits a random time in
 * [0, min(maxMs, minMs * 2^n)], so many clients reconnecting at once spread out. Never gives up.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The wait before the next attempt; each call counts one attempt. */
  next(): number {
    const cap = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.max(this.minMs / 2, Math.floor(this.random() * cap));
  }

  /** Success: start again from the shortest wait. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/**
 * The small books that hand-written venue sessions use: three levels a side, one tick apart, sizes
 * 1, 2, 3 from the top; and per-update best-bid sizes that are unique, so every update moves the
 * top of the book (a Spread). Each venue test wraps these levels in its own protocol's frames.
 */

/** Best bid and ask of a test market; two more levels behind each, one tick apart. */
export interface TestPrices {
  readonly bid: number;
  readonly ask: number;
  readonly tick: number;
}

/** Price text with two decimals, as the test sessions write prices. */
export const priceText = (p: number): string => p.toFixed(2);

/** The test market's book: `[price, size]` levels, best first. */
export function ladder(p: TestPrices): { bids: [string, string][]; asks: [string, string][] } {
  return {
    bids: [0, 1, 2].map((n) => [priceText(p.bid - n * p.tick), String(n + 1)]),
    asks: [0, 1, 2].map((n) => [priceText(p.ask + n * p.tick), String(n + 1)]),
  };
}

/** The best bid's size after update `n`: unique per update, so each one moves the top. */
export const sizeOf = (n: number): string => `${n}.5`;

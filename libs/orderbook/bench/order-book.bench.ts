/**
 * Order book benchmark: one delta + reading best bid AND best ask, on a BTC-like book of 1,000 and
 * 25,000 levels per side with deltas concentrated near the top; and heap bytes per level. Measured
 * side by side with (a) a naive sorted-btree book and (b) a plain sorted-array book.
 *
 *   npm run bench -- orderbook
 */
// The benchmark measures the package the way its users import it (the @level4/source condition
// resolves it to src/), so it does not use a relative import.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { OrderBook } from '@level4/orderbook';
import { benchSuite, type Rng } from '@level4/tools-bench';
import { NaiveBTreeBook, SortedArrayBook, type BenchBook } from './baseline-books.js';
import { checkBooksAgree } from './check-books.js';
import { generateWorkload, type Workload } from './workload.js';

const suite = benchSuite('orderbook', { timeProcesses: 3 });

/** Operations per timed call. */
const BATCH = 1000;
/** Deltas in each pre-generated stream. */
const STREAM = 1_000_000;
const TARGET_NS_1K = 150;
const TARGET_BYTES_PER_LEVEL = 48;

const REAL = '@level4/orderbook';
const NAIVE = 'sorted-btree naive';
const ARRAY = 'sorted array';

interface Size {
  readonly group: string;
  readonly levelsPerSide: number;
  /** Stream prefix checked for agreement before timing. */
  readonly checkAt: number;
  /** Memory: books per round, and deltas applied to each after its snapshot. */
  readonly memoryBooks: number;
  readonly memoryDeltas: number;
  readonly targetNs?: number;
}

const SIZES: readonly Size[] = [
  { group: '1k levels/side', levelsPerSide: 1_000, checkAt: 200_000, memoryBooks: 100, memoryDeltas: 10_000, targetNs: TARGET_NS_1K },
  { group: '25k levels/side', levelsPerSide: 25_000, checkAt: 100_000, memoryBooks: 4, memoryDeltas: 50_000 },
];

const BOOKS: ReadonlyArray<{ name: string; make: () => BenchBook }> = [
  { name: REAL, make: () => new OrderBook() },
  { name: NAIVE, make: () => new NaiveBTreeBook() },
  { name: ARRAY, make: () => new SortedArrayBook() },
];

suite
  .note('workload', `${STREAM} seeded deltas per size; ~90% within 50 levels of the best, ~25% removals of existing levels, ~25% inserts, the rest size updates; fresh price/size strings`)
  .note('timed op', 'applyDelta + bestBid() + bestAsk(), results consumed; 1000 ops per timed call')
  .note('steady size', 'the stream is generated against a model of the book and keeps each side within 2% of its size; when a run reaches the end of the stream the book is reset from the snapshot outside the timing (beforeEach), so every delta meets the state it was generated for')
  .note('memory', 'heapUsed + arrayBuffers growth after forced GC, per level held, for books built from a fresh-string snapshot + a stretch of the stream; median of 3 rounds')
  .note('isolation', 'every case runs in its own node process (timed cases in 3, the median run is reported), so the two sorted-btree users and the three books do not share JIT feedback or heap');

// Before any case: the three books must agree (best bid/ask, top-20 levels, level counts) with each
// other and with the generator's model after the same stream prefix. The prefix is regenerated from
// the same seed, so it is exactly the start of the stream the timed cases use.
for (const size of SIZES) {
  suite.check(`books agree, ${size.group}`, () =>
    checkBooksAgree(
      generateWorkload(streamRng(size), { levelsPerSide: size.levelsPerSide, deltas: size.checkAt, probeAt: size.checkAt }),
      BOOKS.map(({ name, make }) => ({ name, book: make() })),
    ),
  );
}

function streamRng(size: Size): Rng {
  return suite.rng(`stream ${size.levelsPerSide}`);
}

// A timed case generates its stream when it starts (outside the timing).
function streamFor(size: Size): Workload {
  const workload = generateWorkload(streamRng(size), { levelsPerSide: size.levelsPerSide, deltas: STREAM });
  const s = workload.stats;
  suite.note(
    `stream ${size.group}`,
    `${s.removals} removals, ${s.inserts} inserts, ${s.updates} updates, ${s.near} near the top; ` +
      `${s.minLevelsPerSide}..${s.maxLevelsPerSide} levels/side; spread mean ${s.meanSpreadTicks.toFixed(1)} ticks, max ${s.maxSpreadTicks}; ` +
      `best bid ${s.minBestBid}..${s.maxBestBid}`,
  );
  return workload;
}

let sink = 0;

// One loop for all books: every case runs in a process of its own, so the loop only ever sees one
// book class and its inline caches stay monomorphic.
function runBatch(book: BenchBook, w: Workload, from: number, to: number): number {
  const { sides, prices, sizes } = w;
  let acc = 0;
  for (let i = from; i < to; i++) {
    book.applyDelta(sides[i] === 0 ? 'bid' : 'ask', prices[i]!, sizes[i]!);
    const bid = book.bestBid();
    const ask = book.bestAsk();
    acc += (bid === undefined ? 0 : bid.size.length) + (ask === undefined ? 0 : ask.price.length);
  }
  return acc;
}

function timeCase(size: Size, name: string, book: BenchBook, targetNsPerOp?: number): void {
  let workload: Workload | undefined;
  let cursor = 0;
  const reset = (): void => {
    workload ??= streamFor(size);
    book.applySnapshot(workload.snapshot);
    cursor = 0;
  };
  suite.time({
    group: size.group,
    name,
    opsPerCall: BATCH,
    beforeAll: reset,
    beforeEach: () => {
      if (cursor + BATCH > workload!.length) reset();
    },
    fn: () => {
      const acc = runBatch(book, workload!, cursor, cursor + BATCH);
      cursor += BATCH;
      sink = (sink + acc) | 0;
      return acc;
    },
    ...(targetNsPerOp === undefined ? {} : { targetNsPerOp }),
  });
}

function memoryCase(size: Size, name: string, make: () => BenchBook, targetBytesPerUnit?: number): void {
  suite.memory({
    group: size.group,
    name,
    units: 'level',
    count: size.memoryBooks,
    build: (index) => {
      // Everything but the book is garbage when build returns: the strings the book kept are counted.
      const w = generateWorkload(suite.rng(`memory ${size.levelsPerSide}`).fork(index), {
        levelsPerSide: size.levelsPerSide,
        deltas: size.memoryDeltas,
      });
      const book = make();
      book.applySnapshot(w.snapshot);
      for (let i = 0; i < w.length; i++) book.applyDelta(w.sides[i] === 0 ? 'bid' : 'ask', w.prices[i]!, w.sizes[i]!);
      return book;
    },
    unitsOf: (book) => book.levelCount(),
    ...(targetBytesPerUnit === undefined ? {} : { targetBytesPerUnit }),
  });
}

for (const size of SIZES) {
  for (const { name, make } of BOOKS) {
    const targets = name === REAL;
    timeCase(size, name, make(), targets ? size.targetNs : undefined);
    memoryCase(size, name, make, targets ? TARGET_BYTES_PER_LEVEL : undefined);
  }
}

await suite.run();
if (sink === 0.5) console.log('unreachable: keeps the results of the timed loops alive');

import type { BenchBook, Level } from './baseline-books.js';
import type { Workload } from './workload.js';

const TOP = 20;

function show(level: Level | undefined): string {
  return level === undefined ? 'none' : `${level.price} x ${level.size}`;
}

/**
 * Applies the snapshot and the stream prefix up to the workload's probe to every book, then checks
 * that all of them agree with each other (best bid/ask, top 20 levels of each side with sizes, level
 * counts) and with the generator's model (counts, top-20 prices). Throws, naming the first
 * difference, when they do not.
 */
export function checkBooksAgree(workload: Workload, books: ReadonlyArray<{ name: string; book: BenchBook }>): string {
  const probe = workload.probe;
  if (probe === undefined) throw new Error('the workload has no probe to check books against');
  const { sides, prices, sizes } = workload;
  for (const { book } of books) {
    book.applySnapshot(workload.snapshot);
    for (let i = 0; i < probe.at; i++) book.applyDelta(sides[i] === 0 ? 'bid' : 'ask', prices[i]!, sizes[i]!);
  }
  const problems: string[] = [];
  const [first, ...rest] = books;
  if (first === undefined) throw new Error('no books to check');
  const describe = (book: BenchBook): string =>
    JSON.stringify({
      bestBid: book.bestBid(),
      bestAsk: book.bestAsk(),
      bids: book.top('bid', TOP),
      asks: book.top('ask', TOP),
      bidCount: book.levelCount('bid'),
      askCount: book.levelCount('ask'),
    });
  for (const { name, book } of books) {
    const bids = book.top('bid', TOP).map((level) => level.price);
    const asks = book.top('ask', TOP).map((level) => level.price);
    if (book.levelCount('bid') !== probe.bidCount || book.levelCount('ask') !== probe.askCount) {
      problems.push(`${name}: ${book.levelCount('bid')}/${book.levelCount('ask')} levels, the model has ${probe.bidCount}/${probe.askCount}`);
    }
    if (bids.join() !== probe.bidTop.join()) problems.push(`${name}: top bids ${bids.join(' ')} != model ${probe.bidTop.join(' ')}`);
    if (asks.join() !== probe.askTop.join()) problems.push(`${name}: top asks ${asks.join(' ')} != model ${probe.askTop.join(' ')}`);
    if (show(book.bestBid()) !== show(book.top('bid', 1)[0]) || show(book.bestAsk()) !== show(book.top('ask', 1)[0])) {
      problems.push(`${name}: best ${show(book.bestBid())} / ${show(book.bestAsk())} differs from its own top level`);
    }
  }
  const reference = describe(first.book);
  for (const { name, book } of rest) {
    const mine = describe(book);
    if (mine !== reference) problems.push(`${name} differs from ${first.name}:\n    ${mine}\n    ${reference}`);
  }
  if (problems.length > 0) {
    throw new Error(`order books disagree after ${probe.at} deltas of the ${workload.levelsPerSide}-level stream:\n  ${problems.join('\n  ')}`);
  }
  return `${books.map((b) => b.name).join(', ')} agree after ${probe.at} deltas: best ${show(first.book.bestBid())} / ${show(first.book.bestAsk())}, ${probe.bidCount}/${probe.askCount} levels`;
}

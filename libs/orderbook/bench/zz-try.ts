import { createRng } from '@level4/tools-bench';
import { generateWorkload } from './workload.js';
for (const levels of [1000, 25000]) {
  const t0 = performance.now();
  const w = generateWorkload(createRng(1).fork(levels), { levelsPerSide: levels, deltas: 1_000_000, probeAt: 200_000 });
  console.log(levels, (performance.now() - t0).toFixed(0), 'ms', w.stats, w.snapshot.bids.slice(0, 3), w.snapshot.asks.slice(0, 3), w.prices.slice(0, 5), w.sizes.slice(0, 5));
  console.log(process.memoryUsage());
}

// eslint-disable-next-line @nx/enforce-module-boundaries -- the benchmark uses the packages the way users do
import type { MarketType, VenueAdapter } from '@level4/feed';

/** One recorded session of ../shared/fixtures run through the adapter pipeline benchmark. */
export interface Session {
  readonly name: string;
  readonly venue: string;
  /** Path under the fixtures directory. */
  readonly file: string;
  /** The market type of the recorded socket. */
  readonly type: MarketType;
  readonly adapter: VenueAdapter;
  /** ns per level the pipeline must not exceed (reported as PASS/MISS). */
  readonly targetNsPerLevel?: number;
  /** The symbol a recorded REST snapshot GET is for (default: its `symbol` query parameter). */
  readonly snapshotSymbol?: (url: URL) => string | undefined;
}

/** The mission's target: >= 1,000,000 levels/s per core on depth frames. */
export const TARGET_NS_PER_LEVEL = 1000;

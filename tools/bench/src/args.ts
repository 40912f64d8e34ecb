/** Command line of `npm run bench -- [words...] [--seed N] [--time MS] [--strict] [--list]`. */
export interface CliArgs {
  /** Run only bench files whose repo-relative path contains one of these. */
  readonly words: string[];
  readonly seed?: number;
  readonly timeMs?: number;
  /** Run only the cases whose "group / name" contains this. */
  readonly only?: string;
  /** Fail when a declared target is missed. */
  readonly strict: boolean;
  /** Only list the bench files that would run. */
  readonly list: boolean;
  readonly help: boolean;
}

export const USAGE = `usage: npm run bench -- [word...] [--seed N] [--time MS] [--only TEXT] [--strict] [--list]

Runs every libs/*/bench/*.bench.ts, apps/*/bench/*.bench.ts and tools/*/bench/*.bench.ts, each in its
own node process, or only those whose path contains one of the words.
  --seed N    seed of every suite (default: each suite's own)
  --time MS   time budget of each timed case (default 1000)
  --only TEXT run only the cases whose "group / name" contains TEXT (the JSON then holds only those)
  --strict    exit non-zero when a declared target is missed
  --list      print the bench files and exit`;

function numberOption(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || text === '' || !Number.isFinite(value)) {
    throw new RangeError(`${flag} needs a number, got ${text === undefined ? 'nothing' : JSON.stringify(text)}`);
  }
  return value;
}

/** Parses the CLI arguments (without node and the script). Throws a RangeError on a bad flag. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const words: string[] = [];
  let seed: number | undefined;
  let timeMs: number | undefined;
  let only: string | undefined;
  let strict = false;
  let list = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    switch (flag) {
      case '--seed':
        seed = numberOption(flag, inline ?? argv[++i]);
        break;
      case '--time':
        timeMs = numberOption(flag, inline ?? argv[++i]);
        if (!(timeMs > 0)) throw new RangeError(`--time must be positive, got ${timeMs}`);
        break;
      case '--only':
        only = inline ?? argv[++i];
        if (only === undefined || only === '') throw new RangeError('--only needs a text');
        break;
      case '--strict':
        strict = true;
        break;
      case '--list':
        list = true;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        if (arg.startsWith('-')) throw new RangeError(`unknown option ${arg}\n\n${USAGE}`);
        words.push(arg);
    }
  }
  return { words, strict, list, help, ...(seed === undefined ? {} : { seed }), ...(timeMs === undefined ? {} : { timeMs }), ...(only === undefined ? {} : { only }) };
}

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The folder of shared recordings, for tests that replay them: `LEVEL4_CAPTURES` if set (relative
 * to the repository root), else `../shared/fixtures` beside the repository root found above `from`
 * (pass `import.meta.dirname`). When the folder is absent it prints a notice and returns undefined,
 * so the caller skips; under CI (`CI=true`) it throws instead, because there a skip would hide a
 * broken setup.
 */
export function capturesDir(from: string): string | undefined {
  const root = repositoryRoot(from);
  const dir = resolve(root, process.env.LEVEL4_CAPTURES ?? '../shared/fixtures');
  if (existsSync(dir)) return dir;
  const message = `captures folder ${dir} not found (set LEVEL4_CAPTURES)`;
  if (process.env.CI === 'true') throw new Error(`${message}; under CI the tests that replay recordings must run`);
  console.warn(`NOTICE: ${message}: skipping the tests that replay recordings`);
  return undefined;
}

/** The nearest folder at or above `from` holding nx.json; the working directory if none. */
function repositoryRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

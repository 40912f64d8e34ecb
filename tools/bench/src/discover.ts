import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The folders, relative to the repo root, whose projects may hold a `bench/` folder. */
export const PROJECT_ROOTS: readonly string[] = ['libs', 'apps', 'tools'];

/** True for a bench file name: `<something>.bench.ts`. */
export function isBenchFile(name: string): boolean {
  return name.endsWith('.bench.ts') && name.length > '.bench.ts'.length;
}

/** Names of the sub-folders (kind 'dir') or files (kind 'file', symlinks included) of a folder; none when it is missing. */
function list(path: string, kind: 'dir' | 'file'): string[] {
  try {
    return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
      const wanted = kind === 'dir' ? entry.isDirectory() : entry.isFile() || entry.isSymbolicLink();
      return wanted ? [entry.name] : [];
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
}

/**
 * Every `libs/* /bench/*.bench.ts`, `apps/* /bench/*.bench.ts` and `tools/* /bench/*.bench.ts` under
 * `root`, as repo-relative paths with forward slashes, sorted.
 */
export function discoverBenchFiles(root: string): string[] {
  const found: string[] = [];
  for (const top of PROJECT_ROOTS) {
    for (const project of list(join(root, top), 'dir')) {
      if (project === 'node_modules' || project.startsWith('.')) continue;
      for (const file of list(join(root, top, project, 'bench'), 'file')) {
        if (isBenchFile(file)) found.push(`${top}/${project}/bench/${file}`);
      }
    }
  }
  return sortPaths(found);
}

/** Sorts paths by code unit, so the order does not depend on the locale. */
export function sortPaths(paths: readonly string[]): string[] {
  return [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Keeps the paths that contain at least one of the words; no words keeps everything. */
export function filterBenchFiles(paths: readonly string[], words: readonly string[]): string[] {
  const wanted = words.filter((word) => word !== '');
  if (wanted.length === 0) return [...paths];
  return paths.filter((path) => wanted.some((word) => path.includes(word)));
}


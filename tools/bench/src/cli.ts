/**
 * `npm run bench [-- word...]`: runs each bench file in its own node process (forced GC available,
 * workspace packages loaded from source) and prints where each suite wrote its JSON.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs, USAGE, type CliArgs } from './args.js';
import { discoverBenchFiles, filterBenchFiles } from './discover.js';
import { CHILD_NODE_FLAGS, ENV, REPO_ROOT } from './env.js';

interface SuiteLine {
  readonly suite: string;
  readonly json: string;
  readonly misses: number;
}

function runFile(file: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...CHILD_NODE_FLAGS, file], { cwd: REPO_ROOT, env, stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code, signal) => done({ code, signal }));
  });
}

function readManifest(path: string): SuiteLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SuiteLine);
}

async function main(args: CliArgs): Promise<number> {
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const all = discoverBenchFiles(REPO_ROOT);
  const files = filterBenchFiles(all, args.words);
  if (files.length === 0) {
    console.error(
      args.words.length === 0
        ? 'no bench files found (libs/*/bench/*.bench.ts, apps/*/bench/*.bench.ts, tools/*/bench/*.bench.ts)'
        : `no bench file path contains ${args.words.map((w) => JSON.stringify(w)).join(' or ')}; bench files:\n  ${all.join('\n  ')}`,
    );
    return 1;
  }
  if (args.list) {
    console.log(files.join('\n'));
    return 0;
  }

  const scratch = mkdtempSync(join(tmpdir(), 'level4-bench-'));
  const summary: string[] = [];
  const failed: string[] = [];
  const started = Date.now();
  try {
    for (const [i, file] of files.entries()) {
      const manifest = join(scratch, `${i}.jsonl`);
      const env: NodeJS.ProcessEnv = { ...process.env, [ENV.manifest]: manifest };
      if (args.seed !== undefined) env[ENV.seed] = String(args.seed);
      if (args.timeMs !== undefined) env[ENV.timeMs] = String(args.timeMs);
      if (args.only !== undefined) env[ENV.only] = args.only;
      if (args.strict) env[ENV.strict] = '1';
      console.log(`\n=== ${file}  [${i + 1}/${files.length}]`);
      const t0 = Date.now();
      const { code, signal } = await runFile(file, env);
      const seconds = ((Date.now() - t0) / 1000).toFixed(1);
      const suites = readManifest(manifest);
      for (const line of suites) {
        const misses = line.misses > 0 ? `  (${line.misses} target${line.misses === 1 ? '' : 's'} missed)` : '';
        summary.push(`${line.suite}: ${relative(process.cwd(), line.json) || line.json}${misses}`);
      }
      if (code !== 0) {
        failed.push(`${file} (${signal ? `signal ${signal}` : `exit code ${code}`}, after ${seconds}s)`);
      } else if (suites.length === 0) {
        failed.push(`${file} (wrote no suite results: did it call suite.run()?)`);
      } else {
        console.log(`=== ${file} done in ${seconds}s`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  console.log(`\n${files.length} bench file${files.length === 1 ? '' : 's'} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  for (const line of summary) console.log(line);
  for (const line of failed) console.error(`FAILED ${line}`);
  return failed.length === 0 ? 0 : 1;
}

try {
  process.exitCode = await main(parseArgs(process.argv.slice(2)));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
}

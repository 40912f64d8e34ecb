import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The dependency direction of DESIGN.md is enforced by the root eslint config's module-boundary
// rule; these cases make sure the config keeps rejecting what it must.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === '@nx/enforce-module-boundaries')
    .map((m) => m.message);
}

describe('module boundaries', () => {
  it('a lib may not import a tool', async () => {
    const errors = await boundaryErrors(
      'libs/orderbook/src/boundary-probe.ts',
      "import { kafkaHome } from '@level4/tools-kafka';\nexport const probe = kafkaHome;\n",
    );
    expect(errors).toEqual(['A project tagged with "type:lib" can only depend on libs tagged with "type:lib"']);
  });

  it('a tool may import a lib', async () => {
    const errors = await boundaryErrors(
      'tools/bench/src/boundary-probe.ts',
      "import { OrderBook } from '@level4/orderbook';\nexport const probe = OrderBook;\n",
    );
    expect(errors).toEqual([]);
  }, 30_000);
});

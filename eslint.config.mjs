import nx from '@nx/eslint-plugin';
import jsonc from 'jsonc-eslint-parser';

// Dependency direction (../shared/DESIGN.md): exchanges-* -> feed -> orderbook; apps compose
// everything; no lib imports an app or a tool. Every project carries one `type:` and, for libs,
// one `layer:` tag in its package.json ("nx": { "tags": [...] }).
const depConstraints = [
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'layer:book', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'layer:feed', onlyDependOnLibsWithTags: ['layer:book'] },
  { sourceTag: 'layer:venue', onlyDependOnLibsWithTags: ['layer:feed', 'layer:book'] },
  { sourceTag: 'layer:replay', onlyDependOnLibsWithTags: ['layer:feed', 'layer:book'] },
  { sourceTag: 'layer:service', onlyDependOnLibsWithTags: ['layer:feed', 'layer:book', 'layer:service'] },
];

// Tests may use what code may not: a venue's conformance tests run real recordings through
// @level4/replay, and tests of libs and apps use dev tools (tools/kafka's real broker).
const testOnly = { 'layer:venue': ['layer:replay'], 'layer:service': ['layer:replay', 'layer:venue'] };
const testDepConstraints = depConstraints.map((c) => ({
  ...c,
  onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, ...(testOnly[c.sourceTag] ?? []), ...(c.sourceTag === 'type:tool' ? [] : ['type:tool'])],
}));

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/vite.config.*.timestamp*', '**/vitest.config.*.timestamp*', '**/src/gen/**'],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx', '**/*.cjs', '**/*.mjs', '**/*.mts'],
    // Config files reach the root config by path; the rule is about code.
    ignores: ['**/eslint.config.mjs', '**/vitest.config.mts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints,
        },
      ],
    },
  },
  {
    files: ['**/test/**/*.ts', '**/*.test.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: true, allow: [], depConstraints: testDepConstraints }],
    },
  },
  {
    // Benchmarks may use the bench harness (a tool); the libs themselves may not.
    files: ['**/bench/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: ['@level4/tools-bench'],
          depConstraints: [{ sourceTag: '*', onlyDependOnLibsWithTags: ['*'] }],
        },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.mts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests and benchmarks index into data they built themselves.
    files: ['**/*.test.ts', '**/bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // Each project's package.json lists exactly what its code imports.
    files: ['**/package.json'],
    languageOptions: { parser: jsonc },
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          ignoredFiles: [
            '{projectRoot}/eslint.config.{js,cjs,mjs,ts,cts,mts}',
            '{projectRoot}/vitest.config.{js,ts,mts,mjs}',
            '{projectRoot}/bench/**/*',
          ],
        },
      ],
    },
  },
  {
    // The generated protobuf code (libs/rpc/src/gen, not linted) imports @bufbuild/protobuf at run time.
    // (Linting from the root; libs/rpc/eslint.config.mjs says the same for nx lint, which runs there.)
    files: ['libs/rpc/package.json'],
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          ignoredFiles: ['{projectRoot}/eslint.config.{js,cjs,mjs,ts,cts,mts}', '{projectRoot}/vitest.config.{js,ts,mts,mjs}', '{projectRoot}/scripts/**/*'],
          ignoredDependencies: ['@bufbuild/protobuf'],
        },
      ],
    },
  },
];

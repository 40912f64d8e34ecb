import baseConfig from '../../eslint.config.mjs';
import jsonc from 'jsonc-eslint-parser';

export default [
  ...baseConfig,
  {
    files: ['**/*.json'],
    rules: {
      '@nx/dependency-checks': ['error', { ignoredFiles: ['{projectRoot}/eslint.config.{js,cjs,mjs,ts,cts,mts}', '{projectRoot}/vitest.config.{js,ts,mts,mjs}', '{projectRoot}/bench/**/*'] }],
    },
    languageOptions: { parser: jsonc },
  },
];

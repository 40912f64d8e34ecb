import base from '../../eslint.config.mjs';

export default [
  ...base,
  {
    // The generated code (src/gen, not linted) imports @bufbuild/protobuf at run time.
    files: ['**/package.json'],
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

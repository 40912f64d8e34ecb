// Every project lints with the root rules (module boundaries, dependency checks).
export { default } from '../../eslint.config.mjs';

export { default as SummaryReporter } from './summary-reporter.js';

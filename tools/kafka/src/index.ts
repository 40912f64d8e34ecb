export {
  KAFKA_VERSION,
  LOG4J_CONFIG,
  POM_FILE,
  ensureKafkaJars,
  kafkaHome,
  newClusterId,
  pickFreePort,
  probeMetadata,
  serverProperties,
  startBroker,
  type ClusterMetadata,
  type LogFn,
  type RunningBroker,
  type StartBrokerOptions,
} from './broker.js';
export { consume, consumeToEnd, type Consumed } from './consume.js';
export { withBroker } from './with-broker.js';
// Brings `inject('kafkaBrokers')`'s type to every test that imports this package.
export type {} from './vitest-global-setup.js';

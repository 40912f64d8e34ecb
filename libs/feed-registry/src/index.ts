export { DEFAULT_REGISTRY_TOPIC, FeedRegistry, type Decide, type FeedRegistryOptions, type ReaderSeen, type RegistryEvents, type RegistryStats, type RegistryView } from './registry.js';
export { type Assignment, type RegistryChange } from './records.js';

export { startGossip } from './gossip.js';
export { DEFAULTS } from './options.js';
export type { Gossip, GossipEvent, GossipLogger, GossipOptions, GossipStats, Member, MemberListener, MemberState, NodeMeta } from './types.js';

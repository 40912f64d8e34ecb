/** What a node says about itself; carried in its record (ENR key 'l4') and so in every probe. */
export interface NodeMeta {
  /** Node name, unique in a cluster: a new node id under a known name replaces the old entry. */
  readonly name: string;
  /** host:port of the node's gRPC API. */
  readonly address: string;
  /** Active feeds (load). */
  readonly feeds: number;
  readonly maxFeeds: number;
  readonly version?: string;
  readonly startedAtUs?: number;
}

/**
 * alive: heard from directly within suspectAfterMs; suspect: silent longer (still a member);
 * dead: silent for deadAfterMs (re-probed, comes back as `joined`); left: said goodbye (final).
 */
export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

export interface Member {
  /** discv5 node id (hex). A fresh key per start, so a restarted node has a new id. */
  readonly id: string;
  readonly meta: NodeMeta;
  readonly state: MemberState;
  /** ip:udpPort of its gossip (discv5) socket. */
  readonly gossipAddress: string;
  /** Date.now() of the last authenticated message from it. */
  readonly lastSeenMs: number;
  /** Its ENR text (enr:...). */
  readonly record: string;
}

/** pino-shaped; the default drops everything. */
export interface GossipLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface GossipOptions {
  /** IPv4 to bind, e.g. 127.0.0.1 or 0.0.0.0. */
  readonly host: string;
  /** UDP port; 0 picks a free one. */
  readonly port: number;
  /** IPv4 put in the record; default host. Required when host is 0.0.0.0. */
  readonly advertiseHost?: string;
  /** Cluster secret (HMAC key); non-empty. */
  readonly secret: string;
  readonly meta: NodeMeta;
  /** Each an ENR text ('enr:...') or any other string handed to resolveSeed (e.g. 'host:port'). */
  readonly seeds?: readonly string[];
  /** Returns the seed's ENR text; required if a seed is not an ENR. Failures are retried. */
  readonly resolveSeed?: (seed: string) => Promise<string>;
  /** Default 500: how often every alive or suspect member is probed. */
  readonly probeIntervalMs?: number;
  /** Default 500: discv5 requestTimeout, so how long a probe waits for its ack. */
  readonly probeTimeoutMs?: number;
  /** Default 1500: silence before a member is suspect. */
  readonly suspectAfterMs?: number;
  /** Default 5000: silence before a member is dead (>= suspectAfterMs). */
  readonly deadAfterMs?: number;
  /** Default 2000: how often dead members and seeds that are not members are tried again. */
  readonly deadProbeIntervalMs?: number;
  readonly logger?: GossipLogger;
}

export interface GossipStats {
  /** Probes sent (periodic, pushed by update(), to candidates and seeds). */
  probesSent: number;
  /** Probes without a valid ack (timeout, send failure, bad ack). */
  probesFailed: number;
  /** Requests and acks dropped: bad or missing MAC, stale timestamp, malformed body. */
  messagesRejected: number;
  /** Members alive or suspect. */
  membersAlive: number;
}

export type GossipEvent = 'joined' | 'updated' | 'left';
export type MemberListener = (member: Member) => void;

export interface Gossip {
  readonly id: string;
  /** Own ENR text; changes (higher seq) after update(). */
  readonly record: string;
  /** Bound UDP port. */
  readonly port: number;
  self(): Member;
  /** Every other member known, any state; dead and left entries stay until their name reappears. */
  members(): Member[];
  /** Members alive or suspect. */
  alive(): Member[];
  /** New meta: stored in the record and pushed at once to every alive member. */
  update(meta: Partial<NodeMeta>): void;
  on(event: GossipEvent, listener: MemberListener): this;
  off(event: GossipEvent, listener: MemberListener): this;
  stats(): GossipStats;
  /** Says 'leave' to alive members (best effort, short wait), then stops discv5. */
  close(): Promise<void>;
}

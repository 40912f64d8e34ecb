import { existsSync } from 'node:fs';
import { hostname } from 'node:os';

/** Bad configuration: the message names the variable (and its flag) and says what is wrong. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface NodeConfig {
  readonly nodeName: string;
  /** Address the gRPC API binds to. */
  readonly rpcHost: string;
  readonly rpcPort: number;
  /** host:port other nodes and clients reach this node's gRPC API at. */
  readonly rpcAdvertise: string;
  readonly rpcToken: string | undefined;
  readonly rpcTls: { readonly certFile: string; readonly keyFile: string } | undefined;
  readonly kafkaBrokers: readonly string[];
  readonly kafkaEncoding: 'json' | 'protobuf';
  readonly kafkaCompression: 'none' | 'gzip';
  readonly topics: { readonly spread: string; readonly trade: string; readonly status: string };
  readonly maxDataFeeds: number;
  readonly metricsHost: string;
  /** 0 turns the metrics/health endpoint off. */
  readonly metricsPort: number;
  readonly logLevel: LogLevel;
  /** Base URLs per venue that replace the venue's own (a replay server, a testnet). */
  readonly venueUrls: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The compacted topic of the cluster's desired feeds. */
  readonly feedsTopic: string;
  readonly gossip: {
    /** Address the gossip (UDP) socket binds to. */
    readonly host: string;
    /** 0 picks a free port. */
    readonly port: number;
    /** IPv4 address in this node's record (default: the bind address, or RPC_ADVERTISE's host resolved). */
    readonly advertise: string | undefined;
    /** gRPC host:port of running nodes to join through. */
    readonly seeds: readonly string[];
    /** Undefined: the node makes one up and admits no peer. */
    readonly secret: string | undefined;
    /** Silence after which a member is dead and its feeds move. */
    readonly deadAfterMs: number;
  };
  /** How StartFeed picks a node among those with a free place. */
  readonly placement: 'random' | 'least-loaded';
}

/** One setting: its environment variable, the flag that mirrors it, its default, what it is. */
export interface Setting {
  readonly env: string;
  readonly flag: string;
  readonly default?: string;
  readonly help: string;
}

export const SETTINGS = {
  nodeName: { env: 'NODE_NAME', flag: 'node-name', help: 'this node\'s name in the cluster (default: the hostname)' },
  rpcHost: { env: 'RPC_HOST', flag: 'rpc-host', default: '0.0.0.0', help: 'address the gRPC API binds to' },
  rpcPort: { env: 'RPC_PORT', flag: 'rpc-port', default: '50051', help: 'gRPC API port' },
  rpcAdvertise: { env: 'RPC_ADVERTISE', flag: 'rpc-advertise', help: 'host:port others reach the gRPC API at (default: NODE_NAME:RPC_PORT, or 127.0.0.1 when bound to loopback)' },
  rpcToken: { env: 'RPC_TOKEN', flag: 'rpc-token', help: 'bearer token every control call must carry (without it the API is open: a warning is logged)' },
  rpcTlsCert: { env: 'RPC_TLS_CERT', flag: 'rpc-tls-cert', help: 'PEM certificate file: serve the gRPC API over TLS (with RPC_TLS_KEY)' },
  rpcTlsKey: { env: 'RPC_TLS_KEY', flag: 'rpc-tls-key', help: 'PEM private key file for RPC_TLS_CERT' },
  kafkaBrokers: { env: 'KAFKA_BROKERS', flag: 'kafka-brokers', default: '127.0.0.1:9092', help: 'comma-separated host:port of Kafka brokers' },
  kafkaEncoding: { env: 'KAFKA_ENCODING', flag: 'kafka-encoding', default: 'json', help: 'record values: json or protobuf (proto/level4/v1/events.proto)' },
  kafkaCompression: { env: 'KAFKA_COMPRESSION', flag: 'kafka-compression', default: 'none', help: 'none or gzip' },
  topicSpread: { env: 'KAFKA_TOPIC_SPREAD', flag: 'kafka-topic-spread', default: 'level4.spread', help: 'topic of best bid/ask changes' },
  topicTrade: { env: 'KAFKA_TOPIC_TIMESALES', flag: 'kafka-topic-timesales', default: 'level4.timesales', help: 'topic of trades' },
  topicStatus: { env: 'KAFKA_TOPIC_STATUS', flag: 'kafka-topic-status', default: 'level4.status', help: 'topic of feed status changes' },
  maxDataFeeds: { env: 'MAX_DATA_FEEDS', flag: 'max-data-feeds', default: '25', help: 'feeds this node hosts at most' },
  metricsHost: { env: 'METRICS_HOST', flag: 'metrics-host', default: '0.0.0.0', help: 'address of the metrics and health endpoint' },
  metricsPort: { env: 'METRICS_PORT', flag: 'metrics-port', default: '9464', help: 'Prometheus /metrics, /healthz, /readyz (0: off)' },
  logLevel: { env: 'LOG_LEVEL', flag: 'log-level', default: 'info', help: 'fatal, error, warn, info, debug, trace or silent' },
  venueUrls: { env: 'VENUE_URLS', flag: 'venue-urls', help: 'JSON {"<venue>": {"<url name>": "<url>"}} replacing venue base URLs (a replay server, a testnet)' },
  topicFeeds: { env: 'KAFKA_TOPIC_FEEDS', flag: 'kafka-topic-feeds', default: 'level4.feeds', help: 'compacted topic of the feeds the cluster keeps running (survives restarts)' },
  gossipHost: { env: 'GOSSIP_HOST', flag: 'gossip-host', default: '0.0.0.0', help: 'address the gossip (UDP) socket binds to' },
  gossipPort: { env: 'GOSSIP_PORT', flag: 'gossip-port', default: '7946', help: 'gossip UDP port (0: a free one)' },
  gossipAdvertise: { env: 'GOSSIP_ADVERTISE', flag: 'gossip-advertise', help: "IPv4 address other nodes reach the gossip port at (default: GOSSIP_HOST, or RPC_ADVERTISE's host resolved)" },
  gossipSeeds: { env: 'GOSSIP_SEEDS', flag: 'gossip-seeds', help: 'comma-separated gRPC host:port of running nodes to join (empty: start a new cluster)' },
  clusterSecret: { env: 'CLUSTER_SECRET', flag: 'cluster-secret', help: 'shared secret a node must prove to join the cluster (required with GOSSIP_SEEDS)' },
  gossipDeadAfter: { env: 'GOSSIP_DEAD_AFTER_MS', flag: 'gossip-dead-after-ms', default: '5000', help: 'ms of silence after which a node is dead and its feeds move (1000-60000)' },
  placement: { env: 'PLACEMENT', flag: 'placement', default: 'random', help: 'where StartFeed puts a feed: random or least-loaded (among nodes with a free place)' },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const where = (s: Setting) => `${s.env} (--${s.flag})`;

function port(s: Setting, raw: string, allowZero: boolean): number {
  if (!/^\d+$/.test(raw) || Number(raw) > 65535 || (!allowZero && Number(raw) === 0)) {
    throw new ConfigError(`${where(s)}: ${JSON.stringify(raw)} is not a port (${allowZero ? 0 : 1}-65535)`);
  }
  return Number(raw);
}

function oneOf<T extends string>(s: Setting, raw: string, values: readonly T[]): T {
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(`${where(s)}: ${JSON.stringify(raw)} is not one of ${values.join(', ')}`);
  return raw as T;
}

const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * Reads the node's configuration: a flag wins over its environment variable, which wins over the
 * default. Throws ConfigError naming the first bad setting.
 *
 * @param venues the venues this build knows, with the URL names each accepts (for VENUE_URLS)
 */
export function loadConfig(env: NodeJS.ProcessEnv, flags: Readonly<Record<string, string | undefined>>, venues: Readonly<Record<string, readonly string[]>>): NodeConfig {
  const value = (name: SettingName): string | undefined => {
    const s: Setting = SETTINGS[name];
    const raw = flags[s.flag] ?? env[s.env];
    if (raw === undefined || raw.trim() === '') return s.default;
    return raw.trim();
  };
  const must = (name: SettingName): string => value(name) as string;

  const nodeName = value('nodeName') ?? hostname();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(nodeName)) {
    throw new ConfigError(`${where(SETTINGS.nodeName)}: ${JSON.stringify(nodeName)} is not a node name (letters, digits, '.', '_', '-'; up to 63)`);
  }
  const rpcHost = must('rpcHost');
  const rpcPort = port(SETTINGS.rpcPort, must('rpcPort'), true);
  const advertise = value('rpcAdvertise');
  if (advertise !== undefined && !HOST_PORT.test(advertise)) throw new ConfigError(`${where(SETTINGS.rpcAdvertise)}: ${JSON.stringify(advertise)} is not host:port`);
  const loopback = rpcHost === '127.0.0.1' || rpcHost === 'localhost' || rpcHost === '::1';
  const rpcAdvertise = advertise ?? `${loopback ? '127.0.0.1' : nodeName}:${rpcPort}`;

  const cert = value('rpcTlsCert');
  const key = value('rpcTlsKey');
  if ((cert === undefined) !== (key === undefined)) {
    const missing = cert === undefined ? SETTINGS.rpcTlsCert : SETTINGS.rpcTlsKey;
    throw new ConfigError(`${where(missing)}: TLS needs both RPC_TLS_CERT and RPC_TLS_KEY`);
  }
  for (const [file, s] of [
    [cert, SETTINGS.rpcTlsCert],
    [key, SETTINGS.rpcTlsKey],
  ] as const) {
    if (file !== undefined && !existsSync(file)) throw new ConfigError(`${where(s)}: no such file ${JSON.stringify(file)}`);
  }

  const kafkaBrokers = must('kafkaBrokers').split(',').map((b) => b.trim());
  for (const b of kafkaBrokers) if (!HOST_PORT.test(b)) throw new ConfigError(`${where(SETTINGS.kafkaBrokers)}: ${JSON.stringify(b)} is not host:port`);

  const maxRaw = must('maxDataFeeds');
  if (!/^\d+$/.test(maxRaw) || Number(maxRaw) < 1 || Number(maxRaw) > 10_000) {
    throw new ConfigError(`${where(SETTINGS.maxDataFeeds)}: ${JSON.stringify(maxRaw)} is not a number of feeds (1-10000)`);
  }
  const topics = { spread: must('topicSpread'), trade: must('topicTrade'), status: must('topicStatus') };
  for (const [name, topic] of [
    ['topicSpread', topics.spread],
    ['topicTrade', topics.trade],
    ['topicStatus', topics.status],
  ] as const) {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) throw new ConfigError(`${where(SETTINGS[name])}: ${JSON.stringify(topic)} is not a Kafka topic name`);
  }
  if (new Set(Object.values(topics)).size !== 3) throw new ConfigError(`${where(SETTINGS.topicStatus)}: the three topics must differ`);
  const feedsTopic = must('topicFeeds');
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(feedsTopic)) throw new ConfigError(`${where(SETTINGS.topicFeeds)}: ${JSON.stringify(feedsTopic)} is not a Kafka topic name`);
  if (Object.values(topics).includes(feedsTopic)) throw new ConfigError(`${where(SETTINGS.topicFeeds)}: must differ from the event topics`);

  const gossipAdvertise = value('gossipAdvertise');
  if (gossipAdvertise !== undefined && !IPV4.test(gossipAdvertise)) throw new ConfigError(`${where(SETTINGS.gossipAdvertise)}: ${JSON.stringify(gossipAdvertise)} is not an IPv4 address`);
  const gossipHost = must('gossipHost');
  if (!IPV4.test(gossipHost)) throw new ConfigError(`${where(SETTINGS.gossipHost)}: ${JSON.stringify(gossipHost)} is not an IPv4 address (discv5 records carry IPv4)`);
  const seeds = (value('gossipSeeds') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const s of seeds) if (!HOST_PORT.test(s)) throw new ConfigError(`${where(SETTINGS.gossipSeeds)}: ${JSON.stringify(s)} is not host:port (the gRPC address of a running node)`);
  const secret = value('clusterSecret');
  if (seeds.length > 0 && secret === undefined) {
    throw new ConfigError(`${where(SETTINGS.clusterSecret)}: required with GOSSIP_SEEDS: nodes admit only peers that prove the cluster secret`);
  }
  const deadRaw = must('gossipDeadAfter');
  if (!/^\d+$/.test(deadRaw) || Number(deadRaw) < 1_000 || Number(deadRaw) > 60_000) {
    throw new ConfigError(`${where(SETTINGS.gossipDeadAfter)}: ${JSON.stringify(deadRaw)} is not a time in ms (1000-60000)`);
  }

  return {
    nodeName,
    rpcHost,
    rpcPort,
    rpcAdvertise,
    rpcToken: value('rpcToken'),
    rpcTls: cert !== undefined && key !== undefined ? { certFile: cert, keyFile: key } : undefined,
    kafkaBrokers,
    kafkaEncoding: oneOf(SETTINGS.kafkaEncoding, must('kafkaEncoding'), ['json', 'protobuf'] as const),
    kafkaCompression: oneOf(SETTINGS.kafkaCompression, must('kafkaCompression'), ['none', 'gzip'] as const),
    topics,
    maxDataFeeds: Number(maxRaw),
    metricsHost: must('metricsHost'),
    metricsPort: port(SETTINGS.metricsPort, must('metricsPort'), true),
    logLevel: oneOf(SETTINGS.logLevel, must('logLevel'), LOG_LEVELS),
    venueUrls: parseVenueUrls(value('venueUrls'), venues),
    feedsTopic,
    gossip: {
      host: gossipHost,
      port: port(SETTINGS.gossipPort, must('gossipPort'), true),
      advertise: gossipAdvertise,
      seeds,
      secret,
      deadAfterMs: Number(deadRaw),
    },
    placement: oneOf(SETTINGS.placement, must('placement'), ['random', 'least-loaded'] as const),
  };
}

function parseVenueUrls(raw: string | undefined, venues: Readonly<Record<string, readonly string[]>>): Record<string, Record<string, string>> {
  if (raw === undefined) return {};
  const s = SETTINGS.venueUrls;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(`${where(s)}: not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`${where(s)}: must be a JSON object of venues`);
  const out: Record<string, Record<string, string>> = {};
  for (const [venue, urls] of Object.entries(parsed)) {
    const names = venues[venue];
    if (!names) throw new ConfigError(`${where(s)}: unknown venue ${JSON.stringify(venue)}; venues: ${Object.keys(venues).join(', ')}`);
    if (typeof urls !== 'object' || urls === null || Array.isArray(urls)) throw new ConfigError(`${where(s)}: ${venue} must map URL names to URLs`);
    out[venue] = {};
    for (const [name, url] of Object.entries(urls)) {
      if (!names.includes(name)) throw new ConfigError(`${where(s)}: ${venue} has no URL named ${JSON.stringify(name)}; it has: ${names.join(', ')}`);
      if (typeof url !== 'string' || !/^(wss?|https?):\/\/./.test(url)) throw new ConfigError(`${where(s)}: ${venue}.${name} must be a ws(s):// or http(s):// URL`);
      out[venue][name] = url;
    }
  }
  return out;
}

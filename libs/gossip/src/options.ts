import { isIPv4 } from 'node:net';
import { validateMeta } from './meta.js';
import type { GossipLogger, GossipOptions, NodeMeta } from './types.js';

export const DEFAULTS = {
  probeIntervalMs: 500,
  probeTimeoutMs: 500,
  suspectAfterMs: 1500,
  deadAfterMs: 5000,
  deadProbeIntervalMs: 2000,
} as const;

const ignore = (): void => undefined;
export const silentLogger: GossipLogger = { debug: ignore, info: ignore, warn: ignore };

export interface Settings {
  readonly host: string;
  readonly port: number;
  readonly advertiseHost: string;
  readonly secret: string;
  readonly meta: NodeMeta;
  readonly seeds: readonly string[];
  readonly resolveSeed: ((seed: string) => Promise<string>) | undefined;
  readonly probeIntervalMs: number;
  readonly probeTimeoutMs: number;
  readonly suspectAfterMs: number;
  readonly deadAfterMs: number;
  readonly deadProbeIntervalMs: number;
  readonly logger: GossipLogger;
}

const fail = (message: string): never => {
  throw new Error(`gossip: ${message}`);
};

function duration(name: keyof typeof DEFAULTS, value: number | undefined): number {
  const ms = value ?? DEFAULTS[name];
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) fail(`${name} must be a positive number of milliseconds (got ${String(value)})`);
  return ms;
}

/** Options with defaults applied; throws a clear Error for anything unusable. */
export function resolveOptions(options: GossipOptions): Settings {
  if (typeof options.secret !== 'string' || options.secret === '') fail('secret must be a non-empty string (the cluster secret)');
  if (!isIPv4(options.host)) fail(`host must be an IPv4 address (got '${String(options.host)}')`);
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) fail(`port must be an integer 0..65535 (got ${String(options.port)})`);
  const advertiseHost = options.advertiseHost ?? options.host;
  if (options.advertiseHost !== undefined && !isIPv4(options.advertiseHost)) fail(`advertiseHost must be an IPv4 address (got '${options.advertiseHost}')`);
  if (advertiseHost === '0.0.0.0') fail('advertiseHost is required when host is 0.0.0.0: peers need an address they can reach');
  const suspectAfterMs = duration('suspectAfterMs', options.suspectAfterMs);
  const deadAfterMs = duration('deadAfterMs', options.deadAfterMs);
  if (deadAfterMs < suspectAfterMs) fail(`deadAfterMs (${deadAfterMs}) must be >= suspectAfterMs (${suspectAfterMs})`);
  const seeds = [...(options.seeds ?? [])];
  for (const seed of seeds) {
    if (typeof seed !== 'string' || seed === '') fail('every seed must be a non-empty string');
    if (!seed.startsWith('enr:') && !options.resolveSeed) fail(`seed '${seed}' is not an ENR text, so resolveSeed is required`);
  }
  return {
    host: options.host,
    port: options.port,
    advertiseHost,
    secret: options.secret,
    meta: validateMeta(options.meta),
    seeds,
    resolveSeed: options.resolveSeed,
    probeIntervalMs: duration('probeIntervalMs', options.probeIntervalMs),
    probeTimeoutMs: duration('probeTimeoutMs', options.probeTimeoutMs),
    suspectAfterMs,
    deadAfterMs,
    deadProbeIntervalMs: duration('deadProbeIntervalMs', options.deadProbeIntervalMs),
    logger: options.logger ?? silentLogger,
  };
}

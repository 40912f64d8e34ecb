import type { NodeMeta } from './types.js';

/** The custom ENR key holding the meta. */
export const META_KEY = 'l4';

/** Wire form: JSON with one-letter keys, because the whole record must stay under 300 bytes. */
interface WireMeta {
  n: string;
  a: string;
  f: number;
  m: number;
  v?: string;
  s?: number;
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;

/** Why the meta is unusable, or undefined when it is fine. */
function metaProblem(meta: NodeMeta): string | undefined {
  if (typeof meta !== 'object' || meta === null) return 'meta must be an object';
  if (typeof meta.name !== 'string' || meta.name === '') return 'meta.name must be a non-empty string';
  if (typeof meta.address !== 'string' || meta.address === '') return 'meta.address must be a non-empty string (host:port)';
  if (!isCount(meta.feeds)) return 'meta.feeds must be a finite number >= 0';
  if (!isCount(meta.maxFeeds)) return 'meta.maxFeeds must be a finite number >= 0';
  if (meta.version !== undefined && typeof meta.version !== 'string') return 'meta.version must be a string';
  if (meta.startedAtUs !== undefined && !isCount(meta.startedAtUs)) return 'meta.startedAtUs must be a finite number >= 0';
  return undefined;
}

/** Throws a clear Error for a meta that cannot be announced. Returns a copy without extra fields. */
export function validateMeta(meta: NodeMeta): NodeMeta {
  const problem = metaProblem(meta);
  if (problem) throw new Error(`gossip: ${problem}`);
  return {
    name: meta.name,
    address: meta.address,
    feeds: meta.feeds,
    maxFeeds: meta.maxFeeds,
    ...(meta.version === undefined ? {} : { version: meta.version }),
    ...(meta.startedAtUs === undefined ? {} : { startedAtUs: meta.startedAtUs }),
  };
}

export function encodeMeta(meta: NodeMeta): Uint8Array {
  const wire: WireMeta = { n: meta.name, a: meta.address, f: meta.feeds, m: meta.maxFeeds };
  if (meta.version !== undefined) wire.v = meta.version;
  if (meta.startedAtUs !== undefined) wire.s = meta.startedAtUs;
  return new TextEncoder().encode(JSON.stringify(wire));
}

/** The meta in a peer's record, or undefined when it is missing or malformed (never throws). */
export function decodeMeta(bytes: Uint8Array | undefined): NodeMeta | undefined {
  if (!bytes) return undefined;
  let wire: Partial<WireMeta>;
  try {
    wire = JSON.parse(new TextDecoder().decode(bytes)) as Partial<WireMeta>;
  } catch {
    return undefined;
  }
  if (typeof wire !== 'object' || wire === null) return undefined;
  const meta = {
    name: wire.n,
    address: wire.a,
    feeds: wire.f,
    maxFeeds: wire.m,
    ...(wire.v === undefined ? {} : { version: wire.v }),
    ...(wire.s === undefined ? {} : { startedAtUs: wire.s }),
  } as NodeMeta;
  return metaProblem(meta) ? undefined : meta;
}

export function sameMeta(a: NodeMeta, b: NodeMeta): boolean {
  return (
    a.name === b.name &&
    a.address === b.address &&
    a.feeds === b.feeds &&
    a.maxFeeds === b.maxFeeds &&
    a.version === b.version &&
    a.startedAtUs === b.startedAtUs
  );
}

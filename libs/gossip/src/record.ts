import { ENR, SignableENR } from '@chainsafe/enr';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { IDiscv5CreateOptions } from '@chainsafe/discv5';
import { encodeMeta, META_KEY } from './meta.js';
import type { NodeMeta } from './types.js';

/** discv5 refuses records of 300 bytes or more (EIP-778 limit). */
export const MAX_RECORD_BYTES = 299;

export interface OwnRecord {
  readonly privateKey: IDiscv5CreateOptions['privateKey'];
  readonly enr: SignableENR;
}

function tooLarge(size: number, meta: NodeMeta): Error {
  return new Error(
    `gossip: meta too large for the node record (${size} bytes, at most ${MAX_RECORD_BYTES}); ` +
      `shorten name, address or version (name '${meta.name.slice(0, 40)}')`,
  );
}

/** A fresh secp256k1 key per start: a restarted node is a new node id, its name ties the two. */
export async function createRecord(ip: string, udpPort: number, meta: NodeMeta): Promise<OwnRecord> {
  const privateKey = await generateKeyPair('secp256k1');
  const enr = SignableENR.createFromPrivateKey(privateKey);
  enr.ip = ip;
  enr.udp = udpPort;
  setRecordMeta(enr, meta);
  return { privateKey, enr };
}

/** Stores the meta in the record (bumps seq), or throws without touching it when it would not fit. */
export function setRecordMeta(enr: SignableENR, meta: NodeMeta): void {
  const value = encodeMeta(meta);
  const kvs = new Map(enr.kvs);
  kvs.set(META_KEY, value);
  // Sign a throwaway copy first: SignableENR.encode() throws only once the record is already changed.
  const size = SignableENR.fromObject({ kvs, seq: enr.seq + 1n, privateKey: enr.privateKey }).encode().length;
  if (size > MAX_RECORD_BYTES) throw tooLarge(size, meta);
  enr.set(META_KEY, value);
}

export function recordText(bytes: Uint8Array): string {
  return `enr:${Buffer.from(bytes).toString('base64url')}`;
}

/**
 * Decoded peer records by their exact bytes. Decoding verifies the signature (about 2 ms), and
 * every probe carries records that almost never change, so each distinct record is verified once.
 */
export class RecordCache {
  private readonly byText = new Map<string, ENR>();

  constructor(private readonly capacity = 1024) {}

  /** The verified record, or undefined for bytes that are not a valid signed record. */
  decode(bytes: Uint8Array): ENR | undefined {
    return this.decodeText(recordText(bytes));
  }

  decodeText(text: string): ENR | undefined {
    const known = this.byText.get(text);
    if (known) return known;
    let enr: ENR;
    try {
      enr = ENR.decodeTxt(text);
      enr.encode(); // throws for records over the size limit
    } catch {
      return undefined;
    }
    if (this.byText.size >= this.capacity) {
      const oldest = this.byText.keys().next().value;
      if (oldest !== undefined) this.byText.delete(oldest);
    }
    this.byText.set(text, enr);
    return enr;
  }
}

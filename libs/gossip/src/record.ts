import { ENR, SignableENR } from '@chainsafe/enr';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { IDiscv5CreateOptions } from '@chainsafe/discv5';
import { encodeMeta, META_KEY } from './meta.js';
import type { NodeMeta } from './types.js';

export interface OwnRecord {
  readonly privateKey: IDiscv5CreateOptions['privateKey'];
  readonly enr: SignableENR;
}

function tooLarge(meta: NodeMeta): Error {
  const bytes = encodeMeta(meta).length;
  return new Error(
    `gossip: meta too large for the node record (${bytes} bytes of meta; the record must stay under 300 bytes, ` +
      `which leaves about 160 for the meta); ` +
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
  // Encode a throwaway copy first: the real record would only fail once already changed.
  try {
    SignableENR.fromObject({ kvs, seq: enr.seq + 1n, privateKey: enr.privateKey }).encode();
  } catch {
    throw tooLarge(meta);
  }
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

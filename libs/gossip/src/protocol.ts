import { createHmac, timingSafeEqual } from 'node:crypto';

/** TALKREQ protocol id of our messages. */
export const TALK_PROTOCOL = 'level4/1';
export const WIRE_VERSION = 1;
/** A message stamped further than this from our clock is dropped (bounds replays, catches bad clocks). */
export const MAX_CLOCK_SKEW_MS = 30_000;

/**
 * A discv5 packet is at most 1280 bytes. A request that opens a session travels in a handshake
 * packet that also carries our record (< 300 bytes) and about 210 bytes of header, signature and
 * key, so requests stay under 700 bytes; responses always ride an established session.
 */
export const REQUEST_PAYLOAD_LIMIT = 700;
export const RESPONSE_PAYLOAD_LIMIT = 1000;

const HEADER_BYTES = 10; // version, kind, sentAtMs (u64)
const MAC_BYTES = 32;
const LENGTH_BYTES = 2;

export type MessageKind = 'probe' | 'ack' | 'leave';
const KIND_CODE: Record<MessageKind, number> = { probe: 1, ack: 2, leave: 3 };
const KIND_BY_CODE = new Map(Object.entries(KIND_CODE).map(([kind, code]) => [code, kind as MessageKind]));

export interface GossipMessage {
  readonly kind: MessageKind;
  readonly sentAtMs: number;
  /** The sender's own record (ENR bytes): its address and meta, signed by its key. */
  readonly record: Uint8Array;
  /** Records of members the sender sees alive: how members learn of each other. */
  readonly records: readonly Uint8Array[];
}

/** Who sends to whom (hex node ids, as discv5 authenticated them): part of the MAC. */
export interface Link {
  readonly from: string;
  readonly to: string;
}

export type Decoded = { readonly ok: true; readonly message: GossipMessage } | { readonly ok: false; readonly reason: string };

/**
 * Layout: version u8 | kind u8 | sentAtMs u64 | (length u16 | record)+ | mac[32], where
 * mac = HMAC-SHA256(secret, version | kind | sentAtMs | from id | to id | records). The ids bind
 * a message to one sender and one receiver, so it cannot be replayed towards anyone else.
 */
export class MessageCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(secret, 'utf8');
  }

  /** Encodes the message; trailing `records` that would pass `limit` bytes are left out. */
  encode(message: GossipMessage, link: Link, limit: number): Uint8Array {
    const items = [message.record];
    let size = HEADER_BYTES + LENGTH_BYTES + message.record.length + MAC_BYTES;
    for (const record of message.records) {
      if (size + LENGTH_BYTES + record.length > limit) continue;
      items.push(record);
      size += LENGTH_BYTES + record.length;
    }
    const out = Buffer.alloc(size);
    out.writeUInt8(WIRE_VERSION, 0);
    out.writeUInt8(KIND_CODE[message.kind], 1);
    out.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(message.sentAtMs))), 2);
    let at = HEADER_BYTES;
    for (const item of items) {
      out.writeUInt16BE(item.length, at);
      out.set(item, at + LENGTH_BYTES);
      at += LENGTH_BYTES + item.length;
    }
    this.mac(out.subarray(0, at), link).copy(out, at);
    return out;
  }

  /** Checks MAC, version and clock, then parses. Never throws: any input gives a result. */
  decode(payload: Uint8Array, link: Link, nowMs: number): Decoded {
    const data = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    if (data.length < HEADER_BYTES + MAC_BYTES) return { ok: false, reason: 'too short' };
    const signed = data.subarray(0, data.length - MAC_BYTES);
    const mac = data.subarray(data.length - MAC_BYTES);
    let expected: Buffer;
    try {
      expected = this.mac(signed, link);
    } catch {
      return { ok: false, reason: 'bad node id' };
    }
    if (!timingSafeEqual(mac, expected)) return { ok: false, reason: 'bad mac' };
    if (data.readUInt8(0) !== WIRE_VERSION) return { ok: false, reason: `version ${data.readUInt8(0)}` };
    const kind = KIND_BY_CODE.get(data.readUInt8(1));
    if (!kind) return { ok: false, reason: `unknown kind ${data.readUInt8(1)}` };
    const sentAtMs = Number(data.readBigUInt64BE(2));
    if (Math.abs(nowMs - sentAtMs) > MAX_CLOCK_SKEW_MS) return { ok: false, reason: `clock skew ${nowMs - sentAtMs} ms` };
    const items: Uint8Array[] = [];
    let at = HEADER_BYTES;
    while (at < signed.length) {
      if (at + LENGTH_BYTES > signed.length) return { ok: false, reason: 'truncated length' };
      const length = signed.readUInt16BE(at);
      at += LENGTH_BYTES;
      if (at + length > signed.length) return { ok: false, reason: 'truncated record' };
      items.push(new Uint8Array(signed.subarray(at, at + length)));
      at += length;
    }
    const [record, ...records] = items;
    if (!record) return { ok: false, reason: 'no sender record' };
    return { ok: true, message: { kind, sentAtMs, record, records } };
  }

  private mac(signed: Buffer, link: Link): Buffer {
    const from = Buffer.from(link.from, 'hex');
    const to = Buffer.from(link.to, 'hex');
    if (from.length !== 32 || to.length !== 32) throw new Error('node ids are 32 bytes');
    return createHmac('sha256', this.key).update(signed.subarray(0, HEADER_BYTES)).update(from).update(to).update(signed.subarray(HEADER_BYTES)).digest();
  }
}

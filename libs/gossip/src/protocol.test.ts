import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_SKEW_MS, MessageCodec, REQUEST_PAYLOAD_LIMIT, type Decoded, type GossipMessage, type Link } from './protocol.js';

const alice = 'aa'.repeat(32);
const bob = 'bb'.repeat(32);
const carol = 'cc'.repeat(32);
const link: Link = { from: alice, to: bob };
const now = 1_700_000_000_000;
const record = (fill: number, size = 230): Uint8Array => new Uint8Array(size).fill(fill);

const probe: GossipMessage = { kind: 'probe', sentAtMs: now, record: record(1), records: [record(2), record(3)] };

describe('MessageCodec', () => {
  const codec = new MessageCodec('secret');

  it('round-trips a message between the two ends of a link', () => {
    const payload = codec.encode(probe, link, 2000);
    const decoded = codec.decode(payload, link, now + 500);
    expect(decoded).toEqual({ ok: true, message: probe });
  });

  it('leaves out the gossiped records that would pass the size limit, never the sender record', () => {
    const payload = codec.encode({ ...probe, records: [record(2), record(3), record(4)] }, link, REQUEST_PAYLOAD_LIMIT);
    expect(payload.length).toBeLessThanOrEqual(REQUEST_PAYLOAD_LIMIT);
    const decoded = codec.decode(payload, link, now);
    expect(decoded.ok && decoded.message.records).toEqual([record(2)]); // 10 + 232 + 232 + 32 bytes; a third would pass 700
    expect(decoded.ok && decoded.message.record).toEqual(record(1));
  });

  it.each<[string, (p: Uint8Array) => Decoded]>([
    ['another secret', (p) => new MessageCodec('other').decode(p, link, now)],
    ['another sender', (p) => codec.decode(p, { from: carol, to: bob }, now)],
    ['another receiver (a replay towards someone else)', (p) => codec.decode(p, { from: alice, to: carol }, now)],
    ['a flipped byte', (p) => codec.decode(p.map((b, i) => (i === 20 ? b ^ 1 : b)), link, now)],
    ['no MAC', (p) => codec.decode(p.subarray(0, p.length - 32), link, now)],
  ])('rejects a message checked with %s', (_what, check) => {
    expect(check(codec.encode(probe, link, 2000))).toMatchObject({ ok: false, reason: expect.stringMatching(/mac|short/) });
  });

  it('rejects a stale or future timestamp', () => {
    const payload = codec.encode(probe, link, 2000);
    expect(codec.decode(payload, link, now + MAX_CLOCK_SKEW_MS + 1)).toMatchObject({ ok: false, reason: expect.stringMatching(/clock skew/) });
    expect(codec.decode(payload, link, now - MAX_CLOCK_SKEW_MS - 1)).toMatchObject({ ok: false });
  });

  it('never throws on garbage', () => {
    for (let i = 0; i < 500; i++) {
      const garbage = randomBytes(i % 300);
      expect(codec.decode(garbage, link, now).ok).toBe(false);
    }
    expect(codec.decode(new Uint8Array(64), { from: 'zz', to: bob }, now).ok).toBe(false);
  });
});

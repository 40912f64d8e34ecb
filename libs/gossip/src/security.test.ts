import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { Discv5 } from '@chainsafe/discv5';
import { ENR, SignableENR } from '@chainsafe/enr';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { multiaddr } from '@multiformats/multiaddr';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startGossip, type Gossip, type GossipOptions } from './index.js';
import { TALK_PROTOCOL } from './protocol.js';

const fast = { probeIntervalMs: 200, probeTimeoutMs: 300, suspectAfterMs: 1000, deadAfterMs: 2500, deadProbeIntervalMs: 500 };
const waitLong = { timeout: 15_000, interval: 50 };

let nodes: Gossip[] = [];
let outsiders: Discv5[] = [];
afterEach(async () => {
  await Promise.all([...nodes.map((n) => n.close()), ...outsiders.map((o) => o.stop())]);
  nodes = [];
  outsiders = [];
});

async function start(name: string, options: Partial<GossipOptions> = {}): Promise<Gossip> {
  const node = await startGossip({
    host: '127.0.0.1',
    port: 0,
    secret: 'cluster-secret',
    meta: { name, address: `127.0.0.1:5005${nodes.length}`, feeds: 0, maxFeeds: 10 },
    ...fast,
    ...options,
  });
  nodes.push(node);
  return node;
}

/** A plain discv5 node (no secret): what an outsider on the network could run. */
async function startOutsider(): Promise<Discv5> {
  const probe = createSocket('udp4');
  const port = await new Promise<number>((resolve) => probe.bind(0, '127.0.0.1', () => resolve(probe.address().port)));
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const privateKey = await generateKeyPair('secp256k1');
  const enr = SignableENR.createFromPrivateKey(privateKey);
  enr.ip = '127.0.0.1';
  enr.udp = port;
  const outsider = Discv5.create({
    enr,
    privateKey,
    bindAddrs: { ip4: multiaddr(`/ip4/127.0.0.1/udp/${port}`) },
    config: { requestTimeout: 2000, enrUpdate: false }, // generous: the answers it does get must not time out
  });
  await outsider.start();
  outsiders.push(outsider);
  return outsider;
}

describe('gossip without the secret', () => {
  it('a node with the wrong secret is never admitted and admits no one; its messages are rejected', async () => {
    const a = await start('a');
    const b = await start('b', { seeds: [a.record] });
    const intruder = await start('intruder', { secret: 'wrong', seeds: [a.record] });
    // c also seeds from the intruder: c's probes reach it and are rejected there.
    const c = await start('c', { seeds: [a.record, intruder.record] });

    await vi.waitFor(() => {
      expect(c.alive()).toHaveLength(2);
      expect(a.stats().messagesRejected).toBeGreaterThan(2);
      expect(intruder.stats().messagesRejected).toBeGreaterThan(2);
    }, waitLong);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // several more probe rounds

    for (const node of [a, b, c]) expect(node.members().map((m) => m.id)).not.toContain(intruder.id);
    expect(intruder.members()).toEqual([]);
    expect(intruder.stats()).toMatchObject({ membersAlive: 0 });
    expect(intruder.stats().probesSent).toBeGreaterThan(0);
    expect(intruder.stats().probesFailed).toBeGreaterThanOrEqual(intruder.stats().probesSent - 1); // the last may still be out
  });

  it('a plain discv5 node gets no answer to TALKREQ and no member records from FINDNODE', async () => {
    const a = await start('a');
    const b = await start('b', { seeds: [a.record] });
    await vi.waitFor(() => expect(a.alive()).toHaveLength(1), waitLong);
    const outsider = await startOutsider();
    const aRecord = ENR.decodeTxt(a.record);

    await expect(outsider.sendTalkReq(aRecord, randomBytes(120), TALK_PROTOCOL)).rejects.toThrow();
    await expect(outsider.sendFindNode(aRecord, [256, 255, 254, 253])).rejects.toThrow();
    // Its own record (FINDNODE [0]) is still served: discv5 needs it to refresh sessions.
    const own = await outsider.sendFindNode(aRecord, [0]);
    expect(own.map((r) => r.nodeId)).toEqual([a.id]);
    expect(a.stats().messagesRejected).toBeGreaterThanOrEqual(1);
    expect(a.members().map((m) => m.id)).toEqual([b.id]);
  });

  it('survives any UDP input: garbage datagrams do not crash it or stop it', async () => {
    const a = await start('a');
    const socket = createSocket('udp4');
    for (let i = 0; i < 200; i++) {
      const size = [0, 1, 20, 63, 64, 100, 1280, 1500, 60_000][i % 9] ?? 1;
      socket.send(randomBytes(size), a.port, '127.0.0.1');
    }
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    const b = await start('b', { seeds: [a.record] });
    await vi.waitFor(() => expect(a.alive().map((m) => m.id)).toEqual([b.id]), waitLong);
  });
});

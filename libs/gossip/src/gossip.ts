import type { Discv5 } from '@chainsafe/discv5';
import type { ENR } from '@chainsafe/enr';
import { Candidates } from './candidates.js';
import { onTalkReq, startDiscv5, type TalkReqListener } from './discv5-service.js';
import { MemberEvents } from './member-events.js';
import { MemberList } from './member-list.js';
import { decodeMeta, META_KEY, validateMeta } from './meta.js';
import { resolveOptions, type Settings } from './options.js';
import { MessageCodec, REQUEST_PAYLOAD_LIMIT, RESPONSE_PAYLOAD_LIMIT, TALK_PROTOCOL, type GossipMessage, type MessageKind } from './protocol.js';
import { createRecord, RecordCache, recordText, setRecordMeta, type OwnRecord } from './record.js';
import { SeedList } from './seeds.js';
import { TalkClient } from './talk-client.js';
import { bindUdp, DgramTransport } from './transport.js';
import type { Gossip, GossipEvent, GossipOptions, GossipStats, Member, MemberListener, NodeMeta } from './types.js';

/** Starts a node: binds UDP, starts discv5, then probes its seeds. Throws for bad options. */
export async function startGossip(options: GossipOptions): Promise<Gossip> {
  const settings = resolveOptions(options);
  const cache = new RecordCache();
  const seeds = new SeedList(settings.seeds, settings.resolveSeed, cache, settings.logger);
  // The record is built (and its size checked) before anything is bound.
  const own = await createRecord(settings.advertiseHost, settings.port, settings.meta);
  const socket = await bindUdp(settings.host, settings.port);
  try {
    if (own.enr.udp !== socket.address().port) own.enr.udp = socket.address().port;
    const transport = new DgramTransport(socket, own.enr.nodeId, settings.logger);
    const discv5 = await startDiscv5(own, transport, settings.probeTimeoutMs, settings.logger);
    return new GossipNode(settings, own, discv5, transport.port, cache, seeds);
  } catch (error) {
    socket.close(); // not yet handed to discv5, or discv5 failed to start on it
    throw error;
  }
}

const isMemberState = (state: string | undefined): boolean => state === 'alive' || state === 'suspect';

class GossipNode implements Gossip {
  readonly id: string;
  readonly port: number;
  private meta: NodeMeta;
  private ownBytes: Uint8Array;
  private readonly codec: MessageCodec;
  private readonly events: MemberEvents;
  private readonly list: MemberList;
  private readonly candidates: Candidates;
  private readonly talk: TalkClient;
  private readonly inFlight = new Set<string>();
  /** update() came while a probe was out: probe again as soon as it returns. */
  private readonly pushAgain = new Set<string>();
  private readonly nextProbeAtMs = new Map<string, number>();
  private readonly counters = { probesSent: 0, probesFailed: 0, messagesRejected: 0 };
  private readonly timer: NodeJS.Timeout;
  private readonly stopListening: () => void;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly own: OwnRecord,
    private readonly discv5: Discv5,
    port: number,
    private readonly cache: RecordCache,
    private readonly seeds: SeedList,
  ) {
    this.id = own.enr.nodeId;
    this.port = port;
    this.meta = settings.meta;
    this.ownBytes = own.enr.encode();
    this.codec = new MessageCodec(settings.secret);
    this.events = new MemberEvents(settings.logger);
    this.list = new MemberList(this.id, () => this.meta.name, settings, (event, member) => this.events.emit(event, member));
    this.candidates = new Candidates(settings.deadProbeIntervalMs, 3 * settings.deadProbeIntervalMs);
    // discv5 may take two request timeouts when a probe opens a session (random packet, handshake).
    this.talk = new TalkClient(discv5, 2 * settings.probeTimeoutMs + 1000);
    this.stopListening = onTalkReq(discv5, this.onTalkReq);
    // Fine-grained ticks, so each member keeps its own probe phase and silence is noticed promptly.
    this.timer = setInterval(() => this.tick(), Math.max(20, Math.min(100, settings.probeIntervalMs / 2)));
    this.tick();
  }

  get record(): string {
    return recordText(this.ownBytes);
  }

  self(): Member {
    return {
      id: this.id,
      meta: this.meta,
      state: this.closing ? 'left' : 'alive',
      gossipAddress: `${this.settings.advertiseHost}:${this.port}`,
      lastSeenMs: Date.now(),
      record: this.record,
    };
  }

  members(): Member[] {
    return this.list.members();
  }

  alive(): Member[] {
    return this.list.alive();
  }

  stats(): GossipStats {
    return { ...this.counters, membersAlive: this.list.aliveCount() };
  }

  update(meta: Partial<NodeMeta>): void {
    if (this.closing) return;
    const next = validateMeta({ ...this.meta, ...meta });
    setRecordMeta(this.own.enr, next); // throws, leaving the record as it was, when it would not fit
    this.meta = next;
    this.ownBytes = this.own.enr.encode();
    const now = Date.now();
    for (const target of this.list.probeTargets()) {
      if (!isMemberState(target.state)) continue;
      this.nextProbeAtMs.set(target.id, now + this.settings.probeIntervalMs);
      if (this.inFlight.has(target.id)) this.pushAgain.add(target.id);
      else this.probe(target.enr);
    }
  }

  on(event: GossipEvent, listener: MemberListener): this {
    this.events.on(event, listener);
    return this;
  }

  off(event: GossipEvent, listener: MemberListener): this {
    this.events.off(event, listener);
    return this;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.timer);
    this.stopListening();
    const targets = this.list.probeTargets().filter((t) => isMemberState(t.state));
    const leaves = targets.map((t) => this.talk.request(t.enr, this.encode('leave', t.id, [], REQUEST_PAYLOAD_LIMIT)).catch(() => undefined));
    let wait: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(leaves), new Promise((resolve) => (wait = setTimeout(resolve, this.settings.probeTimeoutMs)))]);
    clearTimeout(wait);
    this.talk.close();
    await this.discv5.stop();
    this.settings.logger.info({ id: this.id, name: this.meta.name }, 'gossip: closed');
  }

  private tick(): void {
    try {
      const now = Date.now();
      const { probeIntervalMs, deadProbeIntervalMs } = this.settings;
      this.list.sweep(now);
      for (const id of this.nextProbeAtMs.keys()) if (!this.list.has(id)) this.nextProbeAtMs.delete(id);
      for (const target of this.list.probeTargets()) {
        const due = this.nextProbeAtMs.get(target.id);
        if (due === undefined) {
          // A new member: first probe at a random point of the interval, to spread the load.
          this.nextProbeAtMs.set(target.id, now + Math.random() * probeIntervalMs);
        } else if (now >= due) {
          this.nextProbeAtMs.set(target.id, now + (target.state === 'dead' ? deadProbeIntervalMs : probeIntervalMs));
          this.probe(target.enr);
        }
      }
      for (const enr of this.candidates.due(now, (id) => this.list.has(id) || this.list.isRetired(id))) this.probe(enr);
      this.seeds.tick(now, deadProbeIntervalMs, (id) => isMemberState(this.list.state(id)), (enr) => this.probe(enr));
    } catch (error) {
      this.settings.logger.warn({ err: (error as Error).message }, 'gossip: tick failed');
    }
  }

  /** One probe to the node unless one is already out; an authenticated ack admits or refreshes it. */
  private probe(enr: ENR): void {
    const id = enr.nodeId;
    if (this.closing || id === this.id || this.inFlight.has(id)) return;
    this.inFlight.add(id);
    this.counters.probesSent++;
    this.talk
      .request(enr, this.encode('probe', id, this.list.aliveRecords(id, this.freshSince()), REQUEST_PAYLOAD_LIMIT))
      .then((answer) => {
        if (!this.closing && !this.onAck(id, answer)) this.counters.probesFailed++;
      })
      .catch((error: unknown) => {
        this.counters.probesFailed++;
        this.settings.logger.debug({ to: id, err: (error as Error)?.message }, 'gossip: probe failed');
      })
      .finally(() => {
        this.inFlight.delete(id);
        const latest = this.pushAgain.delete(id) ? this.list.record(id) : undefined;
        if (latest) this.probe(latest);
      });
  }

  private onAck(from: string, payload: Uint8Array): boolean {
    const decoded = this.codec.decode(payload, { from, to: this.id }, Date.now());
    if (!decoded.ok) return this.reject(from, decoded.reason);
    if (decoded.message.kind !== 'ack') return this.reject(from, `${decoded.message.kind} as an answer`);
    return this.heardFrom(from, decoded.message);
  }

  private readonly onTalkReq: TalkReqListener = (nodeAddr, _enr, request) => {
    try {
      if (this.closing || Buffer.from(request.protocol).toString() !== TALK_PROTOCOL) return;
      const from = nodeAddr.nodeId;
      const decoded = this.codec.decode(request.request, { from, to: this.id }, Date.now());
      if (!decoded.ok) {
        this.reject(from, decoded.reason); // and no answer: an outsider learns nothing
        return;
      }
      const { message } = decoded;
      if (this.list.isRetired(from)) return;
      if (message.kind === 'leave') {
        this.list.leave(from, Date.now());
        this.candidates.delete(from);
      } else if (message.kind !== 'probe') {
        this.reject(from, `${message.kind} as a request`);
        return;
      } else if (!this.heardFrom(from, message)) {
        return;
      }
      const records = message.kind === 'probe' ? this.list.aliveRecords(from, this.freshSince()) : [];
      this.discv5
        .sendTalkResp(nodeAddr, request.id, this.encode('ack', from, records, RESPONSE_PAYLOAD_LIMIT))
        .catch((error: unknown) => this.settings.logger.debug({ to: from, err: (error as Error)?.message }, 'gossip: ack not sent'));
    } catch (error) {
      this.settings.logger.warn({ err: (error as Error).message }, 'gossip: request handling failed');
    }
  };

  /** An authenticated probe or ack from `from`: admit or refresh it, then learn its gossip. */
  private heardFrom(from: string, message: GossipMessage): boolean {
    const enr = this.cache.decode(message.record);
    if (!enr || enr.nodeId !== from) return this.reject(from, 'sender record missing, invalid or not its own');
    const meta = decodeMeta(enr.kvs.get(META_KEY));
    if (!meta) return this.reject(from, 'sender meta missing or malformed');
    const known = this.list.has(from);
    if (!this.list.heardFrom(enr, meta, Date.now())) {
      this.settings.logger.debug({ from, name: meta.name }, 'gossip: node refused (retired id or name clash)');
      return false;
    }
    this.candidates.delete(from);
    if (!known && !this.discv5.getKadValue(from)) this.discv5.addEnr(enr);
    for (const bytes of message.records) this.learn(bytes);
    return true;
  }

  /** A record gossiped by a member: never trusted as alive, only probed. */
  private learn(bytes: Uint8Array): void {
    const enr = this.cache.decode(bytes);
    if (!enr) return;
    const id = enr.nodeId;
    const now = Date.now();
    if (id === this.id || this.list.has(id) || this.list.isRetired(id)) return;
    if (this.candidates.has(id)) return this.candidates.heard(id, now);
    if (decodeMeta(enr.kvs.get(META_KEY))?.name === this.meta.name) return; // an earlier run of us
    if (!this.discv5.getKadValue(id)) this.discv5.addEnr(enr);
    this.candidates.add(enr, now, now + this.settings.deadProbeIntervalMs);
    this.probe(enr);
  }

  /** Members admitted within the last few probe rounds count as fresh news. */
  private freshSince(): number {
    return Date.now() - 3 * this.settings.probeIntervalMs;
  }

  private encode(kind: MessageKind, to: string, records: Uint8Array[], limit: number): Uint8Array {
    return this.codec.encode({ kind, sentAtMs: Date.now(), record: this.ownBytes, records }, { from: this.id, to }, limit);
  }

  private reject(from: string, reason: string): false {
    this.counters.messagesRejected++;
    this.settings.logger.debug({ from, reason }, 'gossip: message rejected');
    return false;
  }
}

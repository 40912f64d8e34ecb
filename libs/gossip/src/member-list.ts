import type { ENR } from '@chainsafe/enr';
import { sameMeta } from './meta.js';
import { recordText } from './record.js';
import type { GossipEvent, Member, MemberState, NodeMeta } from './types.js';

interface Entry {
  readonly id: string;
  enr: ENR;
  bytes: Uint8Array;
  meta: NodeMeta;
  state: MemberState;
  lastSeenMs: number;
  /** When it was admitted or came back: fresh members are gossiped first. */
  joinedAtMs: number;
}

export interface Silence {
  readonly suspectAfterMs: number;
  readonly deadAfterMs: number;
}

/** Ids never admitted again: they said goodbye or their name came back under a new id. */
const RETIRED_CAPACITY = 4096;

const isMember = (state: MemberState): boolean => state === 'alive' || state === 'suspect';

/**
 * The membership table and its state machine, without I/O or timers: it is told what was heard
 * directly (an authenticated probe or ack), who left, and what time it is.
 */
export class MemberList {
  private readonly entries = new Map<string, Entry>();
  private readonly retired = new Set<string>();

  constructor(
    private readonly selfId: string,
    private readonly selfName: () => string,
    private readonly silence: Silence,
    private readonly emit: (event: GossipEvent, member: Member) => void,
  ) {}

  /**
   * An authenticated message straight from the node: admits it, brings it back, or refreshes it
   * (a record with a higher seq carries new meta). False when it is refused: our own id, a retired
   * id, our own name, or a name clash with a live member that started later.
   */
  heardFrom(enr: ENR, meta: NodeMeta, nowMs: number): boolean {
    const id = enr.nodeId;
    if (id === this.selfId || this.retired.has(id)) return false;
    const entry = this.entries.get(id);
    if (entry) {
      this.refresh(entry, enr, meta, nowMs);
      return true;
    }
    if (meta.name === this.selfName()) return false;
    const clash = [...this.entries.values()].find((e) => e.meta.name === meta.name);
    if (clash) {
      if (isMember(clash.state) && startedBefore(meta, clash.meta)) {
        this.retire(id); // the newcomer is the older process: a duplicate name, keep the newer one
        return false;
      }
      this.entries.delete(clash.id);
      this.retire(clash.id);
      if (isMember(clash.state)) this.emit('left', { ...snapshot(clash), state: 'left' });
    }
    const added: Entry = { id, enr, bytes: enr.encode(), meta, state: 'alive', lastSeenMs: nowMs, joinedAtMs: nowMs };
    this.entries.set(id, added);
    this.emit('joined', snapshot(added));
    return true;
  }

  /** The node said goodbye: final for its id (a restart comes back under a new id). */
  leave(id: string, nowMs: number): void {
    this.retire(id);
    const entry = this.entries.get(id);
    if (!entry || entry.state === 'left') return;
    const was = entry.state;
    entry.state = 'left';
    entry.lastSeenMs = nowMs;
    if (was !== 'dead') this.emit('left', snapshot(entry));
  }

  /** Silence makes members suspect, then dead. */
  sweep(nowMs: number): void {
    for (const entry of this.entries.values()) {
      if (!isMember(entry.state)) continue;
      const silentMs = nowMs - entry.lastSeenMs;
      if (silentMs >= this.silence.deadAfterMs) {
        entry.state = 'dead';
        this.emit('left', snapshot(entry));
      } else if (silentMs >= this.silence.suspectAfterMs && entry.state === 'alive') {
        entry.state = 'suspect';
        this.emit('updated', snapshot(entry));
      }
    }
  }

  isRetired(id: string): boolean {
    return this.retired.has(id);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  state(id: string): MemberState | undefined {
    return this.entries.get(id)?.state;
  }

  members(): Member[] {
    return [...this.entries.values()].map(snapshot);
  }

  alive(): Member[] {
    return this.members().filter((m) => isMember(m.state));
  }

  aliveCount(): number {
    let count = 0;
    for (const entry of this.entries.values()) if (isMember(entry.state)) count++;
    return count;
  }

  /** The latest record of a member not left. */
  record(id: string): ENR | undefined {
    const entry = this.entries.get(id);
    return entry && entry.state !== 'left' ? entry.enr : undefined;
  }

  /** Ids and records to probe: alive and suspect members, then dead ones (left ones never). */
  probeTargets(): { id: string; enr: ENR; state: MemberState }[] {
    return [...this.entries.values()].filter((e) => e.state !== 'left').map((e) => ({ id: e.id, enr: e.enr, state: e.state }));
  }

  /**
   * Records of alive and suspect members other than `exceptId`, for gossip: those that joined
   * since `freshSinceMs` first (so a newcomer spreads in a round or two), each group in random order.
   */
  aliveRecords(exceptId: string, freshSinceMs: number): Uint8Array[] {
    const fresh: Uint8Array[] = [];
    const others: Uint8Array[] = [];
    for (const e of this.entries.values()) {
      if (isMember(e.state) && e.id !== exceptId) (e.joinedAtMs >= freshSinceMs ? fresh : others).push(e.bytes);
    }
    return [...shuffle(fresh), ...shuffle(others)];
  }

  private refresh(entry: Entry, enr: ENR, meta: NodeMeta, nowMs: number): void {
    entry.lastSeenMs = nowMs;
    let metaChanged = false;
    if (enr.seq > entry.enr.seq) {
      metaChanged = !sameMeta(entry.meta, meta);
      entry.enr = enr;
      entry.bytes = enr.encode();
      entry.meta = meta;
    }
    const was = entry.state;
    entry.state = 'alive';
    if (was === 'dead') {
      entry.joinedAtMs = nowMs;
      this.emit('joined', snapshot(entry));
    } else if (was === 'suspect' || metaChanged) this.emit('updated', snapshot(entry));
  }

  private retire(id: string): void {
    if (this.retired.size >= RETIRED_CAPACITY) {
      const oldest = this.retired.values().next().value;
      if (oldest !== undefined) this.retired.delete(oldest);
    }
    this.retired.add(id);
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Both start times known and `a` started first. */
function startedBefore(a: NodeMeta, b: NodeMeta): boolean {
  return a.startedAtUs !== undefined && b.startedAtUs !== undefined && a.startedAtUs < b.startedAtUs;
}

function snapshot(entry: Entry): Member {
  return {
    id: entry.id,
    meta: entry.meta,
    state: entry.state,
    gossipAddress: `${entry.enr.ip ?? '?'}:${entry.enr.udp ?? '?'}`,
    lastSeenMs: entry.lastSeenMs,
    record: recordText(entry.bytes),
  };
}

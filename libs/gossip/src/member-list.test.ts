import type { ENR, SignableENR } from '@chainsafe/enr';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemberList } from './member-list.js';
import { createRecord, setRecordMeta } from './record.js';
import type { GossipEvent, NodeMeta } from './types.js';

const silence = { suspectAfterMs: 1000, deadAfterMs: 3000 };
const meta = (name: string, more: Partial<NodeMeta> = {}): NodeMeta => ({ name, address: `${name}:50051`, feeds: 0, maxFeeds: 10, ...more });

/** A peer's record as another node would receive it. */
async function peer(name: string, more: Partial<NodeMeta> = {}): Promise<{ signable: SignableENR; enr: () => ENR; meta: NodeMeta }> {
  const { enr } = await createRecord('127.0.0.1', 9000, meta(name, more));
  return { signable: enr, enr: () => enr.toENR(), meta: meta(name, more) };
}

describe('MemberList', () => {
  let events: string[];
  let list: MemberList;
  beforeEach(() => {
    events = [];
    const record = (event: GossipEvent, m: { meta: NodeMeta; state: string }): number => events.push(`${event} ${m.meta.name} ${m.state}`);
    list = new MemberList('00'.repeat(32), () => 'me', silence, record);
  });

  it('admits a node heard from directly, then suspects, kills and revives it by silence', async () => {
    const b = await peer('b');
    expect(list.heardFrom(b.enr(), b.meta, 0)).toBe(true);
    list.sweep(999);
    list.sweep(1000);
    list.heardFrom(b.enr(), b.meta, 1500); // suspect -> alive
    list.sweep(2500);
    list.sweep(4500);
    expect(list.alive()).toEqual([]);
    expect(list.members()[0]).toMatchObject({ state: 'dead', lastSeenMs: 1500, gossipAddress: '127.0.0.1:9000' });
    list.heardFrom(b.enr(), b.meta, 9000);
    expect(events).toEqual(['joined b alive', 'updated b suspect', 'updated b alive', 'updated b suspect', 'left b dead', 'joined b alive']);
  });

  it('takes new meta only from a record with a higher seq, and says so once', async () => {
    const b = await peer('b');
    list.heardFrom(b.enr(), b.meta, 0);
    const stale = b.enr();
    setRecordMeta(b.signable, meta('b', { feeds: 5 }));
    list.heardFrom(b.enr(), meta('b', { feeds: 5 }), 10);
    list.heardFrom(stale, b.meta, 20); // an older record arriving late changes nothing
    expect(list.alive()[0]?.meta.feeds).toBe(5);
    expect(events).toEqual(['joined b alive', 'updated b alive']);
  });

  it("a goodbye is final for that id: 'left' once, never admitted again", async () => {
    const b = await peer('b');
    list.heardFrom(b.enr(), b.meta, 0);
    list.leave(b.enr().nodeId, 100);
    list.leave(b.enr().nodeId, 200);
    expect(list.heardFrom(b.enr(), b.meta, 300)).toBe(false);
    expect(list.members()[0]).toMatchObject({ state: 'left', lastSeenMs: 100 });
    expect(events).toEqual(['joined b alive', 'left b left']);
  });

  it('a name back under a new id replaces the entry: left for a live old one, then joined', async () => {
    const old = await peer('b');
    const restarted = await peer('b');
    list.heardFrom(old.enr(), old.meta, 0);
    list.heardFrom(restarted.enr(), restarted.meta, 100);
    expect(list.members().map((m) => m.id)).toEqual([restarted.enr().nodeId]);
    expect(list.heardFrom(old.enr(), old.meta, 200)).toBe(false); // the old id is retired
    expect(events).toEqual(['joined b alive', 'left b left', 'joined b alive']);
  });

  it('replaces a dead entry without a second left', async () => {
    const old = await peer('b');
    list.heardFrom(old.enr(), old.meta, 0);
    list.sweep(5000);
    const restarted = await peer('b');
    list.heardFrom(restarted.enr(), restarted.meta, 6000);
    expect(events).toEqual(['joined b alive', 'left b dead', 'joined b alive']);
  });

  it('with start times known, two live nodes under one name keep the later one (no flapping)', async () => {
    const newer = await peer('b', { startedAtUs: 2_000 });
    const older = await peer('b', { startedAtUs: 1_000 });
    list.heardFrom(newer.enr(), newer.meta, 0);
    expect(list.heardFrom(older.enr(), older.meta, 10)).toBe(false);
    expect(list.heardFrom(older.enr(), older.meta, 20)).toBe(false);
    expect(list.members().map((m) => m.meta.startedAtUs)).toEqual([2_000]);
  });

  it('gossips the records of members that joined lately first, and never the receiver its own', async () => {
    const [b, c, d] = await Promise.all([peer('b'), peer('c'), peer('d')]);
    list.heardFrom(b.enr(), b.meta, 0);
    list.heardFrom(c.enr(), c.meta, 0);
    list.heardFrom(d.enr(), d.meta, 5000);
    const records = list.aliveRecords(c.enr().nodeId, 4000);
    expect(records).toEqual([d.enr().encode(), b.enr().encode()]);
  });

  it('refuses its own id and its own name', async () => {
    const imposter = await peer('me');
    expect(list.heardFrom(imposter.enr(), imposter.meta, 0)).toBe(false);
    expect(list.members()).toEqual([]);
  });
});

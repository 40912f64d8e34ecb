import type { GossipEvent, GossipLogger, Member, MemberListener } from './types.js';

/** The listeners of joined / updated / left. A listener that throws is logged, never propagated. */
export class MemberEvents {
  private readonly listeners = new Map<GossipEvent, Set<MemberListener>>();

  constructor(private readonly logger: GossipLogger) {}

  on(event: GossipEvent, listener: MemberListener): void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
  }

  off(event: GossipEvent, listener: MemberListener): void {
    this.listeners.get(event)?.delete(listener);
  }

  emit(event: GossipEvent, member: Member): void {
    const fields = { id: member.id, name: member.meta.name, state: member.state, address: member.meta.address };
    if (event === 'updated') this.logger.debug(fields, 'gossip: member updated');
    else this.logger.info(fields, `gossip: member ${event}`);
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        listener(member);
      } catch (error) {
        this.logger.warn({ event, err: (error as Error)?.message }, 'gossip: listener threw');
      }
    }
  }
}

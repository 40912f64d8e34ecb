import type { Discv5 } from '@chainsafe/discv5';
import type { ENR } from '@chainsafe/enr';
import { TALK_PROTOCOL } from './protocol.js';

/**
 * TALKREQs with a deadline of our own: discv5 never settles a request it failed to send (say, to
 * its own address) nor the ones still out when it stops, and a probe must never stay in flight.
 */
export class TalkClient {
  private readonly pending = new Set<() => void>();

  constructor(
    private readonly discv5: Discv5,
    private readonly deadlineMs: number,
  ) {}

  request(enr: ENR, payload: Uint8Array): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(timer);
        this.pending.delete(cancel);
      };
      const cancel = (): void => {
        settle();
        reject(new Error('no answer'));
      };
      const timer = setTimeout(cancel, this.deadlineMs);
      this.pending.add(cancel);
      this.discv5.sendTalkReq(enr, payload, TALK_PROTOCOL).then(resolve, reject).finally(settle);
    });
  }

  /** Fails every request still out (at close, before discv5 stops and forgets them). */
  cancelAll(): void {
    for (const cancel of [...this.pending]) cancel();
  }
}

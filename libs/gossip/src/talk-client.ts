import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { getSocketAddressMultiaddrOnENR, type Discv5, type ISessionEvents, type SessionService } from '@chainsafe/discv5';
import { createKeypair } from '@chainsafe/discv5/keypair';
import type { ENR } from '@chainsafe/enr';
import { TALK_PROTOCOL } from './protocol.js';

type NodeContact = Parameters<SessionService['sendRequest']>[0];
type Response = Parameters<ISessionEvents['response']>[1];

// discv5 wire and enum values its package does not export.
const TALKREQ = 5;
const TALKRESP = 6;
const ENR_CONTACT = 0;
const PROTOCOL_BYTES = new TextEncoder().encode(TALK_PROTOCOL);

interface Pending {
  readonly to: string;
  readonly resolve: (answer: Uint8Array) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * TALKREQ straight through discv5's session service. Discv5.sendTalkReq rebuilds the peer's key
 * from its record on every call (two secp256k1 point decompressions, about 1 ms: half the CPU of
 * all-to-all probing); here that contact is built once per record. Every request also has a
 * deadline of our own: discv5 never settles a request it did not send (say, to its own address),
 * nor those still out when it stops, and a probe must never stay in flight.
 */
export class TalkClient {
  private readonly sessions: EventEmitter;
  private readonly contacts = new WeakMap<ENR, NodeContact>();
  private readonly pending = new Map<bigint, Pending>();

  constructor(
    private readonly discv5: Discv5,
    private readonly deadlineMs: number,
  ) {
    this.sessions = discv5.sessionService as unknown as EventEmitter;
    this.sessions.on('response', this.onResponse);
    this.sessions.on('requestFailed', this.onFailed);
  }

  request(enr: ENR, payload: Uint8Array): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      const id = randomBytes(8).readBigUInt64BE();
      const timer = setTimeout(() => this.settle(id, new Error('no answer')), this.deadlineMs);
      this.pending.set(id, { to: enr.nodeId, resolve, reject, timer });
      try {
        this.discv5.sessionService.sendRequest(this.contact(enr), { type: TALKREQ, id, protocol: PROTOCOL_BYTES, request: payload });
      } catch (error) {
        this.settle(id, error as Error);
      }
    });
  }

  /** Fails every request still out and stops listening (at close, before discv5 stops). */
  close(): void {
    this.sessions.off('response', this.onResponse);
    this.sessions.off('requestFailed', this.onFailed);
    for (const id of [...this.pending.keys()]) this.settle(id, new Error('closed'));
  }

  private contact(enr: ENR): NodeContact {
    let contact = this.contacts.get(enr);
    if (!contact) {
      const socketAddr = getSocketAddressMultiaddrOnENR(enr, this.discv5.sessionService.transport.ipMode);
      if (!socketAddr) throw new Error('record has no IPv4 UDP address');
      const publicKey = createKeypair({ type: enr.keypairType, publicKey: enr.publicKey });
      contact = { type: ENR_CONTACT, publicKey, nodeAddress: { socketAddr, nodeId: enr.nodeId }, enr };
      this.contacts.set(enr, contact);
    }
    return contact;
  }

  private settle(id: bigint, outcome: Error | Uint8Array): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  // The session service matched the answer to our request (same node, same address, same id).
  private readonly onResponse = (nodeAddr: { nodeId: string }, response: Response): void => {
    const pending = this.pending.get(response.id);
    if (!pending || pending.to !== nodeAddr.nodeId) return;
    this.settle(response.id, response.type === TALKRESP && 'response' in response ? response.response : new Error('not a TALKRESP'));
  };

  private readonly onFailed = (id: bigint, error: number): void => {
    this.settle(id, new Error(`request failed (discv5 error ${error})`));
  };
}

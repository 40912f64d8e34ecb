import type { EventEmitter } from 'node:events';
import { Discv5, type IDiscv5Events, type ISessionEvents } from '@chainsafe/discv5';
import type { SignableENR } from '@chainsafe/enr';
import type { OwnRecord } from './record.js';
import type { DgramTransport } from './transport.js';
import type { GossipLogger } from './types.js';

type RequestHandler = ISessionEvents['request'];
type Request = Parameters<RequestHandler>[1];
export type TalkReqListener = IDiscv5Events['talkReqReceived'];

/**
 * discv5's typed emitters (strict-event-emitter-types, a CommonJS package) lose their methods
 * under nodenext resolution, so their events are reached as the plain EventEmitters they are.
 */
const emitter = (x: object): EventEmitter => x as EventEmitter;

/** Listens to TALKREQs; returns the function that stops listening. */
export function onTalkReq(discv5: Discv5, listener: TalkReqListener): () => void {
  emitter(discv5).on('talkReqReceived', listener);
  return () => emitter(discv5).off('talkReqReceived', listener);
}

/** discv5 wire value of FINDNODE (the package does not export its MessageType enum). */
const FINDNODE = 3;

/**
 * Starts discv5 on our transport as a session layer only: no lookups (a lookup on an empty table
 * hangs for lookupTimeout), no address votes rewriting the record, requests failing after
 * `requestTimeout` with no retry. Our probes do the liveness work, so discv5's own pings are rare.
 */
export async function startDiscv5(own: OwnRecord, transport: DgramTransport, requestTimeout: number, logger: GossipLogger): Promise<Discv5> {
  const enr: SignableENR = own.enr;
  const discv5 = Discv5.create({
    enr,
    privateKey: own.privateKey,
    bindAddrs: { ip4: transport.bindAddrs[0] },
    transport,
    config: { requestTimeout, requestRetries: 1, enrUpdate: false, lookupTimeout: 2000, pingInterval: 300_000 },
  });
  await discv5.start();
  hideRoutingTable(discv5, logger);
  return discv5;
}

/**
 * discv5 answers FINDNODE from anyone with the records in its routing table, which would hand a
 * process without the cluster secret every member's name and gRPC address. Only FINDNODE [0]
 * (the node's own record, which discv5 uses to refresh a session) is let through.
 */
function hideRoutingTable(discv5: Discv5, logger: GossipLogger): void {
  const sessions = emitter(discv5.sessionService);
  const handlers = sessions.listeners('request') as RequestHandler[];
  sessions.removeAllListeners('request');
  sessions.on('request', (nodeAddr: Parameters<RequestHandler>[0], request: Request) => {
    if (request.type === FINDNODE && 'distances' in request && !request.distances.every((d) => d === 0)) {
      logger.debug({ from: nodeAddr.nodeId }, 'gossip: FINDNODE dropped');
      return;
    }
    for (const handler of handlers) handler(nodeAddr, request);
  });
}

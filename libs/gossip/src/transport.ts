import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { getSocketAddressOnENR, type IPMode, type ITransportService, type SocketAddress } from '@chainsafe/discv5';
import { decodePacket, encodePacket, MAX_PACKET_SIZE, type IPacket } from '@chainsafe/discv5/packet';
import type { BaseENR } from '@chainsafe/enr';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { GossipLogger } from './types.js';

/**
 * Binds the UDP socket ourselves, before discv5 exists: discv5's own transport cannot bind port 0
 * (the record needs the port first) and turns a bind failure (port in use) into an uncaught
 * 'error' event that kills the process.
 */
export async function bindUdp(host: string, port: number): Promise<Socket> {
  const socket = createSocket({ type: 'udp4' });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (error) => {
      socket.close();
      reject(new Error(`gossip: cannot bind UDP ${host}:${port}: ${error.message}`));
    });
    socket.bind(port, host, () => {
      socket.removeAllListeners('error');
      resolve();
    });
  });
  return socket;
}

/**
 * discv5's transport contract over our socket. Unlike discv5's UDPTransportService it never lets
 * an error escape: socket errors are logged, oversized packets are not sent, and nothing a peer
 * sends can throw out of the 'message' handler.
 */
export class DgramTransport extends EventEmitter implements ITransportService {
  readonly bindAddrs: Multiaddr[];
  readonly ipMode: IPMode = { ip4: true, ip6: false };
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly nodeId: string,
    private readonly logger: GossipLogger,
  ) {
    super();
    const { address, port } = socket.address();
    this.bindAddrs = [multiaddr(`/ip4/${address}/udp/${port}`)];
    socket.on('error', (error) => logger.warn({ err: error.message }, 'gossip: UDP socket error'));
  }

  get port(): number {
    return this.socket.address().port;
  }

  async start(): Promise<void> {
    this.socket.on('message', this.onMessage);
  }

  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.socket.off('message', this.onMessage);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  async send(to: Multiaddr, toId: string, packet: IPacket): Promise<void> {
    if (this.closed) return;
    const data = encodePacket(toId, packet);
    if (data.length > MAX_PACKET_SIZE) {
      this.logger.warn({ to: to.toString(), bytes: data.length }, 'gossip: packet over 1280 bytes not sent');
      return;
    }
    const { host, port } = to.toOptions();
    this.socket.send(data, port, host, (error) => {
      if (error) this.logger.debug({ to: to.toString(), err: error.message }, 'gossip: UDP send failed');
    });
  }

  getContactableAddr(enr: BaseENR): SocketAddress | undefined {
    return getSocketAddressOnENR(enr, this.ipMode);
  }

  private readonly onMessage = (data: Buffer, from: RemoteInfo): void => {
    try {
      const packet = decodePacket(this.nodeId, data);
      this.emit('packet', multiaddr(`/ip4/${from.address}/udp/${from.port}`), packet);
    } catch (error) {
      // Not discv5 (or not for us), or a handler failed: drop the datagram, keep the process.
      this.logger.debug({ from: `${from.address}:${from.port}`, err: (error as Error).message }, 'gossip: UDP datagram dropped');
    }
  };
}

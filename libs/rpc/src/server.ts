import { readFileSync } from 'node:fs';
import { Metadata, Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { DESCRIPTOR_SET_BASE64 } from './gen/descriptor.js';
import {
  ControlService,
  type GetBookRequest,
  type GetBookResponse,
  type GetFeedRequest,
  type GetFeedResponse,
  type GetNodeRequest,
  type GetNodeResponse,
  type ListFeedsRequest,
  type ListFeedsResponse,
  type ListNodesRequest,
  type ListNodesResponse,
  type StartFeedRequest,
  type StartFeedResponse,
  type StopFeedRequest,
  type StopFeedResponse,
} from './gen/level4/v1/control.js';

/** The fully qualified name of the control service, as health checks and reflection know it. */
export const CONTROL_SERVICE_NAME = 'level4.v1.Control';

/** An error a handler throws to answer with a gRPC status code and a message for the caller. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** What a handler knows about its call. */
export interface CallContext {
  readonly metadata: Metadata;
  readonly peer: string;
}

/** The control API, one async function per RPC. Throw RpcError for a status other than INTERNAL. */
export interface ControlHandlers {
  startFeed(request: StartFeedRequest, call: CallContext): Promise<StartFeedResponse>;
  stopFeed(request: StopFeedRequest, call: CallContext): Promise<StopFeedResponse>;
  listFeeds(request: ListFeedsRequest, call: CallContext): Promise<ListFeedsResponse>;
  listNodes(request: ListNodesRequest, call: CallContext): Promise<ListNodesResponse>;
  getFeed(request: GetFeedRequest, call: CallContext): Promise<GetFeedResponse>;
  getBook(request: GetBookRequest, call: CallContext): Promise<GetBookResponse>;
  getNode(request: GetNodeRequest, call: CallContext): Promise<GetNodeResponse>;
}

export interface TlsFiles {
  /** PEM certificate chain file. */
  readonly certFile: string;
  /** PEM private key file. */
  readonly keyFile: string;
}

export interface ControlServerOptions {
  readonly handlers: ControlHandlers;
  /** `host:port` to bind; port 0 picks a free one. */
  readonly address: string;
  /** Serve TLS with this certificate (plaintext without). */
  readonly tls?: TlsFiles;
  /** Require `authorization: Bearer <token>` on every control call (health and reflection stay open). */
  readonly token?: string;
  /** Told about handler failures that were not RpcErrors (answered as INTERNAL). */
  readonly onInternalError?: (method: string, error: unknown) => void;
}

export interface ControlServer {
  /** The bound port (the chosen one when the address asked for 0). */
  readonly port: number;
  readonly health: HealthImplementation;
  /** Stops accepting calls, lets running ones finish for up to `graceMs`, then cuts them. */
  close(graceMs?: number): Promise<void>;
}

type Handler = (request: never, call: CallContext) => Promise<unknown>;

/** A request whose bytes did not decode: answered INVALID_ARGUMENT by `unary`, never seen by a handler. */
class Malformed {
  constructor(readonly message: string) {}
}

/**
 * The control service with request decoding that cannot fail: grpc-js answers a decoding error
 * INTERNAL, but bytes that are not the request message are the caller's mistake.
 */
const tolerantService = Object.fromEntries(
  Object.entries(ControlService).map(([name, method]) => [
    name,
    {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return method.requestDeserialize(bytes);
        } catch (error) {
          return new Malformed(`malformed request: not a ${method.path.split('/').pop()} message (${(error as Error).message})`);
        }
      },
    },
  ]),
) as unknown as typeof ControlService;

/** grpc-js wants callbacks; handlers are async functions that throw RpcError. */
function unary(method: string, handler: Handler, options: ControlServerOptions) {
  const expected = options.token === undefined ? undefined : `Bearer ${options.token}`;
  return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>): void => {
    if (expected !== undefined && call.metadata.get('authorization')[0] !== expected) {
      callback({ code: status.UNAUTHENTICATED, details: 'missing or wrong bearer token (metadata "authorization: Bearer <token>")' });
      return;
    }
    if (call.request instanceof Malformed) {
      callback({ code: status.INVALID_ARGUMENT, details: call.request.message });
      return;
    }
    handler(call.request as never, { metadata: call.metadata, peer: call.getPeer() }).then(
      (response) => callback(null, response),
      (error: unknown) => {
        if (error instanceof RpcError) {
          callback({ code: error.code, details: error.message });
          return;
        }
        options.onInternalError?.(method, error);
        callback({ code: status.INTERNAL, details: `${method} failed: ${error instanceof Error ? error.message : String(error)}` });
      },
    );
  };
}

/**
 * Serves the control API with the standard health service (`''` and `level4.v1.Control`) and server
 * reflection (v1 and v1alpha), so that grpcurl and grpc-health-probe work without proto files.
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const server = new Server();
  const h = options.handlers;
  const implementation: UntypedServiceImplementation = {
    startFeed: unary('StartFeed', h.startFeed.bind(h), options),
    stopFeed: unary('StopFeed', h.stopFeed.bind(h), options),
    listFeeds: unary('ListFeeds', h.listFeeds.bind(h), options),
    listNodes: unary('ListNodes', h.listNodes.bind(h), options),
    getFeed: unary('GetFeed', h.getFeed.bind(h), options),
    getBook: unary('GetBook', h.getBook.bind(h), options),
    getNode: unary('GetNode', h.getNode.bind(h), options),
  };
  server.addService(tolerantService, implementation);
  const health = new HealthImplementation({ '': 'SERVING', [CONTROL_SERVICE_NAME]: 'SERVING' });
  health.addToServer(server);
  new ReflectionService(loadFileDescriptorSetFromBuffer(Buffer.from(DESCRIPTOR_SET_BASE64, 'base64'))).addToServer(server);

  const credentials = options.tls
    ? ServerCredentials.createSsl(null, [{ cert_chain: readFileSync(options.tls.certFile), private_key: readFileSync(options.tls.keyFile) }], false)
    : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(options.address, credentials, (error, bound) => (error ? reject(new Error(`gRPC cannot listen on ${options.address}: ${error.message}`)) : resolve(bound)));
  });
  return {
    port,
    health,
    close: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

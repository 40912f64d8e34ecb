import { credentials as grpcCredentials, Metadata, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import {
  ControlClient,
  type GetBookRequest,
  type GetBookResponse,
  type GetFeedRequest,
  type GetFeedResponse,
  type GetNodeResponse,
  type ListFeedsResponse,
  type ListNodesResponse,
  type StartFeedRequest,
  type StartFeedResponse,
  type StopFeedRequest,
  type StopFeedResponse,
} from './gen/level4/v1/control.js';

export interface ControlClientOptions {
  /** Sent as `authorization: Bearer <token>`. */
  readonly token?: string;
  /** TLS: `true` for the system's roots, or a PEM CA certificate to trust; plaintext when absent. */
  readonly tls?: true | { readonly ca: Buffer };
  /** Per-call deadline (default 10 s). */
  readonly deadlineMs?: number;
  /** Sent with every call (a node forwarding a call marks it so). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A promise-based client of a node's control API. Failed calls reject with grpc-js' ServiceError (`code`, `details`). */
export interface ControlApi {
  startFeed(request: StartFeedRequest): Promise<StartFeedResponse>;
  stopFeed(request: StopFeedRequest): Promise<StopFeedResponse>;
  listFeeds(): Promise<ListFeedsResponse>;
  listNodes(): Promise<ListNodesResponse>;
  getFeed(request: GetFeedRequest): Promise<GetFeedResponse>;
  getBook(request: GetBookRequest): Promise<GetBookResponse>;
  getNode(): Promise<GetNodeResponse>;
  close(): void;
}

type Callback<T> = (error: ServiceError | null, response: T) => void;
type Method<Q, R> = (request: Q, metadata: Metadata, options: { deadline: Date }, callback: Callback<R>) => unknown;

export function connectControl(address: string, options: ControlClientOptions = {}): ControlApi {
  const creds: ChannelCredentials =
    options.tls === undefined ? grpcCredentials.createInsecure() : grpcCredentials.createSsl(options.tls === true ? null : options.tls.ca);
  const client = new ControlClient(address, creds);
  const deadlineMs = options.deadlineMs ?? 10_000;
  const call = <Q, R>(method: Method<Q, R>, request: Q): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      const metadata = new Metadata();
      if (options.token !== undefined) metadata.set('authorization', `Bearer ${options.token}`);
      for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
      method.call(client, request, metadata, { deadline: new Date(Date.now() + deadlineMs) }, (error, response) => (error ? reject(error) : resolve(response)));
    });
  return {
    startFeed: (request) => call(client.startFeed as Method<StartFeedRequest, StartFeedResponse>, request),
    stopFeed: (request) => call(client.stopFeed as Method<StopFeedRequest, StopFeedResponse>, request),
    listFeeds: () => call(client.listFeeds as Method<object, ListFeedsResponse>, {}),
    listNodes: () => call(client.listNodes as Method<object, ListNodesResponse>, {}),
    getFeed: (request) => call(client.getFeed as Method<GetFeedRequest, GetFeedResponse>, request),
    getBook: (request) => call(client.getBook as Method<GetBookRequest, GetBookResponse>, request),
    getNode: () => call(client.getNode as Method<object, GetNodeResponse>, {}),
    close: () => client.close(),
  };
}

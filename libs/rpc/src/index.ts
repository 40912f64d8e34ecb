export * from './gen/level4/v1/control.js';
export {
  FeedState,
  feedStateFromJSON,
  feedStateToJSON,
  MarketType,
  marketTypeFromJSON,
  marketTypeToJSON,
  Side,
  sideFromJSON,
  sideToJSON,
  Spread,
  Status,
  Trade,
} from './gen/level4/v1/events.js';
export { DESCRIPTOR_SET_BASE64 } from './gen/descriptor.js';
export { CONTROL_SERVICE_NAME, RpcError, startControlServer, type CallContext, type ControlHandlers, type ControlServer, type ControlServerOptions, type TlsFiles } from './server.js';
export { connectControl, type ControlApi, type ControlClientOptions } from './client.js';
export { status as GrpcStatus } from '@grpc/grpc-js';

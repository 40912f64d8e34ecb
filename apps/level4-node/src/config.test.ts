import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { VENUE_URL_NAMES } from './venues.js';

const load = (env: Record<string, string> = {}, flags: Record<string, string> = {}) => loadConfig(env, flags, VENUE_URL_NAMES);
const refused = (env: Record<string, string>, flags: Record<string, string> = {}) => {
  try {
    load(env, flags);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
};

describe('node configuration', () => {
  it('has defaults for everything, as DESIGN.md lists them', () => {
    const config = load({ NODE_NAME: 'n1' });
    expect(config).toMatchObject({
      nodeName: 'n1',
      rpcHost: '0.0.0.0',
      rpcPort: 50051,
      rpcAdvertise: 'n1:50051',
      rpcToken: undefined,
      rpcTls: undefined,
      kafkaBrokers: ['127.0.0.1:9092'],
      kafkaEncoding: 'json',
      kafkaCompression: 'none',
      topics: { spread: 'level4.spread', trade: 'level4.timesales', status: 'level4.status' },
      maxDataFeeds: 25,
      metricsPort: 9464,
      logLevel: 'info',
      venueUrls: {},
      feedsTopic: 'level4.feeds',
      gossip: { host: '0.0.0.0', port: 7946, advertise: undefined, seeds: [], secret: undefined, deadAfterMs: 5000 },
      placement: 'random',
    });
  });

  it('reads the cluster settings: seeds are gRPC addresses of running nodes', () => {
    const config = load({ GOSSIP_SEEDS: 'node1:50051, 10.0.0.2:50051', CLUSTER_SECRET: 's3cret', GOSSIP_PORT: '0', GOSSIP_ADVERTISE: '10.0.0.3', PLACEMENT: 'least-loaded' });
    expect(config.gossip).toEqual({ host: '0.0.0.0', port: 0, advertise: '10.0.0.3', seeds: ['node1:50051', '10.0.0.2:50051'], secret: 's3cret', deadAfterMs: 5000 });
    expect(config.placement).toBe('least-loaded');
  });

  it('takes environment variables, and flags over them', () => {
    const config = load(
      { NODE_NAME: 'n1', RPC_PORT: '6000', KAFKA_BROKERS: 'k1:9092, k2:9093', MAX_DATA_FEEDS: '3', KAFKA_ENCODING: 'protobuf', RPC_HOST: '127.0.0.1' },
      { 'rpc-port': '7000', 'log-level': 'debug' },
    );
    expect(config).toMatchObject({ rpcPort: 7000, rpcAdvertise: '127.0.0.1:7000', kafkaBrokers: ['k1:9092', 'k2:9093'], maxDataFeeds: 3, kafkaEncoding: 'protobuf', logLevel: 'debug' });
  });

  it('reads venue URL overrides (a replay server, a testnet)', () => {
    const config = load({ VENUE_URLS: '{"binance":{"spotWs":"ws://127.0.0.1:9000/ws","spotRest":"http://127.0.0.1:9000"}}' });
    expect(config.venueUrls).toEqual({ binance: { spotWs: 'ws://127.0.0.1:9000/ws', spotRest: 'http://127.0.0.1:9000' } });
  });

  it('refuses bad settings with one line naming the variable and its flag', () => {
    expect(refused({ RPC_PORT: 'http' })).toBe('RPC_PORT (--rpc-port): "http" is not a port (0-65535)');
    expect(refused({ RPC_PORT: '70000' })).toBe('RPC_PORT (--rpc-port): "70000" is not a port (0-65535)');
    expect(refused({ MAX_DATA_FEEDS: '0' })).toBe('MAX_DATA_FEEDS (--max-data-feeds): "0" is not a number of feeds (1-10000)');
    expect(refused({}, { 'max-data-feeds': 'many' })).toBe('MAX_DATA_FEEDS (--max-data-feeds): "many" is not a number of feeds (1-10000)');
    expect(refused({ KAFKA_BROKERS: 'localhost' })).toBe('KAFKA_BROKERS (--kafka-brokers): "localhost" is not host:port');
    expect(refused({ KAFKA_ENCODING: 'avro' })).toBe('KAFKA_ENCODING (--kafka-encoding): "avro" is not one of json, protobuf');
    expect(refused({ KAFKA_COMPRESSION: 'zstd' })).toBe('KAFKA_COMPRESSION (--kafka-compression): "zstd" is not one of none, gzip');
    expect(refused({ LOG_LEVEL: 'loud' })).toBe('LOG_LEVEL (--log-level): "loud" is not one of fatal, error, warn, info, debug, trace, silent');
    expect(refused({ METRICS_PORT: '-1' })).toBe('METRICS_PORT (--metrics-port): "-1" is not a port (0-65535)');
    expect(refused({ NODE_NAME: 'my node' })).toMatch(/^NODE_NAME \(--node-name\): "my node" is not a node name/);
    expect(refused({ RPC_ADVERTISE: 'nowhere' })).toBe('RPC_ADVERTISE (--rpc-advertise): "nowhere" is not host:port');
    expect(refused({ RPC_TLS_CERT: '/etc/hostname' })).toBe('RPC_TLS_KEY (--rpc-tls-key): TLS needs both RPC_TLS_CERT and RPC_TLS_KEY');
    expect(refused({ RPC_TLS_CERT: '/no/cert.pem', RPC_TLS_KEY: '/no/key.pem' })).toBe('RPC_TLS_CERT (--rpc-tls-cert): no such file "/no/cert.pem"');
    expect(refused({ KAFKA_TOPIC_SPREAD: 'bad topic' })).toBe('KAFKA_TOPIC_SPREAD (--kafka-topic-spread): "bad topic" is not a Kafka topic name');
    expect(refused({ KAFKA_TOPIC_STATUS: 'level4.spread' })).toBe('KAFKA_TOPIC_STATUS (--kafka-topic-status): the three topics must differ');
    expect(refused({ VENUE_URLS: '{binance' })).toMatch(/^VENUE_URLS \(--venue-urls\): not JSON/);
    expect(refused({ VENUE_URLS: '{"mtgox":{}}' })).toMatch(/^VENUE_URLS \(--venue-urls\): unknown venue "mtgox"; venues: binance, /);
    expect(refused({ VENUE_URLS: '{"binance":{"ws":"ws://x"}}' })).toMatch(/^VENUE_URLS \(--venue-urls\): binance has no URL named "ws"; it has: spotWs, /);
    expect(refused({ VENUE_URLS: '{"binance":{"spotWs":"ftp://x"}}' })).toBe('VENUE_URLS (--venue-urls): binance.spotWs must be a ws(s):// or http(s):// URL');
    expect(refused({ GOSSIP_SEEDS: 'node1:50051' })).toBe('CLUSTER_SECRET (--cluster-secret): required with GOSSIP_SEEDS: nodes admit only peers that prove the cluster secret');
    expect(refused({ GOSSIP_SEEDS: 'node1', CLUSTER_SECRET: 's' })).toBe('GOSSIP_SEEDS (--gossip-seeds): "node1" is not host:port (the gRPC address of a running node)');
    expect(refused({ GOSSIP_PORT: '99999' })).toBe('GOSSIP_PORT (--gossip-port): "99999" is not a port (0-65535)');
    expect(refused({ GOSSIP_HOST: 'localhost' })).toBe('GOSSIP_HOST (--gossip-host): "localhost" is not an IPv4 address (discv5 records carry IPv4)');
    expect(refused({ GOSSIP_ADVERTISE: '::1' })).toBe('GOSSIP_ADVERTISE (--gossip-advertise): "::1" is not an IPv4 address');
    expect(refused({ GOSSIP_DEAD_AFTER_MS: '500' })).toBe('GOSSIP_DEAD_AFTER_MS (--gossip-dead-after-ms): "500" is not a time in ms (1000-60000)');
    expect(refused({ PLACEMENT: 'round-robin' })).toBe('PLACEMENT (--placement): "round-robin" is not one of random, least-loaded');
    expect(refused({ KAFKA_TOPIC_FEEDS: 'level4.spread' })).toBe('KAFKA_TOPIC_FEEDS (--kafka-topic-feeds): must differ from the event topics');
  });
});

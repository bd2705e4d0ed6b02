import http from 'node:http';
import https from 'node:https';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { streamsEndpointOf, type ConnectionSettings } from './connection-settings';

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  /**
   * How many shards `reader` reads through these clients now (0 when it stops): each has one GetRecords
   * in flight at a time, so the socket pool grows beyond `maxSockets` to fit them all, with room to spare.
   */
  setShardsRead(reader: object, shards: number): void;
  /** The socket pool's current size. */
  readonly maxSockets: number;
  destroy(): void;
}

export interface ClientTuning {
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  maxSockets: number;
}

export const DEFAULT_CLIENT_TUNING: ClientTuning = {
  connectionTimeoutMs: 5_000,
  requestTimeoutMs: 20_000,
  maxSockets: 50,
};

/** Sockets beyond one per shard read: DescribeStream, DescribeTable, GetShardIterator. */
const SOCKETS_BESIDE_SHARDS = 8;

type ClientCredentials = NonNullable<DynamoDBClientConfig['credentials']>;
type StaticCredentials = Extract<ClientCredentials, { accessKeyId: string }>;

const ROLE_SESSION_NAME = 'node-red-dynamodb-stream';

function staticKeys(settings: ConnectionSettings): StaticCredentials | undefined {
  const { accessKeyId, secretAccessKey, sessionToken } = settings.credentials;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

export function credentialsFor(settings: ConnectionSettings): ClientCredentials {
  const keys = staticKeys(settings);
  switch (settings.authMode) {
    case 'keys':
      if (!keys) throw new Error('Auth mode "keys" needs an access key ID and a secret access key');
      return keys;
    case 'chain':
      return fromNodeProviderChain(settings.profile ? { profile: settings.profile } : {});
    case 'assumeRole':
      return fromTemporaryCredentials({
        params: {
          RoleArn: settings.roleArn,
          RoleSessionName: ROLE_SESSION_NAME,
          ...(settings.externalId ? { ExternalId: settings.externalId } : {}),
        },
        masterCredentials: keys ?? fromNodeProviderChain(settings.profile ? { profile: settings.profile } : {}),
        clientConfig: { region: settings.region },
      });
  }
}

/** One DynamoDB client and one DynamoDB Streams client sharing credentials and keep-alive sockets. */
export function createAwsClients(settings: ConnectionSettings, tuning: ClientTuning = DEFAULT_CLIENT_TUNING): AwsClients {
  const agentOptions = { keepAlive: true, maxSockets: tuning.maxSockets };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const config = {
    region: settings.region,
    credentials: credentialsFor(settings),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: tuning.connectionTimeoutMs,
      requestTimeout: tuning.requestTimeoutMs,
      httpAgent,
      httpsAgent,
    },
  };
  const dynamodb = new DynamoDBClient(config);
  const streamsEndpoint = streamsEndpointOf(settings);
  const streams = new DynamoDBStreamsClient({ ...config, ...(streamsEndpoint ? { endpoint: streamsEndpoint } : {}) });
  const shardsByReader = new Map<object, number>();
  return {
    dynamodb,
    streams,
    setShardsRead(reader, shards) {
      if (shards > 0) shardsByReader.set(reader, shards);
      else shardsByReader.delete(reader);
      let total = 0;
      for (const count of shardsByReader.values()) total += count;
      const maxSockets = Math.max(tuning.maxSockets, total + SOCKETS_BESIDE_SHARDS);
      httpAgent.maxSockets = maxSockets;
      httpsAgent.maxSockets = maxSockets;
    },
    get maxSockets() {
      return httpsAgent.maxSockets;
    },
    destroy() {
      dynamodb.destroy();
      streams.destroy();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

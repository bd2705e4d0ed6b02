import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand } from '@aws-sdk/client-dynamodb-streams';
import { createAwsClients, DEFAULT_CLIENT_TUNING, type AwsClients } from '../../nodes/lib/clients';
import { parseDynamoDbArn } from '../../nodes/lib/arn';
import { resolveConnectionSettings, type ConnectionInput, type ConnectionSettings } from '../../nodes/lib/connection-settings';

const ANSWER_AFTER_MS = 150;

describe('engine: the SDK clients of a config node and their socket pool', function () {
  let server: http.Server;
  let endpoint: string;
  let open = 0;
  let mostAtOnce = 0;
  let clients: AwsClients | undefined;

  before(async function () {
    server = http.createServer((req, res) => {
      open += 1;
      mostAtOnce = Math.max(mostAtOnce, open);
      req.resume();
      setTimeout(() => {
        open -= 1;
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ Records: [], NextShardIterator: 'next' }));
      }, ANSWER_AFTER_MS);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    clients?.destroy();
    clients = undefined;
  });

  after(async function () {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function newClients(): AwsClients {
    return createAwsClients({
      arn: parseDynamoDbArn('arn:aws:dynamodb:us-east-1:123456789012:table/orders'),
      region: 'us-east-1',
      endpoint,
      authMode: 'keys',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    });
  }

  async function concurrentGetRecords(target: AwsClients, calls: number): Promise<number> {
    mostAtOnce = 0;
    await Promise.all(Array.from({ length: calls }, (_, i) => target.streams.send(new GetRecordsCommand({ ShardIterator: `it-${i}` }))));
    return mostAtOnce;
  }

  it(`keeps at most ${DEFAULT_CLIENT_TUNING.maxSockets} requests in flight by default`, async function () {
    clients = newClients();
    assert.equal(await concurrentGetRecords(clients, 70), DEFAULT_CLIENT_TUNING.maxSockets);
  });

  it('grows the pool to one socket per shard read (plus 8) across the source nodes using it, and shrinks it back', async function () {
    clients = newClients();
    const nodeA = {};
    const nodeB = {};
    clients.setShardsRead(nodeA, 40);
    assert.equal(clients.maxSockets, DEFAULT_CLIENT_TUNING.maxSockets, 'never below the default');
    clients.setShardsRead(nodeB, 30);
    assert.equal(clients.maxSockets, 78);
    assert.equal(await concurrentGetRecords(clients, 70), 70, 'every shard of both nodes polls at once');
    clients.setShardsRead(nodeA, 0);
    assert.equal(clients.maxSockets, DEFAULT_CLIENT_TUNING.maxSockets);
  });
});

describe('engine: which endpoint each client calls (scripted loopback endpoints)', function () {
  const KEYS_INPUT: ConnectionInput = {
    arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  };

  /** A loopback endpoint that answers every call with an empty JSON object and notes its X-Amz-Target. */
  class RecordingEndpoint {
    readonly targets: string[] = [];
    private readonly server = http.createServer((req, res) => {
      this.targets.push(String(req.headers['x-amz-target']));
      req.resume();
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{}');
    });

    async start(): Promise<string> {
      await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    async stop(): Promise<void> {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
  }

  const dynamoDbSide = new RecordingEndpoint();
  const streamsSide = new RecordingEndpoint();
  let dynamoDbUrl: string;
  let streamsUrl: string;

  before(async function () {
    dynamoDbUrl = await dynamoDbSide.start();
    streamsUrl = await streamsSide.start();
  });

  afterEach(() => {
    dynamoDbSide.targets.length = 0;
    streamsSide.targets.length = 0;
  });

  after(async function () {
    await dynamoDbSide.stop();
    await streamsSide.stop();
  });

  async function callBoth(settings: ConnectionSettings): Promise<void> {
    const clients = createAwsClients(settings);
    try {
      await clients.dynamodb.send(new DescribeTableCommand({ TableName: 'orders' }));
      await clients.streams.send(new DescribeStreamCommand({ StreamArn: `${settings.arn.tableArn}/stream/x` }));
    } finally {
      clients.destroy();
    }
  }

  it('sends DynamoDB Streams calls to streamsEndpoint and DynamoDB calls to endpoint', async function () {
    await callBoth(resolveConnectionSettings({ ...KEYS_INPUT, endpoint: dynamoDbUrl, streamsEndpoint: streamsUrl }));

    assert.deepEqual(dynamoDbSide.targets, ['DynamoDB_20120810.DescribeTable']);
    assert.deepEqual(streamsSide.targets, ['DynamoDBStreams_20120810.DescribeStream']);
  });

  it('sends both to endpoint when streamsEndpoint is empty', async function () {
    await callBoth(resolveConnectionSettings({ ...KEYS_INPUT, endpoint: dynamoDbUrl, streamsEndpoint: ' ' }));

    assert.deepEqual(dynamoDbSide.targets, ['DynamoDB_20120810.DescribeTable', 'DynamoDBStreams_20120810.DescribeStream']);
    assert.deepEqual(streamsSide.targets, []);
  });
});

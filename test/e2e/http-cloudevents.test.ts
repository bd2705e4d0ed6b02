import assert from 'node:assert/strict';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudEventsReceiver } from '../support/cloudevents-receiver';
import { eventually } from '../support/collect';
import { LOCAL_CREDENTIALS, createTable, localClient, sharedDynamoDbLocal, type TestTable } from '../support/dynamodb';
import { configNode, sourceNode } from '../support/flow-nodes';
import { FAST_TIMING } from '../support/node-red';
import { removeDir, startNodeRed, userDirWithPackage, type NodeRedProcess } from '../support/spawned-node-red';

const SECRET = 'e2e-secret-value-that-must-never-leak';

describe('end to end: packed tarball in a spawned Node-RED, POSTing CloudEvents through the http request node', function () {
  this.timeout(180_000);
  let client: DynamoDBClient;
  let table: TestTable;
  let receiver: CloudEventsReceiver;
  /** Receives what a second source node, in structured mode, POSTs. */
  let structuredReceiver: CloudEventsReceiver;
  let nodeRed: NodeRedProcess | undefined;
  let userDir: string;

  before(async function () {
    const { endpoint } = await sharedDynamoDbLocal();
    client = localClient(endpoint);
    table = await createTable(client, { prefix: 'e2e', rangeKey: true });
    receiver = new CloudEventsReceiver();
    const sinkUrl = await receiver.start();
    structuredReceiver = new CloudEventsReceiver();
    const structuredSinkUrl = await structuredReceiver.start();
    userDir = userDirWithPackage();
    nodeRed = await startNodeRed({
      userDir,
      settings: { dynamodbStreams: FAST_TIMING },
      flows: [
        { id: 'tab1', type: 'tab', label: 'e2e' },
        configNode('c1', table.arn, endpoint),
        sourceNode('s1', 'tab1', 'c1', ['r1']),
        { id: 'r1', z: 'tab1', type: 'http request', name: 'to sink', method: 'POST', ret: 'txt', paytoqs: 'ignore', url: sinkUrl, wires: [[]] },
        sourceNode('s2', 'tab1', 'c1', ['r2'], { cloudeventsMode: 'structured', dataFormat: 'document' }),
        { id: 'r2', z: 'tab1', type: 'http request', name: 'to structured sink', method: 'POST', ret: 'txt', paytoqs: 'ignore', url: structuredSinkUrl, wires: [[]] },
      ],
      credentials: { c1: { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: SECRET } },
    });
  });

  after(async function () {
    await nodeRed?.stop();
    await receiver?.stop();
    await structuredReceiver?.stop();
    client?.destroy();
    if (userDir) removeDir(userDir);
  });

  it('delivers INSERT, MODIFY and REMOVE as valid binary-mode CloudEvents with the expected attributes and data', async function () {
    // DynamoDB Local keeps one database per access key: the flow uses the same key id as the writer.
    await table.put({ pk: { S: 'order 1' }, sk: { N: '2' }, orderStatus: { S: 'new' } });
    await table.update({ pk: { S: 'order 1' }, sk: { N: '2' } }, 'orderStatus = :s', { ':s': { S: 'paid' } });
    await table.remove({ pk: { S: 'order 1' }, sk: { N: '2' } });
    await eventually(() => receiver.received.length >= 3, 30_000, 'three CloudEvents at the sink');
    // The http request node POSTs each msg as it comes, concurrently: the sink may see them in any order.
    // The node emits them in stream order (see the format tests), which the sequence numbers restore here.
    const sequenceOf = (request: (typeof receiver.received)[number]): bigint =>
      BigInt((request.event?.data as { Dynamodb?: { SequenceNumber?: string } } | undefined)?.Dynamodb?.SequenceNumber ?? '0');
    const received = receiver.received.slice(0, 3);
    for (const request of received) assert.equal(request.parseError, undefined, `parsed by the cloudevents SDK: ${request.parseError}`);
    received.sort((a, b) => (sequenceOf(a) < sequenceOf(b) ? -1 : sequenceOf(a) > sequenceOf(b) ? 1 : 0));
    const events = received.map((r) => r.event!);
    assert.deepEqual(events.map((e) => e.dynamodboperation), ['INSERT', 'MODIFY', 'REMOVE']);
    for (const [i, event] of events.entries()) {
      assert.equal(event.specversion, '1.0');
      assert.equal(event.type, 'com.amazon.dynamodb.stream_record');
      assert.equal(event.source, table.arn);
      assert.equal(decodeURIComponent(event.subject ?? ''), 'pk=order 1,sk=2', 'subject, percent-decoded as the HTTP binding asks');
      assert.equal(event.datacontenttype, 'application/json');
      assert.ok(event.time && !Number.isNaN(Date.parse(event.time)));
      const data = event.data as { EventID: string; EventName: string; Dynamodb: { Keys: unknown; NewImage: Record<string, unknown> | null } };
      assert.equal(data.EventID, event.id);
      assert.equal(data.EventName, ['INSERT', 'MODIFY', 'REMOVE'][i]);
      assert.equal(
        JSON.stringify(data.Dynamodb.Keys),
        '{"pk":{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":null,"S":"order 1","SS":null},' +
          '"sk":{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":"2","NS":null,"NULL":null,"S":null,"SS":null}}',
      );
      assert.equal(received[i].headers['ce-id'], event.id);
    }
    assert.deepEqual((events[1].data as { Dynamodb: { NewImage: Record<string, unknown> } }).Dynamodb.NewImage.orderStatus, {
      B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: 'paid', SS: null,
    });
  });

  it('delivers structured-mode CloudEvents (attributes and data in one JSON body) that the SDK parses, with cloudeventsMode structured', async function () {
    await eventually(() => structuredReceiver.received.length >= 3, 30_000, 'three structured CloudEvents at the sink');
    const received = structuredReceiver.received.slice(0, 3);
    for (const request of received) {
      assert.equal(request.parseError, undefined, `parsed by the cloudevents SDK: ${request.parseError}`);
      assert.equal(request.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
      assert.equal(request.headers['ce-id'], undefined, 'no binary-mode headers');
    }
    const sequenceOf = (request: (typeof received)[number]): bigint =>
      BigInt((request.event?.data as { sequenceNumber?: string } | undefined)?.sequenceNumber ?? '0');
    received.sort((a, b) => (sequenceOf(a) < sequenceOf(b) ? -1 : sequenceOf(a) > sequenceOf(b) ? 1 : 0));
    const events = received.map((r) => r.event!);
    assert.deepEqual(events.map((e) => e.dynamodboperation), ['INSERT', 'MODIFY', 'REMOVE']);
    for (const event of events) {
      assert.equal(event.specversion, '1.0');
      assert.equal(event.type, 'com.amazon.dynamodb.stream_record');
      assert.equal(event.source, table.arn);
      assert.equal(event.subject, 'pk=order 1,sk=2', 'in the JSON body the subject needs no percent-encoding');
      assert.equal(event.datacontenttype, 'application/json');
      assert.ok(event.time && !Number.isNaN(Date.parse(event.time)));
      assert.deepEqual((event.data as { keys: unknown }).keys, { pk: 'order 1', sk: 2 });
      assert.equal(event.validate(), true);
    }
    assert.deepEqual(events.map((e) => (e.data as { newImage: { orderStatus?: string } | null }).newImage?.orderStatus ?? null), ['new', 'paid', null]);
    const binaryIds = receiver.received.map((request) => request.event?.id);
    assert.deepEqual(events.map((e) => binaryIds.includes(e.id)), [true, true, true], 'the same records, with the same ids, as in binary mode');
  });

  it('never writes the secret key into the events or the Node-RED log', function () {
    for (const request of [...receiver.received, ...structuredReceiver.received]) {
      assert.ok(!JSON.stringify(request.headers).includes(SECRET));
      assert.ok(!request.body.includes(SECRET));
    }
    assert.ok(!nodeRed!.logs().includes(SECRET), 'secret absent from the log');
  });
});

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { freePort } from '../../scripts/dynamodb-local';
import { CommsClient, MODULE, adminJson, deployFlows, installedPackageDir, nodeSets, problemLines, waitUntil, type FlowNode } from '../support/admin-api';
import { CloudEventsReceiver } from '../support/cloudevents-receiver';
import { LOCAL_CREDENTIALS, createTable, localClient, sharedDynamoDbLocal, type TestTable } from '../support/dynamodb';
import { FAST_TIMING } from '../support/node-red';
import { removeDir, startNodeRed, userDirWithPackage, type NodeRedProcess } from '../support/spawned-node-red';

/** Just enough of an MQTT 3.1.1 broker to accept one client's QoS 0/1 publishes. */
class RecordingMqttBroker {
  readonly published: Array<{ topic: string; payload: string }> = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((socket) => {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        let length = 0;
        let multiplier = 1;
        let offset = 1;
        for (; offset < buffered.length && offset <= 4; offset += 1) {
          length += (buffered[offset] & 0x7f) * multiplier;
          multiplier *= 128;
          if ((buffered[offset] & 0x80) === 0) break;
        }
        if (offset >= buffered.length || buffered.length < offset + 1 + length) return;
        const type = buffered[0] >> 4;
        const qos = (buffered[0] >> 1) & 0x03;
        const body = buffered.subarray(offset + 1, offset + 1 + length);
        buffered = buffered.subarray(offset + 1 + length);
        if (type === 1) socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00])); // CONNECT → CONNACK accepted
        if (type === 12) socket.write(Buffer.from([0xd0, 0x00])); // PINGREQ → PINGRESP
        if (type === 14) socket.end(); // DISCONNECT
        if (type === 3) {
          const topicLength = body.readUInt16BE(0);
          const topic = body.subarray(2, 2 + topicLength).toString('utf8');
          const payloadStart = 2 + topicLength + (qos > 0 ? 2 : 0);
          this.published.push({ topic, payload: body.subarray(payloadStart).toString('utf8') });
          if (qos === 1) socket.write(Buffer.from([0x40, 0x02, body[2 + topicLength], body[3 + topicLength]])); // PUBACK
        }
      }
    });
  });

  async start(port: number): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return `mqtt://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const EXAMPLES = [
  'stream-to-debug',
  'stream-to-cloudevents-http-sink',
  'stream-to-mqtt',
  'filter-by-operation',
  'document-format-to-change',
  'manual-ack-to-http-sink',
  'filter-orders-by-status-and-total',
  'failures-to-dead-letter',
];

describe('the example flows, imported from Import ▸ Examples and deployed in a spawned Node-RED', function () {
  this.timeout(240_000);
  let client: DynamoDBClient;
  let table: TestTable;
  let receiver: CloudEventsReceiver;
  let broker: RecordingMqttBroker;
  let nodeRed: NodeRedProcess | undefined;
  let comms: CommsClient | undefined;
  let userDir: string | undefined;
  let knownTypes: Set<string>;
  let itemCounter = 0;
  let logSinceDeploy = '';

  before(async function () {
    const { endpoint } = await sharedDynamoDbLocal();
    client = localClient(endpoint);
    table = await createTable(client, { prefix: 'examples' });
    receiver = new CloudEventsReceiver();
    broker = new RecordingMqttBroker();
    userDir = userDirWithPackage();
    nodeRed = await startNodeRed({
      userDir,
      settings: {
        dynamodbStreams: FAST_TIMING,
        // What the manual-ack example asks users to add: a context store that survives restarts.
        contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem' } },
      },
      // What a user sets before deploying the examples: their ${…} references and the default credential chain.
      env: {
        DDB_TABLE_ARN: table.arn,
        DDB_ENDPOINT: endpoint,
        K_SINK: await receiver.start(),
        MQTT_BROKER: await broker.start(await freePort()),
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
      },
      onOutput: (text) => (logSinceDeploy += text),
    });
    knownTypes = new Set((await nodeSets(nodeRed.url)).flatMap((set) => set.types));
    comms = await CommsClient.connect(nodeRed.url);
  });

  after(async function () {
    comms?.close();
    await nodeRed?.stop();
    await receiver?.stop();
    await broker?.stop();
    client?.destroy();
    if (userDir) removeDir(userDir);
  });

  /** Imports an example as the editor does (GET from the examples library), deploys it and waits for the source to read. */
  async function deployExample(name: string): Promise<FlowNode[]> {
    const nodes = await adminJson<FlowNode[]>(nodeRed!.url, `/library/examples/flows/${MODULE}/${name}`);
    const unknown = nodes.map((n) => n.type).filter((type) => type !== 'tab' && !knownTypes.has(type));
    assert.deepEqual(unknown, [], `${name}: node types unknown to Node-RED`);
    const references: Record<string, string> = { 'dynamodb-stream-source': 'config', 'mqtt out': 'broker' };
    for (const n of nodes.filter((node) => references[node.type])) {
      const target = nodes.find((node) => node.id === n[references[n.type]]);
      assert.ok(target && target.z === undefined, `${name}: the config node of ${n.type} ${n.id} is in the example`);
    }
    const tabs = [...new Set(nodes.map((n) => n.z).filter((z): z is string => typeof z === 'string'))];
    assert.equal(tabs.length, 1, `${name}: the flow nodes share one tab`);
    logSinceDeploy = '';
    const messagesStart = comms!.messages.length;
    await deployFlows(nodeRed!.url, [{ id: tabs[0], type: 'tab', label: name, disabled: false, info: '' }, ...nodes]);
    const source = nodes.find((n) => n.type === 'dynamodb-stream-source')!;
    await waitUntil(
      () => comms!.messages.slice(messagesStart).some((m) => m.topic === `status/${source.id}` && m.data.fill === 'green'),
      30_000,
      () => `${name}: the source node's green status (last: ${JSON.stringify(comms!.status(source.id))}; log: ${logSinceDeploy})`,
    );
    assert.deepEqual(problemLines(logSinceDeploy), [], `${name}: warnings or errors after the deploy`);
    return nodes;
  }

  function idOf(nodes: FlowNode[], type: string, name?: string): string {
    const node = nodes.find((n) => n.type === type && (name === undefined || n.name === name));
    assert.ok(node, `a ${type} node${name ? ` named ${name}` : ''}`);
    return node.id;
  }

  /** Writes a new item every 500 ms until `done()` holds: the source starts at LATEST, after its iterator exists. */
  async function putUntil(done: () => boolean, what: string): Promise<string> {
    let pk = '';
    await waitUntil(
      async () => {
        if (done()) return true;
        itemCounter += 1;
        pk = `item-${itemCounter}`;
        await table.put({ pk: { S: pk }, amount: { N: String(itemCounter) } });
        await new Promise((resolve) => setTimeout(resolve, 500));
        return done();
      },
      30_000,
      what,
    );
    return pk;
  }

  it('packs the examples this test deploys', function () {
    const files = readdirSync(path.join(installedPackageDir(userDir!), 'examples')).map((f) => f.replace(/\.json$/, ''));
    for (const name of EXAMPLES) assert.ok(files.includes(name), `${name} is packed`);
  });

  it('stream-to-debug shows each change as a whole message in the debug sidebar', async function () {
    const nodes = await deployExample('stream-to-debug');
    const debugId = idOf(nodes, 'debug');
    await putUntil(() => comms!.debugFrom(debugId).length > 0, 'a debug message');
    const msg = JSON.parse(comms!.debugFrom(debugId)[0].msg) as { payload: { EventName: string }; cloudevent: { type: string }; topic: string };
    assert.equal(msg.cloudevent.type, 'com.amazon.dynamodb.stream_record');
    assert.equal(msg.payload.EventName, 'INSERT');
    assert.equal(msg.topic, `${table.name}/INSERT`);
  });

  it('stream-to-cloudevents-http-sink POSTs a valid binary-mode CloudEvent to K_SINK', async function () {
    const nodes = await deployExample('stream-to-cloudevents-http-sink');
    const pk = await putUntil(() => receiver.received.length > 0, 'a CloudEvent at the sink');
    const request = receiver.received[0];
    assert.equal(request.parseError, undefined);
    assert.equal(request.headers['ce-specversion'], '1.0');
    assert.equal(request.event?.type, 'com.amazon.dynamodb.stream_record');
    assert.equal(request.event?.dynamodboperation, 'INSERT');
    assert.equal(request.event?.source, table.arn);
    assert.ok(receiver.received.some((r) => decodeURIComponent(r.event?.subject ?? '') === `pk=${pk}`));
    const answerId = idOf(nodes, 'debug');
    await waitUntil(() => comms!.debugFrom(answerId).length > 0, 10_000, 'the sink answer in the debug sidebar');
    assert.equal(comms!.debugFrom(answerId)[0].msg, '202');
  });

  it('stream-to-mqtt publishes each change under <table>/<operation> to MQTT_BROKER', async function () {
    await deployExample('stream-to-mqtt');
    await putUntil(() => broker.published.length > 0, 'an MQTT publish');
    const publish = broker.published[0];
    assert.equal(publish.topic, `${table.name}/INSERT`);
    assert.equal((JSON.parse(publish.payload) as { EventName: string }).EventName, 'INSERT');
  });

  it('filter-by-operation sends inserts, updates and deletions to their own outputs', async function () {
    const nodes = await deployExample('filter-by-operation');
    const [inserted, modified, removed] = ['inserted', 'modified', 'removed'].map((name) => idOf(nodes, 'debug', name));
    const pk = await putUntil(() => comms!.debugFrom(inserted).length > 0, 'an insert on the first output');
    await table.update({ pk: { S: pk } }, 'amount = :a', { ':a': { N: '-1' } });
    await waitUntil(() => comms!.debugFrom(modified).length > 0, 15_000, 'an update on the second output');
    await table.remove({ pk: { S: pk } });
    await waitUntil(() => comms!.debugFrom(removed).length > 0, 15_000, 'a deletion on the third output');
    // The triggermesh format writes every AttributeValue member, the unset ones null (as TriggerMesh did).
    assert.match(comms!.debugFrom(modified)[0].msg, /"amount":\{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":"-1","NS":null,"NULL":null,"S":null,"SS":null\}/);
    assert.match(comms!.debugFrom(removed)[0].msg, new RegExp(`"pk":\\{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":null,"S":"${pk}","SS":null\\}`));
  });

  it('document-format-to-change passes the plain JSON new image on', async function () {
    const nodes = await deployExample('document-format-to-change');
    const debugId = idOf(nodes, 'debug');
    await putUntil(() => comms!.debugFrom(debugId).length > 0, 'a new image in the debug sidebar');
    const image = JSON.parse(comms!.debugFrom(debugId)[0].msg) as { pk: string; amount: number };
    assert.match(image.pk, /^item-\d+$/);
    assert.equal(image.amount, Number(image.pk.slice('item-'.length)), 'amount is a plain number, as written');
  });

  it('manual-ack-to-http-sink acknowledges through the complete node and checkpoints up to the last record the sink accepted', async function () {
    const nodes = await deployExample('manual-ack-to-http-sink');
    const sourceId = idOf(nodes, 'dynamodb-stream-source');
    const before = receiver.received.length;
    await putUntil(() => receiver.received.length > before, 'a CloudEvent at the sink');
    const checkpoint = async (): Promise<Record<string, Record<string, string>> | undefined> => {
      const context = await adminJson<{ file?: { dynamodbStreamCheckpoints?: { msg: string } } }>(nodeRed!.url, `/context/node/${sourceId}?store=file`);
      const stored = context.file?.dynamodbStreamCheckpoints?.msg;
      return stored ? (JSON.parse(stored) as { streams: Record<string, Record<string, string>> }).streams : undefined;
    };
    await waitUntil(async () => (await checkpoint()) !== undefined, 15_000, 'a checkpoint in the file context store');
    // The http request node POSTs concurrently: wait until nothing more arrives, then take the newest record.
    let count = -1;
    await waitUntil(
      async () => {
        const settled = receiver.received.length === count;
        count = receiver.received.length;
        return settled;
      },
      15_000,
      'the sink to receive nothing more for a while',
      1_000,
    );
    const sequences = receiver.received.slice(before).map((request) => (JSON.parse(request.body) as { Dynamodb: { SequenceNumber: string } }).Dynamodb.SequenceNumber);
    const lastSequence = sequences.reduce((a, b) => (BigInt(b) > BigInt(a) ? b : a));
    await waitUntil(
      async () => Object.values((await checkpoint()) ?? {}).some((shards) => Object.values(shards).includes(lastSequence)),
      15_000,
      'the checkpoint at the last record the sink accepted',
    );
  });

  it('filter-orders-by-status-and-total sends only inserted or changed orders that are shipped and total 100 or more', async function () {
    const nodes = await deployExample('filter-orders-by-status-and-total');
    const debugId = idOf(nodes, 'debug');
    await waitUntil(
      async () => {
        itemCounter += 1;
        await table.put({ pk: { S: `order-${itemCounter}-pending` }, status: { S: 'pending' }, total: { N: '500' } });
        await table.put({ pk: { S: `order-${itemCounter}-small` }, status: { S: 'shipped' }, total: { N: '99.99' } });
        await table.put({ pk: { S: `order-${itemCounter}-large` }, status: { S: 'shipped' }, total: { N: '150' } });
        await new Promise((resolve) => setTimeout(resolve, 500));
        return comms!.debugFrom(debugId).length > 0;
      },
      30_000,
      'a large shipped order in the debug sidebar',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const orders = comms!.debugFrom(debugId).map((m) => JSON.parse(m.msg) as { pk: string; status: string; total: number });
    assert.ok(orders.every((o) => /-large$/.test(o.pk) && o.status === 'shipped' && o.total === 150), JSON.stringify(orders));
  });

  it('failures-to-dead-letter retries a record the function throws for, then sends it to the dead letters (debug and file) with its attempts, while other records pass', async function () {
    const nodes = await deployExample('failures-to-dead-letter');
    const deadLetters = idOf(nodes, 'debug', 'dead letters');
    const processed = idOf(nodes, 'debug', 'processed');
    let poison = '';
    await waitUntil(
      async () => {
        itemCounter += 1;
        poison = `poison-${itemCounter}`;
        await table.put({ pk: { S: poison }, fail: { BOOL: true } });
        await table.put({ pk: { S: `fine-${itemCounter}` }, fail: { BOOL: false } });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return comms!.debugFrom(deadLetters).length > 0;
      },
      45_000,
      'a record in the dead letters',
    );
    const [first] = comms!.debugFrom(deadLetters).map((m) => JSON.parse(m.msg) as { payload: { keys: { pk: string } }; attempts: number; error: { message: string }; dynamodbStream: { sequenceNumber: string } });
    assert.match(first.payload.keys.pk, /^poison-/);
    assert.equal(first.attempts, 4, 'maxRetries 3: four attempts');
    assert.match(first.error.message, /cannot process/);
    assert.ok(comms!.debugFrom(processed).some((m) => /fine-/.test(m.msg)), 'the other records passed');
    const file = path.join(userDir!, 'dead-letters.ndjson');
    await waitUntil(() => existsSync(file), 5_000, 'the dead-letter file');
    const line = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]) as { record: { keys: { pk: string } }; attempts: number; position: { sequenceNumber: string } };
    assert.deepEqual([line.record.keys.pk, line.attempts, line.position.sequenceNumber], [first.payload.keys.pk, 4, first.dynamodbStream.sequenceNumber]);
  });
});

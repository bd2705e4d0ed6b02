import assert from 'node:assert/strict';
import { HTTP } from 'cloudevents';
import { createTable, type TestTable } from '../support/dynamodb';
import { helper, useNodeRedWithDynamoDbLocal, ourNodes, sourceCredentials, sourceFlow } from '../support/node-red';
import { MessageCollector, type Msg } from '../support/collect';

/** An aws-sdk-go v1 AttributeValue as Go wrote it: the ten members, all null but the one given. */
function goValue(member: Record<string, unknown>): Record<string, unknown> {
  return { B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: null, SS: null, ...member };
}

describe('source node on DynamoDB Local: the three data formats', function () {
  const ctx = useNodeRedWithDynamoDbLocal();

  async function writeInsertModifyRemove(table: TestTable): Promise<void> {
    await table.put({ pk: { S: 'k1' }, sk: { N: '2' }, colour: { S: 'red' }, big: { N: '12345678901234567890' }, blob: { B: Buffer.from('hi') } });
    await table.update({ pk: { S: 'k1' }, sk: { N: '2' } }, 'colour = :c', { ':c': { S: 'blue' } });
    await table.remove({ pk: { S: 'k1' }, sk: { N: '2' } });
  }

  async function run(dataFormat: string): Promise<{ table: TestTable; messages: Msg[] }> {
    const table = await createTable(ctx.client, { prefix: `fmt-${dataFormat}`, rangeKey: true });
    await helper.load(ourNodes, sourceFlow({ arn: table.arn, endpoint: ctx.endpoint, source: { dataFormat } }), sourceCredentials);
    const collector = new MessageCollector(helper.getNode('h1'));
    await writeInsertModifyRemove(table);
    return { table, messages: await collector.waitFor(3) };
  }

  function assertAttributes(messages: Msg[], table: TestTable): void {
    assert.deepEqual(messages.map((m) => m.cloudevent.dynamodboperation), ['INSERT', 'MODIFY', 'REMOVE']);
    for (const msg of messages) {
      const ce = msg.cloudevent;
      assert.equal(ce.specversion, '1.0');
      assert.equal(ce.type, 'com.amazon.dynamodb.stream_record');
      assert.equal(ce.source, table.arn);
      assert.equal(ce.subject, 'pk=k1,sk=2');
      assert.equal(ce.datacontenttype, 'application/json');
      assert.match(ce.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      assert.ok(Math.abs(Date.parse(ce.time) - Date.now()) < 5 * 60_000, 'time is the record time, minutes at most from now');
      assert.equal(msg.topic, `${table.name}/${ce.dynamodboperation}`);
      assert.equal(msg.headers['ce-id'], ce.id);
      assert.equal(msg.headers['content-type'], 'application/json');
      const parsed = HTTP.toEvent({ headers: msg.headers, body: JSON.stringify(msg.payload) });
      assert.ok(!Array.isArray(parsed));
      assert.equal(parsed.source, table.arn);
      assert.equal(parsed.subject, 'pk=k1,sk=2');
    }
    assert.equal(new Set(messages.map((m) => m.cloudevent.id)).size, 3, 'ids are distinct');
  }

  it('emits INSERT, MODIFY and REMOVE in write order in the triggermesh format, shaped like the TriggerMesh schema', async function () {
    const { table, messages } = await run('triggermesh');
    assertAttributes(messages, table);
    const [insert, modify, remove] = messages.map((m) => m.payload);
    const topLevel = ['AwsRegion', 'Dynamodb', 'EventID', 'EventName', 'EventSource', 'EventVersion', 'UserIdentity'];
    const streamRecord = ['ApproximateCreationDateTime', 'Keys', 'NewImage', 'OldImage', 'SequenceNumber', 'SizeBytes', 'StreamViewType'];
    for (const [i, payload] of [insert, modify, remove].entries()) {
      assert.deepEqual(Object.keys(payload).sort(), topLevel);
      assert.deepEqual(Object.keys(payload.Dynamodb).sort(), streamRecord);
      assert.equal(payload.EventID, messages[i].cloudevent.id);
      assert.equal(payload.EventSource, 'aws:dynamodb');
      assert.equal(payload.AwsRegion, 'ddblocal');
      assert.equal(payload.UserIdentity, null);
      assert.equal(payload.Dynamodb.StreamViewType, 'NEW_AND_OLD_IMAGES');
      assert.equal(typeof payload.Dynamodb.SizeBytes, 'number');
      assert.match(payload.Dynamodb.ApproximateCreationDateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      assert.equal(
        JSON.stringify(payload.Dynamodb.Keys),
        '{"pk":{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":null,"S":"k1","SS":null},' +
          '"sk":{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":"2","NS":null,"NULL":null,"S":null,"SS":null}}',
        'every AttributeValue member, keys sorted, as Go encoding/json wrote them',
      );
    }
    assert.equal(insert.EventName, 'INSERT');
    assert.equal(insert.Dynamodb.OldImage, null);
    assert.deepEqual(Object.keys(insert.Dynamodb.NewImage), ['big', 'blob', 'colour', 'pk', 'sk']);
    assert.deepEqual(insert.Dynamodb.NewImage.colour, goValue({ S: 'red' }));
    assert.deepEqual(insert.Dynamodb.NewImage.blob, goValue({ B: Buffer.from('hi').toString('base64') }));
    assert.deepEqual(insert.Dynamodb.NewImage.big, goValue({ N: '12345678901234567890' }));
    assert.deepEqual(modify.Dynamodb.OldImage.colour, goValue({ S: 'red' }));
    assert.deepEqual(modify.Dynamodb.NewImage.colour, goValue({ S: 'blue' }));
    assert.equal(remove.Dynamodb.NewImage, null);
    assert.deepEqual(remove.Dynamodb.OldImage.colour, goValue({ S: 'blue' }));
    assert.ok(insert.Dynamodb.SequenceNumber < modify.Dynamodb.SequenceNumber);
  });

  it('emits the aws format as Lambda delivers records, with eventSourceARN', async function () {
    const { table, messages } = await run('aws');
    assertAttributes(messages, table);
    const [insert, modify, remove] = messages.map((m) => m.payload);
    assert.deepEqual(
      [insert.eventName, modify.eventName, remove.eventName],
      ['INSERT', 'MODIFY', 'REMOVE'],
    );
    for (const payload of [insert, modify, remove]) {
      assert.equal(payload.eventSource, 'aws:dynamodb');
      assert.equal(payload.awsRegion, 'ddblocal');
      assert.match(payload.eventSourceARN, new RegExp(`^${table.arn}/stream/`));
      assert.equal(typeof payload.dynamodb.ApproximateCreationDateTime, 'number');
      assert.deepEqual(payload.dynamodb.Keys, { pk: { S: 'k1' }, sk: { N: '2' } });
    }
    assert.equal(insert.dynamodb.OldImage, undefined);
    assert.deepEqual(modify.dynamodb.NewImage.colour, { S: 'blue' });
    assert.deepEqual(remove.dynamodb.OldImage.colour, { S: 'blue' });
  });

  it('emits the document format with plain JSON images', async function () {
    const { table, messages } = await run('document');
    assertAttributes(messages, table);
    const [insert, modify, remove] = messages.map((m) => m.payload);
    assert.equal(insert.eventName, 'INSERT');
    assert.deepEqual(insert.keys, { pk: 'k1', sk: 2 });
    assert.equal(insert.oldImage, null);
    assert.equal(insert.newImage.colour, 'red');
    assert.equal(insert.newImage.big, '12345678901234567890');
    assert.equal(insert.newImage.blob, Buffer.from('hi').toString('base64'));
    assert.equal(modify.oldImage.colour, 'red');
    assert.equal(modify.newImage.colour, 'blue');
    assert.equal(remove.newImage, null);
    assert.equal(remove.oldImage.colour, 'blue');
    assert.equal(typeof insert.sequenceNumber, 'string');
    assert.match(insert.approximateCreationDateTime, /Z$/);
  });
});

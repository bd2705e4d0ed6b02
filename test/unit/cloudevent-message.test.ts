import assert from 'node:assert/strict';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { type CloudEvent, HTTP } from 'cloudevents';
import {
  DATA_FORMATS,
  type DataFormat,
  isDataFormat,
  toAttributes,
  toBatchMessage,
  toBinaryHeaders,
  toData,
  toRecordMessage,
} from '../../nodes/lib/cloudevent';
import { ORDERS_CONTEXT as context } from '../support/cloudevent-fixtures';


function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', sequence: number): _Record {
  const image = { pk: { S: `k${sequence}` }, sk: { N: String(sequence) }, photo: { B: new Uint8Array([sequence]) } };
  return {
    eventID: `event-${sequence}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: new Date(Date.UTC(2023, 2, 30, 12, 0, sequence)),
      Keys: { sk: image.sk, pk: image.pk },
      ...(eventName === 'REMOVE' ? {} : { NewImage: image }),
      ...(eventName === 'INSERT' ? {} : { OldImage: image }),
      SequenceNumber: String(100 + sequence),
      SizeBytes: 40,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

describe('cloudevent: record message', () => {
  for (const format of DATA_FORMATS) {
    it(`carries the ${format} data as the payload`, () => {
      const input = record('INSERT', 1);

      assert.deepEqual(toRecordMessage(input, context, format).payload, toData(input, context, format));
    });
  }

  it('carries the CloudEvent attributes as msg.cloudevent', () => {
    const input = record('MODIFY', 1);

    assert.deepEqual(toRecordMessage(input, context, 'aws').cloudevent, toAttributes(input, context));
  });

  it('carries the binary-mode headers of those attributes as msg.headers', () => {
    const input = record('MODIFY', 1);

    assert.deepEqual(toRecordMessage(input, context, 'aws').headers, toBinaryHeaders(toAttributes(input, context)));
  });

  for (const operation of ['INSERT', 'MODIFY', 'REMOVE'] as const) {
    it(`sets the topic to orders/${operation} for an operation of ${operation}`, () => {
      assert.equal(toRecordMessage(record(operation, 1), context, 'triggermesh').topic, `orders/${operation}`);
    });
  }

  for (const format of DATA_FORMATS) {
    it(`survives a JSON round trip unchanged in the ${format} format, as ordinary nodes may make one`, () => {
      const message = toRecordMessage(record('MODIFY', 7), context, format);

      assert.deepEqual(JSON.parse(JSON.stringify(message)), message);
    });
  }
});

describe('cloudevent: batch message', () => {
  const records = [record('INSERT', 1), record('MODIFY', 2), record('REMOVE', 3)];

  it('carries the data of every record, in order, as the payload array', () => {
    const batch = toBatchMessage(records, context, 'document');

    assert.deepEqual(
      batch.payload,
      records.map((input) => toData(input, context, 'document')),
    );
  });

  it('carries the attributes of every record, in the same order, as msg.cloudevents', () => {
    const batch = toBatchMessage(records, context, 'document');

    assert.deepEqual(
      batch.cloudevents.map((attributes) => attributes.id),
      ['event-1', 'event-2', 'event-3'],
    );
    assert.deepEqual(
      batch.cloudevents,
      records.map((input) => toAttributes(input, context)),
    );
  });

  it('sets the topic to the table name', () => {
    assert.equal(toBatchMessage(records, context, 'aws').topic, 'orders');
  });

  it('has exactly payload, cloudevents and topic', () => {
    assert.deepEqual(Object.keys(toBatchMessage(records, context, 'aws')).sort(), ['cloudevents', 'payload', 'topic']);
  });

  it('is empty for an empty batch', () => {
    assert.deepEqual(toBatchMessage([], context, 'triggermesh'), { payload: [], cloudevents: [], topic: 'orders' });
  });
});

describe('cloudevent: structured mode', () => {
  const TABLE_ARN = context.tableArn;

  it('makes msg.payload the whole event (attributes and data) and msg.headers its content type', () => {
    const input = record('INSERT', 1);

    const message = toRecordMessage(input, context, 'document', 'structured');

    assert.deepEqual(message, {
      payload: {
        specversion: '1.0',
        id: 'event-1',
        source: TABLE_ARN,
        type: 'com.amazon.dynamodb.stream_record',
        datacontenttype: 'application/json',
        dynamodboperation: 'INSERT',
        data: {
          eventName: 'INSERT',
          keys: { pk: 'k1', sk: 1 },
          newImage: { pk: 'k1', sk: 1, photo: 'AQ==' },
          oldImage: null,
          sequenceNumber: '101',
          approximateCreationDateTime: '2023-03-30T12:00:01.000Z',
        },
        time: '2023-03-30T12:00:01.000Z',
        subject: 'pk=k1,sk=1',
      },
      cloudevent: toAttributes(input, context),
      headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
      topic: 'orders/INSERT',
    });
  });

  for (const format of DATA_FORMATS) {
    it(`is read back by the cloudevents SDK as the same event, ${format} data included`, () => {
      const input = record('MODIFY', 2);
      const message = toRecordMessage(input, context, format, 'structured');

      const parsed = HTTP.toEvent({ headers: message.headers, body: JSON.stringify(message.payload) });

      assert.ok(!Array.isArray(parsed));
      const attributes = toAttributes(input, context);
      assert.equal(parsed.specversion, attributes.specversion);
      assert.equal(parsed.id, attributes.id);
      assert.equal(parsed.source, attributes.source);
      assert.equal(parsed.type, attributes.type);
      assert.equal(parsed.time, attributes.time);
      assert.equal(parsed.subject, attributes.subject);
      assert.equal(parsed.datacontenttype, 'application/json');
      assert.equal(parsed.dynamodboperation, 'MODIFY');
      assert.deepEqual(parsed.data, JSON.parse(JSON.stringify(toData(input, context, format))));
      assert.equal((parsed as CloudEvent<unknown>).validate(), true);
    });
  }

  it('makes a batch a list of structured events with the batch content type, which the SDK reads as a batch', () => {
    const records = [record('INSERT', 1), record('MODIFY', 2), record('REMOVE', 3)];

    const batch = toBatchMessage(records, context, 'aws', 'structured');

    assert.deepEqual(batch.headers, { 'content-type': 'application/cloudevents-batch+json; charset=utf-8' });
    assert.deepEqual(batch.cloudevents, records.map((input) => toAttributes(input, context)));
    const parsed = HTTP.toEvent({ headers: batch.headers ?? {}, body: JSON.stringify(batch.payload) });
    assert.ok(Array.isArray(parsed));
    assert.deepEqual(parsed.map((event) => event.id), ['event-1', 'event-2', 'event-3']);
    assert.deepEqual(parsed.map((event) => event.data), records.map((input) => JSON.parse(JSON.stringify(toData(input, context, 'aws')))));
  });

  it('leaves binary mode as the default', () => {
    const input = record('INSERT', 1);

    assert.deepEqual(toRecordMessage(input, context, 'aws'), toRecordMessage(input, context, 'aws', 'binary'));
    assert.deepEqual(toRecordMessage(input, context, 'aws').payload, toData(input, context, 'aws'));
  });
});

describe('cloudevent: data formats', () => {
  it('offers triggermesh, aws and document', () => {
    assert.deepEqual([...DATA_FORMATS], ['triggermesh', 'aws', 'document']);
  });

  it('recognises each offered format and nothing else', () => {
    for (const format of DATA_FORMATS) assert.equal(isDataFormat(format), true);
    for (const value of ['TriggerMesh', 'json', '', undefined, 1]) assert.equal(isDataFormat(value), false);
  });

  it('refuses an unknown format with an error that lists the known ones', () => {
    assert.throws(
      () => toData(record('INSERT', 1), context, 'json' as DataFormat),
      /Unknown data format "json"; expected one of triggermesh, aws, document/,
    );
  });
});

import assert from 'node:assert/strict';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { CLOUDEVENT_TYPE, formatSubject, toAttributes } from '../../nodes/lib/cloudevent';
import { ORDERS_CONTEXT as context, ORDERS_TABLE_ARN as TABLE_ARN, orderRecord } from '../support/cloudevent-fixtures';

function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'INSERT'): _Record {
  return orderRecord(eventName, { NewImage: { pk: { S: 'k1' }, sk: { N: '2' } } }, 'c81e728d9d4c2f636f067f89cc14862c');
}

describe('cloudevent: attributes', () => {
  it('takes the id from the eventID', () => {
    assert.equal(toAttributes(record(), context).id, 'c81e728d9d4c2f636f067f89cc14862c');
  });

  it('takes the source from the table ARN', () => {
    assert.equal(toAttributes(record(), context).source, TABLE_ARN);
  });

  it('is a CloudEvents 1.0 event of type com.amazon.dynamodb.stream_record', () => {
    const attributes = toAttributes(record(), context);

    assert.equal(attributes.specversion, '1.0');
    assert.equal(attributes.type, 'com.amazon.dynamodb.stream_record');
    assert.equal(CLOUDEVENT_TYPE, 'com.amazon.dynamodb.stream_record');
  });

  it('sets time to ApproximateCreationDateTime in ISO 8601 UTC', () => {
    assert.equal(toAttributes(record(), context).time, '2023-03-30T12:00:00.000Z');
  });

  it('leaves time out when the record has no ApproximateCreationDateTime', () => {
    const input = record();
    delete input.dynamodb!.ApproximateCreationDateTime;

    assert.equal('time' in toAttributes(input, context), false);
  });

  it('sets the subject to the key values in key schema order', () => {
    assert.equal(toAttributes(record(), context).subject, 'pk=k1,sk=2');
  });

  it('declares application/json as the data content type', () => {
    assert.equal(toAttributes(record(), context).datacontenttype, 'application/json');
  });

  for (const operation of ['INSERT', 'MODIFY', 'REMOVE'] as const) {
    it(`names the ${operation} operation in the dynamodboperation extension`, () => {
      assert.equal(toAttributes(record(operation), context).dynamodboperation, operation);
    });
  }

  it('sets only CloudEvents attributes and dynamodboperation, all with valid attribute names', () => {
    const names = Object.keys(toAttributes(record(), context)).sort();

    assert.deepEqual(names, [
      'datacontenttype',
      'dynamodboperation',
      'id',
      'source',
      'specversion',
      'subject',
      'time',
      'type',
    ]);
    for (const name of names) assert.match(name, /^[a-z0-9]{1,20}$/);
  });
});

describe('cloudevent: subject', () => {
  it('lists the hash key before the range key although the SDK object lists the range key first', () => {
    assert.equal(formatSubject({ sk: { N: '2' }, pk: { S: 'k1' } }, ['pk', 'sk']), 'pk=k1,sk=2');
  });

  it('follows the key schema order, not the alphabet', () => {
    assert.equal(formatSubject({ a: { S: 'range' }, z: { S: 'hash' } }, ['z', 'a']), 'z=hash,a=range');
  });

  it('writes a table with only a hash key as one name=value pair', () => {
    assert.equal(formatSubject({ id: { N: '123' } }, ['id']), 'id=123');
  });

  it('writes string and number values as they are, separators and all', () => {
    assert.equal(formatSubject({ pk: { S: 'a b=c,d' }, sk: { N: '-1.50' } }, ['pk', 'sk']), 'pk=a b=c,d,sk=-1.50');
  });

  it('writes binary values in base64', () => {
    assert.equal(formatSubject({ pk: { B: new Uint8Array([0, 1, 254, 255]) } }, ['pk']), 'pk=AAH+/w==');
  });

  it('appends key attributes the key schema does not name, in sorted order', () => {
    assert.equal(
      formatSubject({ zeta: { S: 'z' }, sk: { N: '2' }, alpha: { S: 'a' }, pk: { S: 'k1' } }, ['pk', 'sk']),
      'pk=k1,sk=2,alpha=a,zeta=z',
    );
  });

  it('sorts every key attribute by name when the key schema is unknown', () => {
    assert.equal(formatSubject({ sk: { N: '2' }, pk: { S: 'k1' } }, []), 'pk=k1,sk=2');
  });

  it('skips key schema names the record does not carry', () => {
    assert.equal(formatSubject({ pk: { S: 'k1' } }, ['pk', 'toString']), 'pk=k1');
  });

  it('is undefined when the record has no keys', () => {
    assert.equal(formatSubject(undefined, ['pk']), undefined);
  });

  it('is undefined when the keys are empty', () => {
    assert.equal(formatSubject({}, ['pk']), undefined);
  });
});

import assert from 'node:assert/strict';
import type { _Record, AttributeValue } from '@aws-sdk/client-dynamodb-streams';
import { type TriggerMeshRecord, toData } from '../../nodes/lib/cloudevent';
import { ORDERS_CONTEXT as context, orderRecord as record } from '../support/cloudevent-fixtures';


function triggermesh(input: _Record): TriggerMeshRecord {
  return toData(input, context, 'triggermesh') as TriggerMeshRecord;
}

function newImageOf(value: AttributeValue): unknown {
  const data = triggermesh(record('INSERT', { NewImage: { a: value } }));
  return data.Dynamodb?.NewImage?.a;
}

describe('cloudevent: triggermesh data format', () => {
  it('writes every aws-sdk-go Record field, in struct order, with PascalCase names', () => {
    const data = triggermesh(record('INSERT', { NewImage: { pk: { S: 'k1' } } }));

    assert.deepEqual(Object.keys(data), [
      'AwsRegion',
      'Dynamodb',
      'EventID',
      'EventName',
      'EventSource',
      'EventVersion',
      'UserIdentity',
    ]);
  });

  it('writes every StreamRecord field, in struct order, with PascalCase names', () => {
    const data = triggermesh(record('INSERT', { NewImage: { pk: { S: 'k1' } } }));

    assert.deepEqual(Object.keys(data.Dynamodb ?? {}), [
      'ApproximateCreationDateTime',
      'Keys',
      'NewImage',
      'OldImage',
      'SequenceNumber',
      'SizeBytes',
      'StreamViewType',
    ]);
  });

  it('serialises an INSERT with a null OldImage and a null UserIdentity', () => {
    const data = triggermesh(record('INSERT', { NewImage: { pk: { S: 'k1' }, sk: { N: '2' }, status: { S: 'new' } } }));

    assert.deepEqual(data, {
      AwsRegion: 'us-east-1',
      Dynamodb: {
        ApproximateCreationDateTime: '2023-03-30T12:00:00Z',
        Keys: { sk: { N: '2' }, pk: { S: 'k1' } },
        NewImage: { pk: { S: 'k1' }, sk: { N: '2' }, status: { S: 'new' } },
        OldImage: null,
        SequenceNumber: '100000000000000000001',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      EventID: 'id-INSERT',
      EventName: 'INSERT',
      EventSource: 'aws:dynamodb',
      EventVersion: '1.1',
      UserIdentity: null,
    });
  });

  it('serialises a MODIFY with both images', () => {
    const data = triggermesh(
      record('MODIFY', {
        OldImage: { pk: { S: 'k1' }, status: { S: 'new' } },
        NewImage: { pk: { S: 'k1' }, status: { S: 'paid' } },
      }),
    );

    assert.deepEqual(data.Dynamodb, {
      ApproximateCreationDateTime: '2023-03-30T12:00:00Z',
      Keys: { sk: { N: '2' }, pk: { S: 'k1' } },
      NewImage: { pk: { S: 'k1' }, status: { S: 'paid' } },
      OldImage: { pk: { S: 'k1' }, status: { S: 'new' } },
      SequenceNumber: '100000000000000000001',
      SizeBytes: 42,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    assert.equal(data.EventName, 'MODIFY');
  });

  it('serialises a REMOVE by Time To Live with a null NewImage and the service identity', () => {
    const input = record('REMOVE', { OldImage: { pk: { S: 'k1' }, status: { S: 'paid' } } });
    input.userIdentity = { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' };

    const data = triggermesh(input);

    assert.equal(data.EventName, 'REMOVE');
    assert.deepEqual(data.UserIdentity, { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' });
    assert.equal(data.Dynamodb?.NewImage, null);
    assert.deepEqual(data.Dynamodb?.OldImage, { pk: { S: 'k1' }, status: { S: 'paid' } });
  });

  it('writes null for every field the record does not have', () => {
    const data = triggermesh({ dynamodb: {} });

    assert.deepEqual(data, {
      AwsRegion: null,
      Dynamodb: {
        ApproximateCreationDateTime: null,
        Keys: null,
        NewImage: null,
        OldImage: null,
        SequenceNumber: null,
        SizeBytes: null,
        StreamViewType: null,
      },
      EventID: null,
      EventName: null,
      EventSource: null,
      EventVersion: null,
      UserIdentity: null,
    });
  });

  it('writes a null Dynamodb when the record has no stream record', () => {
    assert.equal(triggermesh({ eventID: 'x' }).Dynamodb, null);
  });

  it('writes ApproximateCreationDateTime as Go RFC 3339 without a zero fraction', () => {
    const input = record('INSERT', {});
    input.dynamodb!.ApproximateCreationDateTime = new Date('2024-02-29T23:59:59.000Z');

    assert.equal(triggermesh(input).Dynamodb?.ApproximateCreationDateTime, '2024-02-29T23:59:59Z');
  });

  for (const [iso, expected] of [
    ['2023-03-30T12:00:00.500Z', '2023-03-30T12:00:00.5Z'],
    ['2023-03-30T12:00:00.120Z', '2023-03-30T12:00:00.12Z'],
    ['2023-03-30T12:00:00.123Z', '2023-03-30T12:00:00.123Z'],
    ['2023-03-30T12:00:10.000Z', '2023-03-30T12:00:10Z'],
  ]) {
    it(`writes ${iso} as ${expected}, trimming trailing zeros of the fraction as Go does`, () => {
      const input = record('INSERT', {});
      input.dynamodb!.ApproximateCreationDateTime = new Date(iso);

      assert.equal(triggermesh(input).Dynamodb?.ApproximateCreationDateTime, expected);
    });
  }

  const attributeValueCases: [string, AttributeValue, unknown][] = [
    ['S', { S: 'héllo' }, { S: 'héllo' }],
    ['N', { N: '12345678901234567890.5' }, { N: '12345678901234567890.5' }],
    ['B', { B: new Uint8Array([0, 1, 254, 255]) }, { B: 'AAH+/w==' }],
    ['SS', { SS: ['a', 'b'] }, { SS: ['a', 'b'] }],
    ['NS', { NS: ['1', '2.5'] }, { NS: ['1', '2.5'] }],
    ['BS', { BS: [new Uint8Array([1]), new Uint8Array([2, 3])] }, { BS: ['AQ==', 'AgM='] }],
    ['M', { M: { a: { S: 'x' } } }, { M: { a: { S: 'x' } } }],
    ['L', { L: [{ S: 'x' }, { N: '1' }] }, { L: [{ S: 'x' }, { N: '1' }] }],
    ['NULL', { NULL: true }, { NULL: true }],
    ['BOOL', { BOOL: false }, { BOOL: false }],
  ];
  for (const [type, value, expected] of attributeValueCases) {
    it(`writes ${type} as ${JSON.stringify(expected)}, with only its ${type} member`, () => {
      assert.deepEqual(newImageOf(value), expected);
    });
  }

  it('uses attribute values without binary as they are, and copies only a map that holds binary', () => {
    const plain: Record<string, AttributeValue> = { pk: { S: 'k1' }, tags: { L: [{ M: { n: { N: '1' } } }] } };
    const withBinary: Record<string, AttributeValue> = { pk: { S: 'k1' }, photo: { B: new Uint8Array([1, 2, 3]) } };
    const data = triggermesh(record('MODIFY', { NewImage: plain, OldImage: withBinary }));

    assert.equal(data.Dynamodb?.NewImage, plain, 'the wire JSON already: not copied');
    assert.notEqual(data.Dynamodb?.OldImage, withBinary);
    assert.deepEqual(data.Dynamodb?.OldImage, { pk: { S: 'k1' }, photo: { B: 'AQID' } });
    assert.ok(withBinary.photo.B instanceof Uint8Array, 'the record itself is left unchanged');
  });

  it('leaves out union members that the SDK object holds as undefined', () => {
    const value: AttributeValue = { S: 'x', N: undefined, M: undefined, NULL: undefined };

    assert.deepEqual(newImageOf(value), { S: 'x' });
  });

  it('writes nested maps and lists with their members marshalled the same way', () => {
    const value: AttributeValue = {
      M: {
        lines: { L: [{ M: { sku: { S: 'x1' }, photo: { B: new Uint8Array([1, 2, 3]) } } }, { L: [{ NULL: true }] }] },
        tags: { SS: ['a'] },
      },
    };

    assert.deepEqual(newImageOf(value), {
      M: {
        lines: { L: [{ M: { sku: { S: 'x1' }, photo: { B: 'AQID' } } }, { L: [{ NULL: true }] }] },
        tags: { SS: ['a'] },
      },
    });
  });

  it('produces plain JSON that survives JSON.stringify and JSON.parse unchanged', () => {
    const data = triggermesh(
      record('INSERT', { NewImage: { photo: { B: new Uint8Array([9]) }, tags: { BS: [new Uint8Array([8])] } } }),
    );

    assert.deepEqual(JSON.parse(JSON.stringify(data)), data);
  });
});

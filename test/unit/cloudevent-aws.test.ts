import assert from 'node:assert/strict';
import type { _Record, AttributeValue } from '@aws-sdk/client-dynamodb-streams';
import { type AwsRecord, toData } from '../../nodes/lib/cloudevent';
import { ORDERS_CONTEXT as context, ORDERS_STREAM_ARN as STREAM_ARN, orderRecord as record } from '../support/cloudevent-fixtures';


function aws(input: _Record): AwsRecord {
  return toData(input, context, 'aws') as AwsRecord;
}

describe('cloudevent: aws data format', () => {
  it('serialises an INSERT as Lambda delivers it, without an OldImage', () => {
    const data = aws(record('INSERT', { NewImage: { pk: { S: 'k1' }, sk: { N: '2' }, status: { S: 'new' } } }));

    assert.deepEqual(data, {
      eventID: 'id-INSERT',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: 1680177600,
        Keys: { sk: { N: '2' }, pk: { S: 'k1' } },
        NewImage: { pk: { S: 'k1' }, sk: { N: '2' }, status: { S: 'new' } },
        SequenceNumber: '100000000000000000001',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: STREAM_ARN,
    });
  });

  it('serialises a MODIFY with both images', () => {
    const data = aws(
      record('MODIFY', {
        OldImage: { pk: { S: 'k1' }, status: { S: 'new' } },
        NewImage: { pk: { S: 'k1' }, status: { S: 'paid' } },
      }),
    );

    assert.equal(data.eventName, 'MODIFY');
    assert.deepEqual(data.dynamodb, {
      ApproximateCreationDateTime: 1680177600,
      Keys: { sk: { N: '2' }, pk: { S: 'k1' } },
      NewImage: { pk: { S: 'k1' }, status: { S: 'paid' } },
      OldImage: { pk: { S: 'k1' }, status: { S: 'new' } },
      SequenceNumber: '100000000000000000001',
      SizeBytes: 42,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
  });

  it('serialises a REMOVE without a NewImage', () => {
    const data = aws(record('REMOVE', { OldImage: { pk: { S: 'k1' } } }));

    assert.equal(data.eventName, 'REMOVE');
    assert.deepEqual(data.dynamodb, {
      ApproximateCreationDateTime: 1680177600,
      Keys: { sk: { N: '2' }, pk: { S: 'k1' } },
      OldImage: { pk: { S: 'k1' } },
      SequenceNumber: '100000000000000000001',
      SizeBytes: 42,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
  });

  it('sets eventSourceARN to the stream ARN', () => {
    assert.equal(aws(record('INSERT', {})).eventSourceARN, STREAM_ARN);
  });

  it('writes ApproximateCreationDateTime as epoch seconds, fractional when the date has milliseconds', () => {
    const input = record('INSERT', {});
    input.dynamodb!.ApproximateCreationDateTime = new Date('2023-03-30T12:00:00.250Z');

    assert.equal(aws(input).dynamodb?.ApproximateCreationDateTime, 1680177600.25);
  });

  it('writes the Time To Live identity in camelCase as Lambda does', () => {
    const input = record('REMOVE', { OldImage: { pk: { S: 'k1' } } });
    input.userIdentity = { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' };

    assert.deepEqual(aws(input).userIdentity, { principalId: 'dynamodb.amazonaws.com', type: 'Service' });
  });

  it('leaves out userIdentity when the record has none', () => {
    assert.equal('userIdentity' in aws(record('INSERT', {})), false);
  });

  it('leaves out every field the record does not have, keeping eventSourceARN', () => {
    assert.deepEqual(aws({ dynamodb: {} }), { eventSourceARN: STREAM_ARN, dynamodb: {} });
  });

  it('writes AttributeValues as DynamoDB JSON with binary in base64, nested maps and lists included', () => {
    const data = aws(
      record('INSERT', {
        NewImage: {
          photo: { B: new Uint8Array([0, 255]) },
          thumbs: { BS: [new Uint8Array([1])] },
          meta: { M: { lines: { L: [{ N: '1' }, { NULL: true }, { BOOL: true }, { SS: ['a'] }, { NS: ['2'] }] } } },
        },
      }),
    );

    assert.deepEqual(data.dynamodb?.NewImage, {
      photo: { B: 'AP8=' },
      thumbs: { BS: ['AQ=='] },
      meta: { M: { lines: { L: [{ N: '1' }, { NULL: true }, { BOOL: true }, { SS: ['a'] }, { NS: ['2'] }] } } },
    });
  });

  it('uses attribute values without binary as they are, and copies only a map that holds binary', () => {
    const plain: Record<string, AttributeValue> = { pk: { S: 'k1' }, tags: { L: [{ M: { n: { N: '1' } } }] } };
    const withBinary: Record<string, AttributeValue> = { pk: { S: 'k1' }, photo: { B: new Uint8Array([1, 2, 3]) } };
    const data = aws(record('MODIFY', { NewImage: plain, OldImage: withBinary }));

    assert.equal(data.dynamodb?.NewImage, plain, 'the wire JSON already: not copied');
    assert.notEqual(data.dynamodb?.OldImage, withBinary);
    assert.deepEqual(data.dynamodb?.OldImage, { pk: { S: 'k1' }, photo: { B: 'AQID' } });
    assert.ok(withBinary.photo.B instanceof Uint8Array, 'the record itself is left unchanged');
  });

  it('produces plain JSON that survives JSON.stringify and JSON.parse unchanged', () => {
    const data = aws(record('INSERT', { NewImage: { photo: { B: new Uint8Array([9]) } } }));

    assert.deepEqual(JSON.parse(JSON.stringify(data)), data);
  });
});

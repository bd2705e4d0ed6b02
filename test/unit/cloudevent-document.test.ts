import assert from 'node:assert/strict';
import type { _Record, AttributeValue } from '@aws-sdk/client-dynamodb-streams';
import { type DocumentRecord, toData } from '../../nodes/lib/cloudevent';
import { ORDERS_CONTEXT as context, orderRecord as record } from '../support/cloudevent-fixtures';


function documentOf(input: _Record): DocumentRecord {
  return toData(input, context, 'document') as DocumentRecord;
}

function unmarshalled(value: AttributeValue): unknown {
  return documentOf(record('INSERT', { NewImage: { a: value } })).newImage!.a;
}

describe('cloudevent: document data format', () => {
  it('serialises an INSERT with its new image and a null old image', () => {
    const data = documentOf(record('INSERT', { NewImage: { pk: { S: 'k1' }, sk: { N: '2' }, status: { S: 'new' } } }));

    assert.deepEqual(data, {
      eventName: 'INSERT',
      keys: { sk: 2, pk: 'k1' },
      newImage: { pk: 'k1', sk: 2, status: 'new' },
      oldImage: null,
      sequenceNumber: '100000000000000000001',
      approximateCreationDateTime: '2023-03-30T12:00:00.000Z',
    });
  });

  it('serialises a MODIFY with both images', () => {
    const data = documentOf(
      record('MODIFY', {
        OldImage: { pk: { S: 'k1' }, status: { S: 'new' } },
        NewImage: { pk: { S: 'k1' }, status: { S: 'paid' } },
      }),
    );

    assert.deepEqual(data, {
      eventName: 'MODIFY',
      keys: { sk: 2, pk: 'k1' },
      newImage: { pk: 'k1', status: 'paid' },
      oldImage: { pk: 'k1', status: 'new' },
      sequenceNumber: '100000000000000000001',
      approximateCreationDateTime: '2023-03-30T12:00:00.000Z',
    });
  });

  it('serialises a REMOVE with its old image and a null new image', () => {
    const data = documentOf(record('REMOVE', { OldImage: { pk: { S: 'k1' }, status: { S: 'paid' } } }));

    assert.deepEqual(data, {
      eventName: 'REMOVE',
      keys: { sk: 2, pk: 'k1' },
      newImage: null,
      oldImage: { pk: 'k1', status: 'paid' },
      sequenceNumber: '100000000000000000001',
      approximateCreationDateTime: '2023-03-30T12:00:00.000Z',
    });
  });

  it('keeps every key, null, when the record has no stream record', () => {
    assert.deepEqual(documentOf({ eventName: 'INSERT' }), {
      eventName: 'INSERT',
      keys: null,
      newImage: null,
      oldImage: null,
      sequenceNumber: null,
      approximateCreationDateTime: null,
    });
  });

  for (const [text, expected] of [
    ['0', 0],
    ['-0', 0],
    ['42', 42],
    ['-17', -17],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
    ['-9007199254740991', Number.MIN_SAFE_INTEGER],
    ['100.0', 100],
    ['1E+2', 100],
  ] as const) {
    it(`writes the integer ${text} as the JS number ${expected}`, () => {
      assert.equal(unmarshalled({ N: text }), expected);
    });
  }

  for (const text of ['9007199254740992', '-9007199254740993', '12345678901234567890', '1E+30']) {
    it(`writes the integer ${text}, beyond 2^53 - 1, as the decimal string`, () => {
      assert.equal(unmarshalled({ N: text }), text);
    });
  }

  for (const [text, expected] of [
    ['0.1', 0.1],
    ['-12.5', -12.5],
    ['123.456', 123.456],
    ['0.10', 0.1],
    ['1E-130', 1e-130],
  ] as const) {
    it(`writes the decimal ${text} as the JS number ${expected}, which is exact`, () => {
      assert.equal(unmarshalled({ N: text }), expected);
    });
  }

  for (const text of ['0.30000000000000000001', '3.14159265358979323846', '12345678901234567.5']) {
    it(`writes the decimal ${text}, which a double cannot hold, as the decimal string`, () => {
      assert.equal(unmarshalled({ N: text }), text);
    });
  }

  it('writes a string set as an array in the order DynamoDB sent it', () => {
    assert.deepEqual(unmarshalled({ SS: ['red', 'green', 'blue'] }), ['red', 'green', 'blue']);
  });

  it('writes a number set as an array, each member converted like a number', () => {
    assert.deepEqual(unmarshalled({ NS: ['1', '2.5', '12345678901234567890'] }), [1, 2.5, '12345678901234567890']);
  });

  it('writes a binary set as an array of base64 strings', () => {
    assert.deepEqual(unmarshalled({ BS: [new Uint8Array([1]), new Uint8Array([2, 3])] }), ['AQ==', 'AgM=']);
  });

  it('writes binary as a base64 string', () => {
    assert.equal(unmarshalled({ B: new Uint8Array([0, 1, 254, 255]) }), 'AAH+/w==');
  });

  it('writes NULL as null', () => {
    assert.equal(unmarshalled({ NULL: true }), null);
  });

  it('writes BOOL as a boolean', () => {
    assert.equal(unmarshalled({ BOOL: false }), false);
  });

  it('writes a string as itself', () => {
    assert.equal(unmarshalled({ S: 'héllo' }), 'héllo');
  });

  it('writes nested maps and lists as objects and arrays, converting what they hold', () => {
    const value: AttributeValue = {
      M: {
        lines: {
          L: [
            { M: { sku: { S: 'x1' }, qty: { N: '2' }, photo: { B: new Uint8Array([1, 2, 3]) } } },
            { L: [{ NULL: true }] },
          ],
        },
        tags: { SS: ['a'] },
        big: { N: '12345678901234567890' },
      },
    };

    assert.deepEqual(unmarshalled(value), {
      lines: [{ sku: 'x1', qty: 2, photo: 'AQID' }, [null]],
      tags: ['a'],
      big: '12345678901234567890',
    });
  });

  it('writes approximateCreationDateTime as ISO 8601 UTC', () => {
    const input = record('INSERT', {});
    input.dynamodb!.ApproximateCreationDateTime = new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 5));

    assert.equal(documentOf(input).approximateCreationDateTime, '2024-02-29T23:59:59.005Z');
  });

  it('produces plain JSON that survives JSON.stringify and JSON.parse unchanged', () => {
    const data = documentOf(
      record('INSERT', {
        NewImage: { photo: { B: new Uint8Array([9]) }, tags: { SS: ['a'] }, big: { N: '12345678901234567890' } },
      }),
    );

    assert.deepEqual(JSON.parse(JSON.stringify(data)), data);
  });
});

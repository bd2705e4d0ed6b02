import assert from 'node:assert/strict';
import type { _Record, AttributeValue } from '@aws-sdk/client-dynamodb-streams';
import { type TriggerMeshRecord, toData } from '../../nodes/lib/cloudevent';
import { ORDERS_CONTEXT as context, orderRecord as record } from '../support/cloudevent-fixtures';

// What the TriggerMesh adapter sent: `json.Marshal` of an aws-sdk-go v1 `dynamodbstreams.Record`. Every
// `dynamodb.AttributeValue` has its ten fields in struct order (B, BOOL, BS, L, M, N, NS, NULL, S, SS),
// the unset ones null; maps have their keys sorted. The expectations below are written out as Go writes them.

function triggermesh(input: _Record): TriggerMeshRecord {
  return toData(input, context, 'triggermesh') as TriggerMeshRecord;
}

function newImageOf(value: AttributeValue): unknown {
  return triggermesh(record('INSERT', { NewImage: { a: value } })).Dynamodb?.NewImage?.a;
}

const S_K1 = { B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: 'k1', SS: null };
const N_2 = { B: null, BOOL: null, BS: null, L: null, M: null, N: '2', NS: null, NULL: null, S: null, SS: null };
const S_NEW = { B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: 'new', SS: null };
const S_X = { B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: 'x', SS: null };
const S_PAID = { B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: 'paid', SS: null };

const S_K1_JSON = '{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":null,"S":"k1","SS":null}';
const N_2_JSON = '{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":"2","NS":null,"NULL":null,"S":null,"SS":null}';
const S_NEW_JSON = '{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":null,"S":"new","SS":null}';

describe('cloudevent: triggermesh data format (aws-sdk-go v1 structs through Go encoding/json)', () => {
  it('serialises an INSERT field by field: every AttributeValue with all ten members, OldImage and UserIdentity null', () => {
    const data = triggermesh(record('INSERT', { NewImage: { status: { S: 'new' }, sk: { N: '2' }, pk: { S: 'k1' } } }));

    assert.deepEqual(data, {
      AwsRegion: 'us-east-1',
      Dynamodb: {
        ApproximateCreationDateTime: '2023-03-30T12:00:00Z',
        Keys: { pk: S_K1, sk: N_2 },
        NewImage: { pk: S_K1, sk: N_2, status: S_NEW },
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

  it('serialises an INSERT to the bytes Go wrote: struct fields in struct order, map keys sorted', () => {
    const data = triggermesh(record('INSERT', { NewImage: { status: { S: 'new' }, sk: { N: '2' }, pk: { S: 'k1' } } }));

    assert.equal(
      JSON.stringify(data),
      '{"AwsRegion":"us-east-1","Dynamodb":{"ApproximateCreationDateTime":"2023-03-30T12:00:00Z",' +
        `"Keys":{"pk":${S_K1_JSON},"sk":${N_2_JSON}},` +
        `"NewImage":{"pk":${S_K1_JSON},"sk":${N_2_JSON},"status":${S_NEW_JSON}},` +
        '"OldImage":null,"SequenceNumber":"100000000000000000001","SizeBytes":42,"StreamViewType":"NEW_AND_OLD_IMAGES"},' +
        '"EventID":"id-INSERT","EventName":"INSERT","EventSource":"aws:dynamodb","EventVersion":"1.1","UserIdentity":null}',
    );
  });

  it('serialises a MODIFY with both images', () => {
    const data = triggermesh(
      record('MODIFY', {
        OldImage: { status: { S: 'new' }, pk: { S: 'k1' } },
        NewImage: { status: { S: 'paid' }, pk: { S: 'k1' } },
      }),
    );

    assert.deepEqual(data, {
      AwsRegion: 'us-east-1',
      Dynamodb: {
        ApproximateCreationDateTime: '2023-03-30T12:00:00Z',
        Keys: { pk: S_K1, sk: N_2 },
        NewImage: { pk: S_K1, status: S_PAID },
        OldImage: { pk: S_K1, status: S_NEW },
        SequenceNumber: '100000000000000000001',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      EventID: 'id-MODIFY',
      EventName: 'MODIFY',
      EventSource: 'aws:dynamodb',
      EventVersion: '1.1',
      UserIdentity: null,
    });
  });

  it('serialises a REMOVE by Time To Live with a null NewImage and the service identity', () => {
    const input = record('REMOVE', { OldImage: { pk: { S: 'k1' } } });
    input.userIdentity = { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' };

    assert.deepEqual(triggermesh(input), {
      AwsRegion: 'us-east-1',
      Dynamodb: {
        ApproximateCreationDateTime: '2023-03-30T12:00:00Z',
        Keys: { pk: S_K1, sk: N_2 },
        NewImage: null,
        OldImage: { pk: S_K1 },
        SequenceNumber: '100000000000000000001',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      EventID: 'id-REMOVE',
      EventName: 'REMOVE',
      EventSource: 'aws:dynamodb',
      EventVersion: '1.1',
      UserIdentity: { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' },
    });
    assert.match(JSON.stringify(triggermesh(input)), /"UserIdentity":\{"PrincipalId":"dynamodb.amazonaws.com","Type":"Service"\}}$/);
  });

  it('writes null for every field the record does not have, also inside Identity', () => {
    const data = triggermesh({ dynamodb: {}, userIdentity: {} });

    assert.equal(
      JSON.stringify(data),
      '{"AwsRegion":null,"Dynamodb":{"ApproximateCreationDateTime":null,"Keys":null,"NewImage":null,"OldImage":null,' +
        '"SequenceNumber":null,"SizeBytes":null,"StreamViewType":null},"EventID":null,"EventName":null,"EventSource":null,' +
        '"EventVersion":null,"UserIdentity":{"PrincipalId":null,"Type":null}}',
    );
  });

  it('writes a null Dynamodb when the record has no stream record', () => {
    assert.equal(
      JSON.stringify(triggermesh({ eventID: 'x' })),
      '{"AwsRegion":null,"Dynamodb":null,"EventID":"x","EventName":null,"EventSource":null,"EventVersion":null,"UserIdentity":null}',
    );
  });

  for (const [iso, expected] of [
    ['2024-02-29T23:59:59.000Z', '2024-02-29T23:59:59Z'],
    ['2023-03-30T12:00:00.500Z', '2023-03-30T12:00:00.5Z'],
    ['2023-03-30T12:00:00.120Z', '2023-03-30T12:00:00.12Z'],
    ['2023-03-30T12:00:00.123Z', '2023-03-30T12:00:00.123Z'],
    ['2023-03-30T12:00:10.000Z', '2023-03-30T12:00:10Z'],
  ]) {
    it(`writes ApproximateCreationDateTime ${iso} as ${expected} (time.Time in UTC, RFC 3339 with Go's trimmed fraction)`, () => {
      const input = record('INSERT', {});
      input.dynamodb!.ApproximateCreationDateTime = new Date(iso);

      assert.equal(triggermesh(input).Dynamodb?.ApproximateCreationDateTime, expected);
    });
  }

  const attributeValueCases: [string, AttributeValue, string][] = [
    ['S', { S: 'héllo' }, '{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":null,"S":"héllo","SS":null}'],
    ['empty S', { S: '' }, '{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":null,"S":"","SS":null}'],
    ['N', { N: '12345678901234567890.5' }, '{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":"12345678901234567890.5","NS":null,"NULL":null,"S":null,"SS":null}'],
    ['B', { B: new Uint8Array([0, 1, 254, 255]) }, '{"B":"AAH+/w==","BOOL":null,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":null,"S":null,"SS":null}'],
    ['empty B', { B: new Uint8Array([]) }, '{"B":"","BOOL":null,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":null,"S":null,"SS":null}'],
    ['SS', { SS: ['a', 'b'] }, '{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":null,"S":null,"SS":["a","b"]}'],
    ['NS', { NS: ['1', '2.5'] }, '{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":null,"NS":["1","2.5"],"NULL":null,"S":null,"SS":null}'],
    ['BS', { BS: [new Uint8Array([1]), new Uint8Array([2, 3])] }, '{"B":null,"BOOL":null,"BS":["AQ==","AgM="],"L":null,"M":null,"N":null,"NS":null,"NULL":null,"S":null,"SS":null}'],
    ['NULL', { NULL: true }, '{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":true,"S":null,"SS":null}'],
    ['BOOL false', { BOOL: false }, '{"B":null,"BOOL":false,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":null,"S":null,"SS":null}'],
    ['BOOL true', { BOOL: true }, '{"B":null,"BOOL":true,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":null,"S":null,"SS":null}'],
    ['empty L', { L: [] }, '{"B":null,"BOOL":null,"BS":null,"L":[],"M":null,"N":null,"NS":null,"NULL":null,"S":null,"SS":null}'],
    ['empty M', { M: {} }, '{"B":null,"BOOL":null,"BS":null,"L":null,"M":{},"N":null,"NS":null,"NULL":null,"S":null,"SS":null}'],
    [
      'L',
      { L: [{ S: 'x' }, { N: '1' }] },
      '{"B":null,"BOOL":null,"BS":null,"L":[' +
        '{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":null,"S":"x","SS":null},' +
        '{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":"1","NS":null,"NULL":null,"S":null,"SS":null}' +
        '],"M":null,"N":null,"NS":null,"NULL":null,"S":null,"SS":null}',
    ],
    [
      'M',
      { M: { b: { S: 'x' }, a: { NULL: true } } },
      '{"B":null,"BOOL":null,"BS":null,"L":null,"M":{' +
        '"a":{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":true,"S":null,"SS":null},' +
        '"b":{"B":null,"BOOL":null,"BS":null,"L":null,"M":null,"N":null,"NS":null,"NULL":null,"S":"x","SS":null}' +
        '},"N":null,"NS":null,"NULL":null,"S":null,"SS":null}',
    ],
  ];
  for (const [type, value, expected] of attributeValueCases) {
    it(`writes ${type} with all ten members: ${expected.slice(0, 60)}…`, () => {
      assert.equal(JSON.stringify(newImageOf(value)), expected);
    });
  }

  it('writes nested maps and lists with every member of every value, keys sorted at each level', () => {
    const value: AttributeValue = {
      M: {
        tags: { SS: ['a'] },
        lines: { L: [{ M: { sku: { S: 'x1' }, photo: { B: new Uint8Array([1, 2, 3]) } } }, { L: [{ NULL: true }] }] },
      },
    };

    assert.deepEqual(newImageOf(value), {
      B: null, BOOL: null, BS: null, L: null,
      M: {
        lines: {
          B: null, BOOL: null, BS: null,
          L: [
            {
              B: null, BOOL: null, BS: null, L: null,
              M: {
                photo: { B: 'AQID', BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: null, SS: null },
                sku: { B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: 'x1', SS: null },
              },
              N: null, NS: null, NULL: null, S: null, SS: null,
            },
            {
              B: null, BOOL: null, BS: null,
              L: [{ B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: true, S: null, SS: null }],
              M: null, N: null, NS: null, NULL: null, S: null, SS: null,
            },
          ],
          M: null, N: null, NS: null, NULL: null, S: null, SS: null,
        },
        tags: { B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: null, SS: ['a'] },
      },
      N: null, NS: null, NULL: null, S: null, SS: null,
    });
    const lines = (newImageOf(value) as { M: Record<string, { L: { M: object }[] }> }).M.lines;
    assert.deepEqual(Object.keys(lines.L[0].M), ['photo', 'sku'], 'nested map keys sorted as Go sorts them');
  });

  it('sorts map keys by their UTF-8 bytes as Go does, also where UTF-16 order differs (U+FFFD before U+1F600)', () => {
    const image: Record<string, AttributeValue> = {};
    for (const name of ['😀', 'zeta', '\uFFFD', 'ä', 'beta', 'Alpha', 'b', '_x', '$y']) image[name] = { S: name };

    const data = triggermesh(record('INSERT', { NewImage: image }));

    assert.deepEqual(Object.keys(data.Dynamodb?.NewImage ?? {}), ['$y', 'Alpha', '_x', 'b', 'beta', 'zeta', 'ä', '\uFFFD', '😀']);
  });

  it('sorts the keys of a large map too', () => {
    const image: Record<string, AttributeValue> = {};
    const names = Array.from({ length: 40 }, (_, i) => `attr${String.fromCharCode(122 - i)}`);
    for (const name of names) image[name] = { N: '1' };

    const data = triggermesh(record('INSERT', { NewImage: image }));

    assert.deepEqual(Object.keys(data.Dynamodb?.NewImage ?? {}), [...names].sort());
  });

  it('puts array-index attribute names first in numeric order: the one place its key order differs from Go (a JavaScript object rule)', () => {
    const data = triggermesh(record('INSERT', { NewImage: { b: { S: 'x' }, '10': { S: 'y' }, '9': { S: 'z' } } }));

    assert.deepEqual(Object.keys(data.Dynamodb?.NewImage ?? {}), ['9', '10', 'b']);
  });

  it('keeps an attribute named __proto__ as data', () => {
    const image = JSON.parse('{"__proto__":{"S":"x"}}') as Record<string, AttributeValue>;

    const data = triggermesh(record('INSERT', { NewImage: image }));

    assert.deepEqual(Object.keys(data.Dynamodb?.NewImage ?? {}), ['__proto__']);
    assert.equal(Object.getPrototypeOf(data.Dynamodb?.NewImage), Object.prototype);
  });

  it('writes null for union members the SDK object holds as undefined, and for members Go has no field for', () => {
    assert.deepEqual(newImageOf({ S: 'x', N: undefined, M: undefined, NULL: undefined }), S_X);
    assert.deepEqual(newImageOf({ $unknown: ['XX', 'y'] }), {
      B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: null, SS: null,
    });
  });

  it('leaves the record it reads unchanged', () => {
    const input = record('MODIFY', { NewImage: { photo: { B: new Uint8Array([1, 2, 3]) }, b: { S: 'x' }, a: { S: 'y' } } });

    triggermesh(input);

    assert.deepEqual(Object.keys(input.dynamodb!.NewImage!), ['photo', 'b', 'a']);
    assert.ok(input.dynamodb!.NewImage!.photo.B instanceof Uint8Array);
    assert.deepEqual(input.dynamodb!.NewImage!.b, { S: 'x' });
  });

  it('produces plain JSON that survives JSON.stringify and JSON.parse unchanged', () => {
    const data = triggermesh(
      record('INSERT', { NewImage: { photo: { B: new Uint8Array([9]) }, tags: { BS: [new Uint8Array([8])] } } }),
    );

    assert.deepEqual(JSON.parse(JSON.stringify(data)), data);
  });
});

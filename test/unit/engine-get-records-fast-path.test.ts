import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBStreamsClient, GetRecordsCommand, type GetRecordsCommandOutput } from '@aws-sdk/client-dynamodb-streams';
import { withGetRecordsFastPath } from '../../nodes/lib/get-records-fast-path';
import { parseGetRecordsBody } from '../../nodes/lib/get-records-json';
import { peekNextShardIterator } from '../../nodes/lib/next-iterator-peek';
import { dynamoDbErrorBody } from '../support/fault-proxy';

const ITERATOR = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000|1|AAAAAAAAAAE/+x==';
const RECORD = {
  eventID: 'e1',
  eventName: 'INSERT',
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: 'us-east-1',
  dynamodb: {
    ApproximateCreationDateTime: 1700000000,
    Keys: { pk: { S: 'a' } },
    NewImage: { pk: { S: 'a' }, NextShardIterator: { S: 'an attribute, not the key' }, Records: { L: [] } },
    SequenceNumber: '100000000000000000001',
    SizeBytes: 40,
    StreamViewType: 'NEW_IMAGE',
  },
};

/** Every attribute type, nested, with binary values at every depth, unicode and a fractional timestamp. */
const VARIED_RECORD = {
  awsRegion: 'eu-central-1',
  dynamodb: {
    ApproximateCreationDateTime: 1700000000.5,
    Keys: { pk: { S: 'ü-€-😀' }, sk: { N: '-12.50' } },
    NewImage: {
      pk: { S: 'ü-€-😀' },
      sk: { N: '-12.50' },
      big: { N: '123456789012345678901234567890.123' },
      bin: { B: Buffer.from([0, 1, 2, 250, 255]).toString('base64') },
      bins: { BS: [Buffer.from('a').toString('base64'), Buffer.from('bc').toString('base64')] },
      strings: { SS: ['x', 'y'] },
      numbers: { NS: ['1', '2.5'] },
      yes: { BOOL: true },
      nothing: { NULL: true },
      empty: { S: '' },
      map: { M: { inner: { M: { deep: { B: Buffer.from('deep').toString('base64') } } }, list: { L: [{ S: 'a' }, { B: 'AAE=' }, { L: [] }, { M: {} }] } } },
    },
    OldImage: { pk: { S: 'ü-€-😀' }, sk: { N: '-12.50' }, gone: { L: [{ N: '0' }] } },
    SequenceNumber: '100000000000000000002',
    SizeBytes: 321,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
  eventID: 'e2',
  eventName: 'MODIFY',
  eventSource: 'aws:dynamodb',
  eventVersion: '1.1',
  userIdentity: { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' },
};
const REMOVE_RECORD = {
  ...RECORD,
  eventID: 'e3',
  eventName: 'REMOVE',
  dynamodb: { ApproximateCreationDateTime: 1700000061, Keys: { pk: { S: 'a' } }, SequenceNumber: '100000000000000000003', SizeBytes: 10, StreamViewType: 'KEYS_ONLY' },
};

function body(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

describe('engine: GetRecords fast path (next iterator peeked from the raw body, body parsed without the SDK deserializer)', function () {
  describe('peekNextShardIterator', function () {
    it('finds the iterator of a page with records, whichever key comes first', function () {
      assert.equal(peekNextShardIterator(body({ NextShardIterator: ITERATOR, Records: [RECORD] })), ITERATOR);
      assert.equal(peekNextShardIterator(body({ Records: [RECORD], NextShardIterator: ITERATOR })), ITERATOR);
    });

    it('decodes JSON escapes in the iterator', function () {
      const escaped = Buffer.from(`{"Records":[{"eventID":"e"}],"NextShardIterator":"a\\/b\\u002Bc\\"d"}`);
      assert.equal(peekNextShardIterator(escaped), 'a/b+c"d');
    });

    it('accepts whitespace around the records list', function () {
      assert.equal(peekNextShardIterator(Buffer.from(`{"Records": \n [ {"eventID":"e"} ],"NextShardIterator": "${ITERATOR}"}`)), ITERATOR);
    });

    it('gives nothing for an empty page: the reader pauses after one instead of asking at once', function () {
      assert.equal(peekNextShardIterator(body({ NextShardIterator: ITERATOR, Records: [] })), undefined);
      assert.equal(peekNextShardIterator(Buffer.from(`{"Records": [ ],"NextShardIterator":"${ITERATOR}"}`)), undefined);
      assert.equal(peekNextShardIterator(body({ NextShardIterator: ITERATOR })), undefined);
    });

    it("gives nothing for a closed shard's last page (no NextShardIterator), even with an attribute of that name", function () {
      assert.equal(peekNextShardIterator(body({ Records: [RECORD] })), undefined);
    });

    it('gives nothing for a body cut short or not shaped like a GetRecords answer', function () {
      const whole = body({ Records: [RECORD], NextShardIterator: ITERATOR });
      assert.equal(peekNextShardIterator(whole.subarray(0, whole.length - 10)), undefined);
      assert.equal(peekNextShardIterator(Buffer.from('{"Records":[{"e":1}],"NextShardIterator":null}')), undefined);
      assert.equal(peekNextShardIterator(Buffer.from('{"Records":[{"e":1}],"NextShardIterator":""}')), undefined);
      assert.equal(peekNextShardIterator(Buffer.from('{"Records":{"e":1},"NextShardIterator":"x"}')), undefined);
      assert.equal(peekNextShardIterator(Buffer.from('not json')), undefined);
    });
  });

  describe('parseGetRecordsBody', function () {
    it('turns epoch seconds into a Date and base64 into Uint8Array at every depth, leaving the rest as sent', function () {
      const page = parseGetRecordsBody(body({ Records: [VARIED_RECORD], NextShardIterator: ITERATOR }));
      const record = page?.Records?.[0];
      assert.equal(page?.NextShardIterator, ITERATOR);
      assert.deepEqual(record?.dynamodb?.ApproximateCreationDateTime, new Date(1700000000500));
      const image = record?.dynamodb?.NewImage;
      assert.ok(image?.bin.B instanceof Uint8Array && !Buffer.isBuffer(image.bin.B));
      assert.deepEqual([...(image?.bin.B ?? [])], [0, 1, 2, 250, 255]);
      assert.deepEqual(image?.bins.BS?.map((b) => Buffer.from(b).toString()), ['a', 'bc']);
      assert.equal(Buffer.from(image?.map.M?.inner.M?.deep.B ?? []).toString(), 'deep');
      assert.equal(image?.big.N, '123456789012345678901234567890.123', 'numbers stay strings');
      assert.equal(image?.pk.S, 'ü-€-😀');
    });

    it('leaves to the SDK what it does not recognise: unknown attribute types, nulls, wrong types, not JSON', function () {
      const withImage = (image: unknown): Buffer => body({ Records: [{ ...RECORD, dynamodb: { ...RECORD.dynamodb, NewImage: image } }] });
      assert.equal(parseGetRecordsBody(withImage({ a: { X: 'new type' } })), undefined);
      assert.equal(parseGetRecordsBody(withImage({ a: { S: 1 } })), undefined);
      assert.equal(parseGetRecordsBody(withImage({ a: null })), undefined);
      assert.equal(parseGetRecordsBody(withImage(null)), undefined);
      assert.equal(parseGetRecordsBody(body({ Records: [{ ...RECORD, dynamodb: { ...RECORD.dynamodb, ApproximateCreationDateTime: '2024' } }] })), undefined);
      assert.equal(parseGetRecordsBody(body({ Records: {}, NextShardIterator: ITERATOR })), undefined);
      assert.equal(parseGetRecordsBody(body({ Records: [], NextShardIterator: 5 })), undefined);
      assert.equal(parseGetRecordsBody(Buffer.from('{"Records": [')), undefined);
    });
  });

  describe('withGetRecordsFastPath with a real SDK client against a loopback server', function () {
    let server: http.Server;
    let client: DynamoDBStreamsClient;
    let answer: (res: http.ServerResponse) => void;

    before(async function () {
      server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => answer(res));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      client = new DynamoDBStreamsClient({
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
    });

    after(async function () {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    function answerJson(status: number, payload: Buffer, chunks = 1): void {
      answer = (res) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': payload.length });
        const size = Math.ceil(payload.length / chunks);
        const writeFrom = (offset: number): void => {
          if (offset >= payload.length) {
            res.end();
            return;
          }
          res.write(payload.subarray(offset, offset + size));
          setTimeout(() => writeFrom(offset + size), 5);
        };
        writeFrom(0);
      };
    }

    async function getRecords(early: boolean): Promise<{ output: GetRecordsCommandOutput; reported: string[] }> {
      const reported: string[] = [];
      const command = new GetRecordsCommand({ ShardIterator: 'it-1', Limit: 1000 });
      if (early) withGetRecordsFastPath(command, (iterator) => reported.push(iterator));
      const output = await client.send(command);
      return { output, reported };
    }

    it('reports the next iterator of a page with records, and the SDK still returns the same page (split body)', async function () {
      answerJson(200, body({ NextShardIterator: ITERATOR, Records: [RECORD, { ...RECORD, eventID: 'e2' }] }), 4);
      const withMiddleware = await getRecords(true);
      const without = await getRecords(false);
      assert.deepEqual(withMiddleware.reported, [ITERATOR]);
      assert.equal(withMiddleware.output.NextShardIterator, ITERATOR);
      assert.deepEqual(withMiddleware.output.Records, without.output.Records);
      assert.equal(withMiddleware.output.Records?.length, 2);
      assert.equal(withMiddleware.output.Records?.[0].dynamodb?.NewImage?.NextShardIterator?.S, 'an attribute, not the key');
    });

    for (const [name, page, parsedByFastPath] of [
      ['records of every attribute type, nested', { Records: [VARIED_RECORD, RECORD, REMOVE_RECORD], NextShardIterator: ITERATOR }, true],
      ["a closed shard's last page", { Records: [REMOVE_RECORD] }, true],
      ['an empty page', { Records: [], NextShardIterator: ITERATOR }, true],
      ['an empty page without Records', { NextShardIterator: ITERATOR }, true],
      ['an attribute type the parser does not know (left to the SDK)', { Records: [{ ...RECORD, dynamodb: { ...RECORD.dynamodb, NewImage: { a: { X: '1' } } } }] }, false],
    ] as const) {
      it(`returns what the SDK's own deserializer returns: ${name}`, async function () {
        assert.equal(parseGetRecordsBody(body(page)) !== undefined, parsedByFastPath);
        answerJson(200, body(page), 3);
        const fast = await getRecords(true);
        const sdk = await getRecords(false);
        const { $metadata: fastMetadata, ...fastPage } = fast.output;
        const { $metadata: sdkMetadata, ...sdkPage } = sdk.output;
        assert.deepStrictEqual(fastPage, sdkPage);
        assert.equal(fastMetadata.httpStatusCode, 200);
        assert.equal(sdkMetadata.httpStatusCode, 200);
      });
    }

    it('reports before the SDK has parsed the page', async function () {
      answerJson(200, body({ Records: [RECORD], NextShardIterator: ITERATOR }));
      const order: string[] = [];
      const command = withGetRecordsFastPath(new GetRecordsCommand({ ShardIterator: 'it-1' }), () => order.push('reported'));
      command.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          order.push('parsed');
          return result;
        },
        { step: 'deserialize', priority: 'high', name: 'testAfterParse' },
      );
      await client.send(command);
      assert.deepEqual(order, ['reported', 'parsed']);
    });

    it('reports nothing for an empty page, and the SDK parses it', async function () {
      answerJson(200, body({ NextShardIterator: ITERATOR, Records: [] }));
      const { output, reported } = await getRecords(true);
      assert.deepEqual(reported, []);
      assert.equal(output.NextShardIterator, ITERATOR);
      assert.deepEqual(output.Records, []);
    });

    it('passes an error answer through untouched: the SDK raises ExpiredIteratorException', async function () {
      answerJson(400, Buffer.from(dynamoDbErrorBody('ExpiredIteratorException', 'Iterator expired')));
      const reported: string[] = [];
      const command = withGetRecordsFastPath(new GetRecordsCommand({ ShardIterator: 'it-1' }), (iterator) => reported.push(iterator));
      await assert.rejects(client.send(command), (error: Error) => error.name === 'ExpiredIteratorException');
      assert.deepEqual(reported, []);
    });

    it('fails like the SDK does when the connection drops halfway through the body', async function () {
      const payload = body({ NextShardIterator: ITERATOR, Records: [RECORD] });
      answer = (res) => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': payload.length });
        res.write(payload.subarray(0, 20));
        setTimeout(() => res.socket?.destroy(), 5);
      };
      const reported: string[] = [];
      const command = withGetRecordsFastPath(new GetRecordsCommand({ ShardIterator: 'it-1' }), (iterator) => reported.push(iterator));
      await assert.rejects(client.send(command));
      assert.deepEqual(reported, []);
    });
  });
});

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { type CloudEventV1, HTTP } from 'cloudevents';
import {
  type CloudEventAttributes,
  toAttributes,
  toBinaryHeaders,
  toData,
} from '../../nodes/lib/cloudevent';
import { ORDERS_CONTEXT as context, ORDERS_TABLE_ARN as TABLE_ARN } from '../support/cloudevent-fixtures';


function attributes(overrides: Partial<CloudEventAttributes> = {}): CloudEventAttributes {
  return {
    specversion: '1.0',
    id: 'c81e728d9d4c2f636f067f89cc14862c',
    source: TABLE_ARN,
    type: 'com.amazon.dynamodb.stream_record',
    time: '2023-03-30T12:00:00.000Z',
    subject: 'pk=k1,sk=2',
    datacontenttype: 'application/json',
    dynamodboperation: 'INSERT',
    ...overrides,
  };
}

function recordWithPartitionKey(pk: string): _Record {
  return {
    eventID: 'c81e728d9d4c2f636f067f89cc14862c',
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: new Date('2023-03-30T12:00:00Z'),
      Keys: { sk: { N: '2' }, pk: { S: pk } },
      NewImage: { pk: { S: pk }, sk: { N: '2' }, note: { S: 'café "100%"' }, photo: { B: new Uint8Array([1, 2, 3]) } },
      SequenceNumber: '100000000000000000001',
      SizeBytes: 42,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** POSTs through a real loopback HTTP server, so Node checks that every header value is transmittable. */
async function postOverHttp(headers: Record<string, string>, body: string): Promise<ReceivedRequest> {
  let received: ReceivedRequest | undefined;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (response) => {
        response.resume();
        response.on('end', resolve);
      });
      request.on('error', reject);
      request.end(body);
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  assert.ok(received, 'the server received no request');
  return received;
}

async function sendThroughCloudEventsSdk(record: _Record): Promise<CloudEventV1<unknown>> {
  const headers = toBinaryHeaders(toAttributes(record, context));
  const body = JSON.stringify(toData(record, context, 'triggermesh'));
  const request = await postOverHttp(headers, body);
  const receivedHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') receivedHeaders[name] = value;
  }
  const event = HTTP.toEvent({ headers: receivedHeaders, body: request.body });
  assert.ok(!Array.isArray(event), 'expected one event, not a batch');
  return event;
}

describe('cloudevent: binary-mode HTTP headers', () => {
  it('maps every attribute to its ce- header and the data content type to content-type', () => {
    assert.deepEqual(toBinaryHeaders(attributes()), {
      'ce-specversion': '1.0',
      'ce-id': 'c81e728d9d4c2f636f067f89cc14862c',
      'ce-source': TABLE_ARN,
      'ce-type': 'com.amazon.dynamodb.stream_record',
      'ce-time': '2023-03-30T12:00:00.000Z',
      'ce-subject': 'pk=k1,sk=2',
      'ce-dynamodboperation': 'INSERT',
      'content-type': 'application/json',
    });
  });

  it('leaves out ce-time and ce-subject when those attributes are absent', () => {
    const headers = toBinaryHeaders(attributes({ time: undefined, subject: undefined }));

    assert.equal('ce-time' in headers, false);
    assert.equal('ce-subject' in headers, false);
  });

  it('keeps colons, slashes, equals signs and commas verbatim', () => {
    const headers = toBinaryHeaders(attributes({ subject: 'pk=a:b/c,sk=1' }));

    assert.equal(headers['ce-source'], TABLE_ARN);
    assert.equal(headers['ce-subject'], 'pk=a:b/c,sk=1');
  });

  it('percent-encodes space, double quote and percent', () => {
    assert.equal(toBinaryHeaders(attributes({ subject: 'pk=a "b" 100%' }))['ce-subject'], 'pk=a%20%22b%22%20100%25');
  });

  it('percent-encodes non-ASCII characters as their UTF-8 bytes', () => {
    const headers = toBinaryHeaders(attributes({ subject: 'pk=é€😀' }));

    assert.equal(headers['ce-subject'], 'pk=%C3%A9%E2%82%AC%F0%9F%98%80');
  });

  it('percent-encodes control characters and DEL', () => {
    assert.equal(toBinaryHeaders(attributes({ subject: 'a\tb\nc\u007f' }))['ce-subject'], 'a%09b%0Ac%7F');
  });

  it('percent-encodes a lone surrogate as the UTF-8 replacement character', () => {
    assert.equal(toBinaryHeaders(attributes({ subject: 'a\ud800b' }))['ce-subject'], 'a%EF%BF%BDb');
  });

  it('percent-encodes the id and the operation too', () => {
    const headers = toBinaryHeaders(attributes({ id: 'id 1', dynamodboperation: 'RE MOVE' }));

    assert.equal(headers['ce-id'], 'id%201');
    assert.equal(headers['ce-dynamodboperation'], 'RE%20MOVE');
  });

  it('decodes back to the original value with one round of percent-decoding', () => {
    const subject = 'pk=a "quoted" 100% café ✓ 😀,sk=\t~!';

    assert.equal(decodeURIComponent(toBinaryHeaders(attributes({ subject }))['ce-subject']!), subject);
  });

  it('posts over HTTP as an event the cloudevents package reads back with the same attributes and data', async () => {
    const record = recordWithPartitionKey('k1');

    const event = await sendThroughCloudEventsSdk(record);

    assert.equal(event.specversion, '1.0');
    assert.equal(event.id, 'c81e728d9d4c2f636f067f89cc14862c');
    assert.equal(event.source, TABLE_ARN);
    assert.equal(event.type, 'com.amazon.dynamodb.stream_record');
    assert.equal(event.time, '2023-03-30T12:00:00.000Z');
    assert.equal(event.subject, 'pk=k1,sk=2');
    assert.equal(event.datacontenttype, 'application/json');
    assert.equal(event.dynamodboperation, 'INSERT');
    assert.deepEqual(event.data, toData(record, context, 'triggermesh'));
  });

  it('posts a subject with a space, %, " and é that the receiver percent-decodes back', async () => {
    const event = await sendThroughCloudEventsSdk(recordWithPartitionKey('order 100% "é"'));

    // cloudevents v10 hands header values back as sent; the HTTP binding has the receiver percent-decode them once.
    assert.equal(event.subject, 'pk=order%20100%25%20%22%C3%A9%22,sk=2');
    assert.equal(decodeURIComponent(event.subject!), 'pk=order 100% "é",sk=2');
    assert.equal(event.id, 'c81e728d9d4c2f636f067f89cc14862c');
    assert.equal(event.source, TABLE_ARN);
    assert.equal(event.type, 'com.amazon.dynamodb.stream_record');
  });
});

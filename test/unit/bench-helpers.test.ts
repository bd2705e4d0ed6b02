import assert from 'node:assert/strict';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { NODE_CATEGORIES, timeByCategory, type CpuProfile } from '../../bench/cpu-profile';
import { signJsonPost } from '../../bench/sigv4';
import { distribution, pairedDifferences, percentile } from '../../bench/stats';

/** node:crypto as the SDK's Checksum interface (a hash, or an HMAC when given a secret). */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {}
}

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

describe('bench helpers: statistics', () => {
  it('takes percentiles by nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual([percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99), percentile(sorted, 100)], [50, 90, 99, 100]);
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('summarises unsorted samples without reordering them', () => {
    const samples = [30, 10, 20, 40];
    assert.deepEqual(distribution(samples), { count: 4, p50: 20, p90: 40, p99: 40, max: 40, mean: 25 });
    assert.deepEqual(samples, [30, 10, 20, 40]);
    assert.ok(Number.isNaN(distribution([]).max));
  });

  it('pairs samples by key and skips keys only one side holds', () => {
    const node = new Map([[1, 50], [2, 70], [3, 90]]);
    const floor = new Map([[1, 20], [3, 100], [4, 5]]);
    assert.deepEqual(pairedDifferences([1, 2, 3, 4], node, floor), [30, -10]);
  });
});

describe('bench helpers: SigV4 of the wire contender', () => {
  it('signs a DynamoDB Streams call as the SDK signer does', async () => {
    const now = new Date('2026-12-02T15:26:07.123Z');
    const body = JSON.stringify({ ShardIterator: 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/x|1|AAA', Limit: 1000 });
    const credentials = { accessKeyId: 'benchkey', secretAccessKey: 'benchsecret' };
    const ours = signJsonPost({ host: '127.0.0.1:8123', target: 'DynamoDBStreams_20120810.GetRecords', body, region: 'ddblocal', service: 'dynamodb', credentials, now });
    const signer = new SignatureV4({ credentials, region: 'ddblocal', service: 'dynamodb', sha256: NodeSha256, applyChecksum: false });
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 8123,
        path: '/',
        query: {},
        headers: { host: '127.0.0.1:8123', 'content-type': ours['content-type'], 'x-amz-target': ours['x-amz-target'] },
        body,
      },
      { signingDate: now },
    );
    assert.equal(ours['x-amz-date'], '20261202T152607Z');
    assert.equal(ours.authorization, signed.headers.authorization);
  });
});

describe('bench helpers: CPU profile by category', () => {
  const frame = (functionName: string, url: string) => ({ functionName, url });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 6, 7, 9] },
      { id: 2, callFrame: frame('readOnePage', 'file:///x/dist/lib/shard-reader.js'), children: [4] },
      { id: 3, callFrame: frame('(idle)', '') },
      { id: 4, callFrame: frame('parseGetRecordsBody', 'file:///x/dist/lib/get-records-json.js'), children: [5, 8] },
      { id: 5, callFrame: frame('parse', '') },
      { id: 6, callFrame: frame('dispatch', 'node:inspector') },
      { id: 7, callFrame: frame('somethingElse', 'file:///elsewhere.js') },
      { id: 8, callFrame: frame('toString', 'node:buffer') },
      { id: 9, callFrame: frame('onStreamRead', 'node:internal/stream_base_commons') },
    ],
    samples: [5, 5, 4, 3, 2, 6, 7, 8, 9],
    timeDeltas: [1000, 1000, 1000, 4000, 1000, 9000, 2000, 2000, 3000],
  };

  it('charges builtins and Node.js core to the innermost categorised caller, leaves out the profiler and lists every category', () => {
    const times = timeByCategory(profile, NODE_CATEGORIES);
    const ms = Object.fromEntries(times.map((t) => [t.category, t.ms]));
    assert.equal(ms['parse (GetRecords JSON)'], 5);
    assert.equal(ms['HTTP & Node.js core'], 3);
    assert.equal(ms['waiting (idle)'], 4);
    assert.equal(ms['reader & consumer (ours)'], 1);
    assert.equal(ms.other, 2);
    assert.equal(ms['the profiler itself'], undefined);
    assert.equal(ms['mapping (CloudEvent msg)'], 0);
    assert.equal(ms['status'], 0);
    assert.equal(times[0].category, 'parse (GetRecords JSON)');
    assert.equal(times[0].share, 5 / 15);
  });
});

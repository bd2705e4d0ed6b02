// The contenders the node is measured against: loops of GetRecords (Limit 1000) from TRIM_HORIZON
// and nothing else, one through the SDK (raw), one over a keep-alive HTTP agent with JSON.parse (wire).
import { GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { wireGetRecords, wireShardIterator, type WireStreamsClient } from './wire-client';

export interface ReadResult {
  readonly records: number;
  readonly ms: number;
  readonly calls: number;
  /** Wire only: time spent signing requests. */
  readonly signingMs?: number;
}

const MAX_EMPTY_PAGES = 50;
const LIMIT = 1000;

interface Page {
  readonly count: number;
  readonly next: string | undefined;
}

/** Reads `expected` records of one shard from its start; stops early after many empty pages in a row. */
async function readLoop(firstIterator: string | undefined, expected: number, started: number, getPage: (iterator: string) => Promise<Page>): Promise<ReadResult> {
  let iterator = firstIterator;
  let records = 0;
  let calls = 0;
  let empty = 0;
  while (iterator && records < expected && empty < MAX_EMPTY_PAGES) {
    const page = await getPage(iterator);
    calls++;
    records += page.count;
    empty = page.count === 0 ? empty + 1 : 0;
    iterator = page.next;
  }
  return { records, ms: performance.now() - started, calls };
}

export async function rawCatchUp(streams: DynamoDBStreamsClient, streamArn: string, shardId: string, expected: number): Promise<ReadResult> {
  const started = performance.now();
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  return readLoop(ShardIterator, expected, started, async (iterator) => {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: LIMIT }));
    return { count: page.Records?.length ?? 0, next: page.NextShardIterator };
  });
}

export async function wireCatchUp(wire: WireStreamsClient, streamArn: string, shardId: string, expected: number): Promise<ReadResult> {
  const signingBefore = wire.signingMs;
  const started = performance.now();
  const first = await wireShardIterator(wire, streamArn, shardId, 'TRIM_HORIZON');
  const result = await readLoop(first, expected, started, async (iterator) => {
    const page = await wireGetRecords(wire, iterator, LIMIT);
    return { count: page.Records?.length ?? 0, next: page.NextShardIterator };
  });
  return { ...result, signingMs: wire.signingMs - signingBefore };
}

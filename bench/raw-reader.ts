// The ceiling: a loop of GetRecords (Limit 1000) from TRIM_HORIZON and nothing else.
import { GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';

export interface ReadResult {
  readonly records: number;
  readonly ms: number;
  readonly calls: number;
}

const MAX_EMPTY_PAGES = 50;

/** Reads `expected` records of one shard from its start; stops early after many empty pages in a row. */
export async function rawCatchUp(streams: DynamoDBStreamsClient, streamArn: string, shardId: string, expected: number): Promise<ReadResult> {
  const started = performance.now();
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  let iterator = ShardIterator;
  let records = 0;
  let calls = 0;
  let empty = 0;
  while (iterator && records < expected && empty < MAX_EMPTY_PAGES) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    calls++;
    const count = page.Records?.length ?? 0;
    records += count;
    empty = count === 0 ? empty + 1 : 0;
    iterator = page.NextShardIterator;
  }
  return { records, ms: performance.now() - started, calls };
}

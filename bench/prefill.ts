// Fills a table fast: BatchWriteItem of 25 items, several batches in flight.
import { BatchWriteItemCommand, type AttributeValue, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { benchItem } from './items';

const BATCH = 25;
const MAX_ATTEMPTS_PER_BATCH = 20;

export interface PrefillResult {
  readonly items: number;
  readonly ms: number;
}

async function writeBatch(client: DynamoDBClient, tableName: string, requests: WriteRequest[]): Promise<void> {
  let pending = requests;
  for (let attempt = 0; attempt < MAX_ATTEMPTS_PER_BATCH && pending.length > 0; attempt++) {
    const answer = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
    pending = answer.UnprocessedItems?.[tableName] ?? [];
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
  }
  if (pending.length > 0) throw new Error(`${pending.length} items left unprocessed after ${MAX_ATTEMPTS_PER_BATCH} attempts`);
}

/** Writes items `first` … `first + count - 1` (as `item(n)` makes them) with `concurrency` batches in flight. */
export async function prefill(
  client: DynamoDBClient,
  tableName: string,
  count: number,
  concurrency = 8,
  first = 0,
  item: (n: number) => Record<string, AttributeValue> = benchItem,
): Promise<PrefillResult> {
  const started = Date.now();
  let next = first;
  const end = first + count;
  const lane = async (): Promise<void> => {
    while (next < end) {
      const from = next;
      next = Math.min(end, next + BATCH);
      const requests: WriteRequest[] = [];
      for (let n = from; n < next; n++) requests.push({ PutRequest: { Item: item(n) } });
      await writeBatch(client, tableName, requests);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { items: count, ms: Date.now() - started };
}

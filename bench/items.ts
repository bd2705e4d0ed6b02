// The items the bench writes: ~300 bytes each (as DynamoDB sizes them: names + values).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

const FILLER = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris';

/** Item `n` of a run; `writtenAt` (ms since the epoch) lets the receiver measure latency. */
export function benchItem(n: number, writtenAt = 0): Record<string, AttributeValue> {
  return {
    pk: { S: `order-${String(n).padStart(8, '0')}` },
    customer: { S: `customer-${n % 997}` },
    status: { S: n % 3 === 0 ? 'PAID' : 'NEW' },
    total: { N: String((n % 10_000) / 100 + 10) },
    items: { N: String(1 + (n % 7)) },
    writtenAt: { N: String(writtenAt) },
    note: { S: FILLER },
  };
}

/** DynamoDB's item size: attribute names plus values (numbers counted roughly as their digits). */
export function itemSizeBytes(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    if (value.S !== undefined) size += Buffer.byteLength(value.S);
    else if (value.N !== undefined) size += Math.ceil(value.N.length / 2) + 1;
  }
  return size;
}

import type { AttributeValue } from '@aws-sdk/client-dynamodb-streams';
import { toBase64 } from './binary';
import { toAttributeValueJson } from './formats/attribute-value-json';

/**
 * The key values as `name=value` joined by `,` in key schema order, e.g. `pk=k1,sk=2`.
 * Key attributes the schema does not name follow in sorted order.
 */
export function formatSubject(
  keys: Record<string, AttributeValue> | undefined,
  keyAttributeNames: string[],
): string | undefined {
  if (keys === undefined) return undefined;
  const present = ownKeyCount(keys);
  const first = keyAttributeNames[0];
  if (present === 1 && first !== undefined && Object.hasOwn(keys, first)) return `${first}=${formatKeyValue(keys[first])}`;
  const parts: string[] = [];
  for (const name of keyAttributeNames) {
    if (Object.hasOwn(keys, name)) parts.push(`${name}=${formatKeyValue(keys[name])}`);
  }
  if (parts.length < present) {
    const presentNames = Object.keys(keys);
    const unnamed = presentNames
      .filter((name) => !keyAttributeNames.includes(name))
      .sort();
    for (const name of unnamed) parts.push(`${name}=${formatKeyValue(keys[name])}`);
  }
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** Own enumerable keys, counted without allocating an array. */
function ownKeyCount(keys: Record<string, AttributeValue>): number {
  let count = 0;
  for (const name in keys) if (Object.hasOwn(keys, name)) count++;
  return count;
}

function formatKeyValue(value: AttributeValue): string {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return value.N;
  if (value.B !== undefined) return toBase64(value.B);
  return JSON.stringify(toAttributeValueJson(value));
}

import type { _Record } from '@aws-sdk/client-dynamodb-streams';

/**
 * The item a record belongs to, as one string: its key attributes' values in the table's key
 * schema order (partition key, then sort key). Records of one item share it, whatever else changed.
 */
export function itemKeyOf(record: _Record, keyAttributeNames: readonly string[]): string {
  const keys = record.dynamodb?.Keys ?? {};
  const names = keyAttributeNames.length > 0 ? keyAttributeNames : Object.keys(keys).sort();
  return JSON.stringify(names.map((name) => keys[name] ?? null));
}

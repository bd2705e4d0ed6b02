import type { _Record, AttributeValue } from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { toBase64 } from '../binary';
import { toIsoTime } from '../timestamps';
import { toDocumentNumber } from './document-number';

/**
 * The `document` data format: the change with its key and images as plain JSON.
 *
 * - `keys`, `newImage`, `oldImage` are unmarshalled with `@aws-sdk/util-dynamodb`; an image the stream view
 *   type leaves out (or the record lacks) is `null`, so every key is always present.
 * - Numbers (N, and the members of NS) are JS numbers when that is exact: integers within ±(2^53 − 1),
 *   decimals whose double prints back as the same value. Any other number (e.g. `12345678901234567890`,
 *   `0.30000000000000000001`) stays the decimal string DynamoDB sent.
 * - Sets (SS, NS, BS) are arrays, in the order DynamoDB sent them.
 * - Binary (B, and the members of BS) is a base64 string.
 * - NULL is `null`, BOOL a boolean, M an object, L an array.
 * - `approximateCreationDateTime` is ISO 8601 UTC (`2023-03-30T12:00:00.000Z`).
 */
export interface DocumentRecord {
  eventName: string | null;
  keys: DocumentItem | null;
  newImage: DocumentItem | null;
  oldImage: DocumentItem | null;
  sequenceNumber: string | null;
  approximateCreationDateTime: string | null;
}

export type DocumentItem = Record<string, DocumentValue>;

export type DocumentValue = string | number | boolean | null | DocumentValue[] | { [name: string]: DocumentValue };

export function toDocumentData(record: _Record): DocumentRecord {
  const streamRecord = record.dynamodb;
  return {
    eventName: record.eventName ?? null,
    keys: toDocumentItem(streamRecord?.Keys),
    newImage: toDocumentItem(streamRecord?.NewImage),
    oldImage: toDocumentItem(streamRecord?.OldImage),
    sequenceNumber: streamRecord?.SequenceNumber ?? null,
    approximateCreationDateTime: toIsoTime(streamRecord?.ApproximateCreationDateTime) ?? null,
  };
}

export function toDocumentItem(image: Record<string, AttributeValue> | undefined): DocumentItem | null {
  if (image === undefined) return null;
  const item: Record<string, unknown> = unmarshall(image, { wrapNumbers: toDocumentNumber });
  for (const name in item) item[name] = toJsonValue(item[name]);
  return item as DocumentItem;
}

/** Replaces what `unmarshall` leaves that JSON has no form for: `Set`s and `Uint8Array`s. */
function toJsonValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return toBase64(value);
  if (value instanceof Set) return toJsonArray(Array.from(value));
  if (Array.isArray(value)) return toJsonArray(value);
  const map = value as Record<string, unknown>;
  for (const name in map) map[name] = toJsonValue(map[name]);
  return map;
}

function toJsonArray(values: unknown[]): unknown[] {
  for (let i = 0; i < values.length; i++) values[i] = toJsonValue(values[i]);
  return values;
}

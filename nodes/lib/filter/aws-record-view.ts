import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { toBase64 } from '../cloudevent/binary';
import type { LeafValue } from './leaf-value';

/**
 * A top-level field of the record as Lambda delivers it, read from the SDK's record without
 * building that JSON: the names are the same except in `userIdentity`.
 */
export function awsRecordField(record: unknown, name: string): unknown {
  const r = record as _Record;
  switch (name) {
    case 'eventID':
      return r.eventID;
    case 'eventName':
      return r.eventName;
    case 'eventVersion':
      return r.eventVersion;
    case 'eventSource':
      return r.eventSource;
    case 'awsRegion':
      return r.awsRegion;
    case 'dynamodb':
      return r.dynamodb;
    case 'userIdentity':
      return r.userIdentity && { principalId: r.userIdentity.PrincipalId, type: r.userIdentity.Type };
    default:
      return undefined;
  }
}

/**
 * A value as a leaf of the record's AWS JSON (`ApproximateCreationDateTime` in epoch seconds,
 * binary as base64), or undefined for an object, which is no leaf.
 */
export function asLeaf(value: unknown): LeafValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      if (value === null) return null;
      if (value instanceof Date) return value.getTime() / 1000;
      if (value instanceof Uint8Array) return toBase64(value);
      return undefined;
    default:
      return undefined;
  }
}

/** A nested object of the record (attribute maps, attribute values): not a leaf and not a list. */
export function isNested(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array);
}

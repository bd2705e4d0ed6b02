import type { _Record, AttributeValue, Identity, StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { toGoRfc3339Nano } from '../timestamps';
import { type GoAttributeMap, toGoAttributeMap } from './go-attribute-value';

/**
 * The record as the TriggerMesh DynamoDB source sent it: its adapter passed the aws-sdk-go v1
 * `dynamodbstreams.Record` to the CloudEvents SDK, which wrote it with Go's encoding/json. Every struct
 * field is present, `null` when unset, in the structs' field order; every AttributeValue has its ten
 * members (see go-attribute-value.ts). `JSON.stringify` of it gives Go's bytes, except that Go also escapes
 * `<`, `>`, `&`, U+2028 and U+2029 as `\u003c`… and that JavaScript puts array-index map keys (`"7"`) first.
 */
export interface TriggerMeshRecord {
  AwsRegion: string | null;
  Dynamodb: TriggerMeshStreamRecord | null;
  EventID: string | null;
  EventName: string | null;
  EventSource: string | null;
  EventVersion: string | null;
  UserIdentity: TriggerMeshIdentity | null;
}

export interface TriggerMeshStreamRecord {
  /** RFC 3339, as Go's `time.RFC3339Nano`. */
  ApproximateCreationDateTime: string | null;
  Keys: GoAttributeMap | null;
  NewImage: GoAttributeMap | null;
  OldImage: GoAttributeMap | null;
  SequenceNumber: string | null;
  SizeBytes: number | null;
  StreamViewType: string | null;
}

export interface TriggerMeshIdentity {
  PrincipalId: string | null;
  Type: string | null;
}

export function toTriggerMeshData(record: _Record): TriggerMeshRecord {
  return {
    AwsRegion: record.awsRegion ?? null,
    Dynamodb: record.dynamodb ? toStreamRecord(record.dynamodb) : null,
    EventID: record.eventID ?? null,
    EventName: record.eventName ?? null,
    EventSource: record.eventSource ?? null,
    EventVersion: record.eventVersion ?? null,
    UserIdentity: record.userIdentity ? toIdentity(record.userIdentity) : null,
  };
}

function toStreamRecord(streamRecord: StreamRecord): TriggerMeshStreamRecord {
  return {
    ApproximateCreationDateTime: toGoRfc3339Nano(streamRecord.ApproximateCreationDateTime) ?? null,
    Keys: toNullableMap(streamRecord.Keys),
    NewImage: toNullableMap(streamRecord.NewImage),
    OldImage: toNullableMap(streamRecord.OldImage),
    SequenceNumber: streamRecord.SequenceNumber ?? null,
    SizeBytes: streamRecord.SizeBytes ?? null,
    StreamViewType: streamRecord.StreamViewType ?? null,
  };
}

function toIdentity(identity: Identity): TriggerMeshIdentity {
  return { PrincipalId: identity.PrincipalId ?? null, Type: identity.Type ?? null };
}

function toNullableMap(map: Record<string, AttributeValue> | undefined): GoAttributeMap | null {
  return map ? toGoAttributeMap(map) : null;
}

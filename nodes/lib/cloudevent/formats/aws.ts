import type { _Record, Identity, StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { toEpochSeconds } from '../timestamps';
import { type AttributeMapJson, toAttributeMapJson } from './attribute-value-json';

/** The record as AWS documents it and Lambda delivers it; absent optional fields are left out. */
export interface AwsRecord {
  eventID?: string;
  eventName?: string;
  eventVersion?: string;
  eventSource?: string;
  awsRegion?: string;
  dynamodb?: AwsStreamRecord;
  userIdentity?: AwsIdentity;
  eventSourceARN: string;
}

export interface AwsStreamRecord {
  /** Seconds since the Unix epoch. */
  ApproximateCreationDateTime?: number;
  Keys?: AttributeMapJson;
  NewImage?: AttributeMapJson;
  OldImage?: AttributeMapJson;
  SequenceNumber?: string;
  SizeBytes?: number;
  StreamViewType?: string;
}

export interface AwsIdentity {
  principalId?: string;
  type?: string;
}

export function toAwsData(record: _Record, streamArn: string): AwsRecord {
  const data: AwsRecord = { eventSourceARN: streamArn };
  if (record.eventID !== undefined) data.eventID = record.eventID;
  if (record.eventName !== undefined) data.eventName = record.eventName;
  if (record.eventVersion !== undefined) data.eventVersion = record.eventVersion;
  if (record.eventSource !== undefined) data.eventSource = record.eventSource;
  if (record.awsRegion !== undefined) data.awsRegion = record.awsRegion;
  if (record.dynamodb !== undefined) data.dynamodb = toStreamRecord(record.dynamodb);
  if (record.userIdentity !== undefined) data.userIdentity = toIdentity(record.userIdentity);
  return data;
}

function toStreamRecord(streamRecord: StreamRecord): AwsStreamRecord {
  const data: AwsStreamRecord = {};
  const seconds = toEpochSeconds(streamRecord.ApproximateCreationDateTime);
  if (seconds !== undefined) data.ApproximateCreationDateTime = seconds;
  if (streamRecord.Keys !== undefined) data.Keys = toAttributeMapJson(streamRecord.Keys);
  if (streamRecord.NewImage !== undefined) data.NewImage = toAttributeMapJson(streamRecord.NewImage);
  if (streamRecord.OldImage !== undefined) data.OldImage = toAttributeMapJson(streamRecord.OldImage);
  if (streamRecord.SequenceNumber !== undefined) data.SequenceNumber = streamRecord.SequenceNumber;
  if (streamRecord.SizeBytes !== undefined) data.SizeBytes = streamRecord.SizeBytes;
  if (streamRecord.StreamViewType !== undefined) data.StreamViewType = streamRecord.StreamViewType;
  return data;
}

function toIdentity(identity: Identity): AwsIdentity {
  const data: AwsIdentity = {};
  if (identity.PrincipalId !== undefined) data.principalId = identity.PrincipalId;
  if (identity.Type !== undefined) data.type = identity.Type;
  return data;
}

import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { RecordContext } from './record-context';
import { formatSubject } from './subject';
import { toIsoTime } from './timestamps';

export const CLOUDEVENT_TYPE = 'com.amazon.dynamodb.stream_record';

/** CloudEvents 1.0 context attributes of one stream record. */
export interface CloudEventAttributes {
  specversion: '1.0';
  /** The record's eventID. */
  id: string;
  /** The table ARN, as TriggerMesh set it. */
  source: string;
  type: typeof CLOUDEVENT_TYPE;
  /** ApproximateCreationDateTime, ISO 8601 UTC. */
  time?: string;
  /** The key values in key schema order, e.g. `pk=k1,sk=2`. */
  subject?: string;
  datacontenttype: 'application/json';
  /** INSERT, MODIFY or REMOVE (TriggerMesh's extension). */
  dynamodboperation: string;
}

export function toAttributes(record: _Record, context: RecordContext): CloudEventAttributes {
  const attributes: CloudEventAttributes = {
    specversion: '1.0',
    id: record.eventID ?? '',
    source: context.tableArn,
    type: CLOUDEVENT_TYPE,
    datacontenttype: 'application/json',
    dynamodboperation: record.eventName ?? '',
  };
  const time = toIsoTime(record.dynamodb?.ApproximateCreationDateTime);
  if (time !== undefined) attributes.time = time;
  const subject = formatSubject(record.dynamodb?.Keys, context.keyAttributeNames);
  if (subject !== undefined) attributes.subject = subject;
  return attributes;
}

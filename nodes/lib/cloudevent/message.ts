import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { type CloudEventAttributes, toAttributes } from './attributes';
import { toData } from './data';
import type { DataFormat } from './data-format';
import { toBinaryHeaders } from './http-headers';
import type { RecordContext } from './record-context';

/** The parts of a Node-RED msg for one record. */
export interface RecordMessage {
  payload: unknown;
  cloudevent: CloudEventAttributes;
  headers: Record<string, string>;
  /** `<tableName>/<eventName>`, e.g. `orders/INSERT`. */
  topic: string;
}

/** The parts of a Node-RED msg for a batch of records: `payload[i]` belongs with `cloudevents[i]`. */
export interface BatchMessage {
  payload: unknown[];
  cloudevents: CloudEventAttributes[];
  /** `<tableName>`. */
  topic: string;
}

export function toRecordMessage(record: _Record, context: RecordContext, format: DataFormat): RecordMessage {
  const cloudevent = toAttributes(record, context);
  return {
    payload: toData(record, context, format),
    cloudevent,
    headers: toBinaryHeaders(cloudevent),
    topic: `${context.tableName}/${cloudevent.dynamodboperation}`,
  };
}

export function toBatchMessage(records: _Record[], context: RecordContext, format: DataFormat): BatchMessage {
  const payload = new Array<unknown>(records.length);
  const cloudevents = new Array<CloudEventAttributes>(records.length);
  for (let i = 0; i < records.length; i++) {
    payload[i] = toData(records[i], context, format);
    cloudevents[i] = toAttributes(records[i], context);
  }
  return { payload, cloudevents, topic: context.tableName };
}

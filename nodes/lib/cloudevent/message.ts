import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { type CloudEventAttributes, toAttributes } from './attributes';
import { BATCH_CONTENT_TYPE, type CloudEventsMode, STRUCTURED_CONTENT_TYPE } from './content-mode';
import { toData } from './data';
import type { DataFormat } from './data-format';
import { toBinaryHeaders } from './http-headers';
import type { RecordContext } from './record-context';
import { toStructuredEvent } from './structured';

/** The parts of a Node-RED msg for one record. */
export interface RecordMessage {
  /** Binary mode: the CloudEvent data. Structured mode: the whole event, attributes and `data`. */
  payload: unknown;
  cloudevent: CloudEventAttributes;
  /** Binary mode: the `ce-*` headers and the data's content type. Structured mode: the event format's content type. */
  headers: Record<string, string>;
  /** `<tableName>/<eventName>`, e.g. `orders/INSERT`. */
  topic: string;
}

/** The parts of a Node-RED msg for a batch of records: `payload[i]` belongs with `cloudevents[i]`. */
export interface BatchMessage {
  /** Binary mode: the data of each record. Structured mode: each record's whole event (a batch of the JSON event format). */
  payload: unknown[];
  cloudevents: CloudEventAttributes[];
  /** Structured mode only: the batch format's content type. */
  headers?: Record<string, string>;
  /** `<tableName>`. */
  topic: string;
}

export function toRecordMessage(
  record: _Record,
  context: RecordContext,
  format: DataFormat,
  mode: CloudEventsMode = 'binary',
): RecordMessage {
  const cloudevent = toAttributes(record, context);
  const data = toData(record, context, format);
  const topic = `${context.tableName}/${cloudevent.dynamodboperation}`;
  if (mode === 'structured') {
    return { payload: toStructuredEvent(cloudevent, data), cloudevent, headers: { 'content-type': STRUCTURED_CONTENT_TYPE }, topic };
  }
  return { payload: data, cloudevent, headers: toBinaryHeaders(cloudevent), topic };
}

export function toBatchMessage(
  records: _Record[],
  context: RecordContext,
  format: DataFormat,
  mode: CloudEventsMode = 'binary',
): BatchMessage {
  const payload = new Array<unknown>(records.length);
  const cloudevents = new Array<CloudEventAttributes>(records.length);
  for (let i = 0; i < records.length; i++) {
    const data = toData(records[i], context, format);
    cloudevents[i] = toAttributes(records[i], context);
    payload[i] = mode === 'structured' ? toStructuredEvent(cloudevents[i], data) : data;
  }
  if (mode === 'structured') return { payload, cloudevents, headers: { 'content-type': BATCH_CONTENT_TYPE }, topic: context.tableName };
  return { payload, cloudevents, topic: context.tableName };
}

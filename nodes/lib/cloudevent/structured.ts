import type { CloudEventAttributes } from './attributes';

/** A CloudEvent in the JSON event format: the attributes and, as JSON (datacontenttype is application/json), its `data`. */
export interface StructuredCloudEvent extends CloudEventAttributes {
  data: unknown;
}

export function toStructuredEvent(attributes: CloudEventAttributes, data: unknown): StructuredCloudEvent {
  const event: StructuredCloudEvent = {
    specversion: attributes.specversion,
    id: attributes.id,
    source: attributes.source,
    type: attributes.type,
    datacontenttype: attributes.datacontenttype,
    dynamodboperation: attributes.dynamodboperation,
    data,
  };
  if (attributes.time !== undefined) event.time = attributes.time;
  if (attributes.subject !== undefined) event.subject = attributes.subject;
  return event;
}

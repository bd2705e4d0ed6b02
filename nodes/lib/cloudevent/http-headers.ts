import type { CloudEventAttributes } from './attributes';
import { percentEncodeHeaderValue } from './percent-encoding';

/** Binary-mode HTTP headers that carry the attributes, so the JSON payload can be POSTed as the body. */
export function toBinaryHeaders(attributes: CloudEventAttributes): Record<string, string> {
  const headers: Record<string, string> = {
    'ce-specversion': attributes.specversion,
    'ce-id': percentEncodeHeaderValue(attributes.id),
    'ce-source': percentEncodeHeaderValue(attributes.source),
    'ce-type': attributes.type,
  };
  if (attributes.time !== undefined) headers['ce-time'] = percentEncodeHeaderValue(attributes.time);
  if (attributes.subject !== undefined) headers['ce-subject'] = percentEncodeHeaderValue(attributes.subject);
  headers['ce-dynamodboperation'] = percentEncodeHeaderValue(attributes.dynamodboperation);
  headers['content-type'] = attributes.datacontenttype;
  return headers;
}

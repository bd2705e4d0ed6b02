import type { CloudEventAttributes } from './attributes';
import { percentEncodeHeaderValue } from './percent-encoding';

/** The source (the table ARN) is the same for every record of a node: encoded once. */
const lastSource = { value: '', encoded: '' };

function encodedSource(source: string): string {
  if (source !== lastSource.value) {
    lastSource.encoded = percentEncodeHeaderValue(source);
    lastSource.value = source;
  }
  return lastSource.encoded;
}

/** Binary-mode HTTP headers that carry the attributes, so the JSON payload can be POSTed as the body. */
export function toBinaryHeaders(attributes: CloudEventAttributes): Record<string, string> {
  const headers: Record<string, string> = {
    'ce-specversion': attributes.specversion,
    'ce-id': percentEncodeHeaderValue(attributes.id),
    'ce-source': encodedSource(attributes.source),
    'ce-type': attributes.type,
  };
  if (attributes.time !== undefined) headers['ce-time'] = percentEncodeHeaderValue(attributes.time);
  if (attributes.subject !== undefined) headers['ce-subject'] = percentEncodeHeaderValue(attributes.subject);
  headers['ce-dynamodboperation'] = percentEncodeHeaderValue(attributes.dynamodboperation);
  headers['content-type'] = attributes.datacontenttype;
  return headers;
}

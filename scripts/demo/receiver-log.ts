import type { ReceivedRequest } from '../cloudevents-receiver';

export const RECEIVER_LINE_PREFIX = '[receiver] CloudEvent';

/** One line per request: `[receiver] CloudEvent type=… operation=… subject=… id=…`, or why it was rejected. */
export function describeReceived(request: ReceivedRequest): string {
  const { event } = request;
  if (!event) return `[receiver] rejected a request that is not a CloudEvent: ${request.parseError}`;
  const operation = typeof event.dynamodboperation === 'string' ? event.dynamodboperation : '-';
  return `${RECEIVER_LINE_PREFIX} type=${event.type} operation=${operation} subject=${decodeSubject(event.subject)} id=${event.id}`;
}

/** The HTTP binding percent-encodes header values; show the subject as the source node built it. */
function decodeSubject(subject: string | undefined): string {
  if (!subject) return '-';
  try {
    return decodeURIComponent(subject);
  } catch {
    return subject;
  }
}

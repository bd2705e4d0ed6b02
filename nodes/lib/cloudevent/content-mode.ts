/** How a message carries its CloudEvent over HTTP: attributes in `ce-*` headers (binary) or all in one JSON body (structured). */
export type CloudEventsMode = 'binary' | 'structured';

export const CLOUDEVENTS_MODES: readonly CloudEventsMode[] = Object.freeze(['binary', 'structured'] as const);

/** The media types of the JSON event format (CloudEvents JSON Event Format 1.0, sections 3 and 4). */
export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';
export const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json; charset=utf-8';

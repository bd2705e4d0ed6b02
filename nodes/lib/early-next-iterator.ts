import type { GetRecordsCommand } from '@aws-sdk/client-dynamodb-streams';

const NEXT_ITERATOR_KEY = Buffer.from('"NextShardIterator":');
const RECORDS_KEY = Buffer.from('"Records":');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

function skipWhitespace(body: Buffer, at: number): number {
  let i = at;
  while (i < body.length && (body[i] === SPACE || body[i] === TAB || body[i] === LF || body[i] === CR)) i++;
  return i;
}

/**
 * `NextShardIterator` of a GetRecords response body, read from the raw JSON before the SDK parses it,
 * when the page has at least one record (an empty page is followed by a pause, not by the next call).
 * An item attribute of the same name holds an object (`{"S": …}`), never a string, so the key whose
 * value is a string is the response's own. Undefined when either is missing or the text is not what
 * DynamoDB Streams sends.
 */
export function peekNextShardIterator(body: Buffer): string | undefined {
  const records = body.indexOf(RECORDS_KEY);
  if (records < 0) return undefined;
  const list = skipWhitespace(body, records + RECORDS_KEY.length);
  if (body[list] !== OPEN_BRACKET || body[skipWhitespace(body, list + 1)] === CLOSE_BRACKET) return undefined;
  for (let key = body.indexOf(NEXT_ITERATOR_KEY); key >= 0; key = body.indexOf(NEXT_ITERATOR_KEY, key + 1)) {
    const start = skipWhitespace(body, key + NEXT_ITERATOR_KEY.length);
    if (body[start] === QUOTE) return stringLiteralAt(body, start);
  }
  return undefined;
}

function stringLiteralAt(body: Buffer, start: number): string | undefined {
  let end = start + 1;
  while (end < body.length && body[end] !== QUOTE) end += body[end] === BACKSLASH ? 2 : 1;
  if (end >= body.length) return undefined;
  try {
    const value: unknown = JSON.parse(body.toString('utf8', start, end + 1));
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

interface RawResponse {
  statusCode?: number;
  headers?: Record<string, string | undefined>;
  body?: unknown;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | undefined)?.[Symbol.asyncIterator] === 'function';
}

/**
 * Lets `command` report the next page's iterator as soon as its response body has arrived, before
 * the SDK deserializes it (about 10 ms for a page of 1000 records), so that the next GetRecords can
 * be on its way meanwhile. The body is read into one buffer, which the SDK's deserializer then takes
 * as it is; error and encoded responses pass untouched. The reader checks the iterator against the
 * one the SDK parsed and drops a read-ahead that does not match.
 */
export function reportNextIteratorEarly(command: GetRecordsCommand, onNextIterator: (iterator: string) => void): GetRecordsCommand {
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as RawResponse | undefined;
      if (response?.statusCode !== 200 || response.headers?.['content-encoding'] || !isAsyncIterable(response.body)) return result;
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      response.body = body;
      const iterator = peekNextShardIterator(body);
      if (iterator !== undefined) {
        onNextIterator(iterator);
        // One turn of the event loop, so that the next request is written before the parsing starts.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'reportNextShardIteratorEarly' },
  );
  return command;
}

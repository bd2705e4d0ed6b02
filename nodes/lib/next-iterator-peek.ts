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
 * `NextShardIterator` of a GetRecords response body, read from the raw JSON before it is parsed,
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

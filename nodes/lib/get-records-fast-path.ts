import type { GetRecordsCommand, GetRecordsCommandOutput } from '@aws-sdk/client-dynamodb-streams';
import { parseGetRecordsBody, type GetRecordsPageBody } from './get-records-json';
import { peekNextShardIterator } from './next-iterator-peek';

interface RawResponse {
  statusCode?: number;
  headers?: Record<string, string | undefined>;
  body?: unknown;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | undefined)?.[Symbol.asyncIterator] === 'function';
}

async function readBody(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/**
 * Two shortcuts on a GetRecords call while a backlog is read, both on successful plain-JSON answers
 * only (error and encoded answers go to the SDK untouched):
 * - the next page's iterator is reported as soon as the body has arrived, before it is parsed, so
 *   that the next GetRecords can be on its way meanwhile (the reader checks it against the parsed one);
 * - the body is parsed by `parseGetRecordsBody` instead of the SDK's deserializer, which then only
 *   sees `{}`; the command's output is the parsed page with the SDK's `$metadata`. A body the parser
 *   does not recognise is left to the SDK.
 */
export function withGetRecordsFastPath(command: GetRecordsCommand, onNextIterator: (iterator: string) => void): GetRecordsCommand {
  let page: GetRecordsPageBody | undefined;
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      if (page === undefined) return result;
      const { $metadata } = result.output as GetRecordsCommandOutput;
      return { ...result, output: { ...page, $metadata } };
    },
    { step: 'deserialize', priority: 'high', name: 'getRecordsFastPathOutput' },
  );
  command.middlewareStack.add(
    (next) => async (args) => {
      page = undefined;
      const result = await next(args);
      const response = result.response as RawResponse | undefined;
      if (response?.statusCode !== 200 || response.headers?.['content-encoding'] || !isAsyncIterable(response.body)) return result;
      const body = await readBody(response.body);
      response.body = body;
      const iterator = peekNextShardIterator(body);
      if (iterator !== undefined) {
        onNextIterator(iterator);
        // One turn of the event loop, so that the next request is written before the parsing starts.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      page = parseGetRecordsBody(body);
      if (page !== undefined) response.body = Buffer.from('{}');
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'getRecordsFastPathBody' },
  );
  return command;
}

import type { GetRecordsCommandOutput, _Record } from '@aws-sdk/client-dynamodb-streams';

/** What the SDK's deserializer makes of a GetRecords answer, without `$metadata`. */
export type GetRecordsPageBody = Pick<GetRecordsCommandOutput, 'Records' | 'NextShardIterator'>;

/** Anything the SDK would read differently (unknown attribute type, null member, …): let the SDK parse. */
class UnexpectedShape extends Error {}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expectObject(value: unknown): Json {
  if (!isObject(value)) throw new UnexpectedShape();
  return value;
}

function expectNoNulls(object: Json): void {
  for (const key in object) if (object[key] === null) throw new UnexpectedShape();
}

/** base64 → Uint8Array, as the SDK's `fromBase64` returns it. */
function blobOf(value: unknown): Uint8Array {
  if (typeof value !== 'string') throw new UnexpectedShape();
  const buffer = Buffer.from(value, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function reviveAttributeValue(value: unknown): void {
  const attribute = expectObject(value);
  for (const type in attribute) {
    const member = attribute[type];
    switch (type) {
      case 'S':
      case 'N':
        if (typeof member !== 'string') throw new UnexpectedShape();
        break;
      case 'BOOL':
      case 'NULL':
        if (typeof member !== 'boolean') throw new UnexpectedShape();
        break;
      case 'SS':
      case 'NS':
        if (!Array.isArray(member)) throw new UnexpectedShape();
        break;
      case 'B':
        attribute.B = blobOf(member);
        break;
      case 'BS':
        if (!Array.isArray(member)) throw new UnexpectedShape();
        for (let i = 0; i < member.length; i++) member[i] = blobOf(member[i]);
        break;
      case 'M':
        reviveAttributeMap(member);
        break;
      case 'L':
        if (!Array.isArray(member)) throw new UnexpectedShape();
        for (let i = 0; i < member.length; i++) reviveAttributeValue(member[i]);
        break;
      default:
        throw new UnexpectedShape();
    }
  }
}

function reviveAttributeMap(value: unknown): void {
  const map = expectObject(value);
  for (const name in map) reviveAttributeValue(map[name]);
}

/** Epoch seconds → Date, as the SDK's `parseEpochTimestamp` does. */
function dateOf(value: unknown): Date {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new UnexpectedShape();
  return new Date(Math.round(value * 1000));
}

function reviveRecord(value: unknown): void {
  const record = expectObject(value);
  expectNoNulls(record);
  if (record.userIdentity !== undefined) expectNoNulls(expectObject(record.userIdentity));
  if (record.dynamodb === undefined) return;
  const streamRecord = expectObject(record.dynamodb);
  expectNoNulls(streamRecord);
  if (streamRecord.ApproximateCreationDateTime !== undefined) streamRecord.ApproximateCreationDateTime = dateOf(streamRecord.ApproximateCreationDateTime);
  if (streamRecord.Keys !== undefined) reviveAttributeMap(streamRecord.Keys);
  if (streamRecord.NewImage !== undefined) reviveAttributeMap(streamRecord.NewImage);
  if (streamRecord.OldImage !== undefined) reviveAttributeMap(streamRecord.OldImage);
}

/**
 * A GetRecords answer read with `JSON.parse` and the few conversions the SDK makes (epoch seconds to
 * `Date`, base64 to `Uint8Array`), in place: the SDK's schema-driven deserializer copies every
 * attribute value into a new object and is most of the CPU time of reading a backlog. Undefined for
 * anything it does not recognise, which the SDK then parses as usual.
 */
export function parseGetRecordsBody(body: Buffer): GetRecordsPageBody | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const { Records, NextShardIterator } = parsed;
  if (NextShardIterator !== undefined && typeof NextShardIterator !== 'string') return undefined;
  if (Records !== undefined && !Array.isArray(Records)) return undefined;
  try {
    if (Records) for (let i = 0; i < Records.length; i++) reviveRecord(Records[i]);
  } catch (error) {
    if (error instanceof UnexpectedShape) return undefined;
    throw error;
  }
  const page: GetRecordsPageBody = {};
  if (Records !== undefined) page.Records = Records as _Record[];
  if (NextShardIterator !== undefined) page.NextShardIterator = NextShardIterator;
  return page;
}

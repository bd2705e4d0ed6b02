import { CLOUDEVENTS_MODES, type CloudEventsMode } from './cloudevent';
import { ConfigurationError } from './connection-settings';
import { InvalidFilterError, RecordFilter } from './filter';
import type { InitialPosition } from './stream-session';

export type OutputMode = 'record' | 'batch';
export type AckMode = 'auto' | 'manual';
export type OrderingMode = 'emit' | 'key';
export type EventName = 'INSERT' | 'MODIFY' | 'REMOVE';
export type DataFormatName = 'triggermesh' | 'aws' | 'document';

export const EVENT_NAMES: readonly EventName[] = ['INSERT', 'MODIFY', 'REMOVE'];

/** GetRecords returns at most this many records a call. */
export const MAX_GET_RECORDS_LIMIT = 1000;
/** Batch output may gather up to this many records across pages (`batchWindow`), as Lambda's BatchSize for streams. */
export const MAX_GATHERED_BATCH_SIZE = 10_000;

/** The source node's properties as saved in a flow. */
export interface SourceNodeProperties {
  startingPosition?: string;
  batchSize?: string | number;
  output?: string;
  dataFormat?: string;
  eventNames?: string | string[];
  checkpointStore?: string;
  ackMode?: string;
  maxInFlight?: string | number;
  ackTimeout?: string | number;
  maxRecordAge?: string | number;
  leaseTable?: string;
  workerId?: string;
  /** Lambda filter patterns: a JSON string (the editor's JSON field) or a list (a flow file may hold one). */
  filters?: string | unknown[];
  cloudeventsMode?: string;
  maxRetries?: string | number;
  bisectOnError?: string | boolean;
  ordering?: string;
  batchWindow?: string | number;
}

export interface SourceOptions {
  readonly startingPosition: InitialPosition;
  readonly batchSize: number;
  readonly output: OutputMode;
  readonly dataFormat: DataFormatName;
  readonly eventNames: ReadonlySet<EventName>;
  readonly checkpointStore: string;
  readonly ackMode: AckMode;
  readonly maxInFlight: number;
  /** Seconds after which an unacknowledged message is sent again; 0 = never. */
  readonly ackTimeout: number;
  /** Records older than this many seconds are skipped (and checkpointed) with a warning; 0 = no limit. */
  readonly maxRecordAge: number;
  /** Lambda event-filter patterns; undefined: every record passes. */
  readonly filter: RecordFilter | undefined;
  /** With `checkpointStore: lease`: the lease table and this worker's id ('' = host name + process id). */
  readonly lease: { readonly table: string; readonly workerId: string } | undefined;
  readonly cloudeventsMode: CloudEventsMode;
  /** Manual mode: failed attempts before a record is given up on the failed output; -1 = never. */
  readonly maxRetries: number;
  /** Manual mode, batch output: a failed batch is split in halves and retried. */
  readonly bisectOnError: boolean;
  /** Manual mode: `emit` (shard order of sending) or `key` (one outstanding message per item key). */
  readonly ordering: OrderingMode;
  /** Batch output: seconds to gather records across pages (0 = one message per GetRecords page). */
  readonly batchWindow: number;
}

/** The `checkpointStore` value that shares the stream with other workers through a DynamoDB lease table. */
export const LEASE_CHECKPOINT_STORE = 'lease';

/** DynamoDB table names: 3 to 255 of letters, digits, '_', '-', '.'. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

function leaseOptions(store: string, properties: SourceNodeProperties): SourceOptions['lease'] {
  if (store !== LEASE_CHECKPOINT_STORE) return undefined;
  const table = properties.leaseTable?.trim() ?? '';
  if (!TABLE_NAME.test(table)) {
    throw new ConfigurationError(`leaseTable must be a DynamoDB table name (3 to 255 letters, digits, '_', '-', '.') with checkpointStore lease (got "${table}")`);
  }
  return { table, workerId: properties.workerId?.trim() ?? '' };
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  const chosen = value === undefined || value === '' ? fallback : value;
  if (!allowed.includes(chosen as T)) {
    throw new ConfigurationError(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return chosen as T;
}

function integerIn(name: string, value: string | number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const number = typeof value === 'number' ? value : Number(value.trim());
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new ConfigurationError(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return number;
}

function eventNameSet(value: string | string[] | undefined): Set<EventName> {
  if (value === undefined || value === '') return new Set(EVENT_NAMES);
  const names = (Array.isArray(value) ? value : value.split(','))
    .map((name) => name.trim().toUpperCase())
    .filter(Boolean);
  for (const name of names) {
    if (!EVENT_NAMES.includes(name as EventName)) {
      throw new ConfigurationError(`eventNames may hold ${EVENT_NAMES.join(', ')} only (got "${name}")`);
    }
  }
  if (names.length === 0) throw new ConfigurationError('Select at least one of INSERT, MODIFY, REMOVE');
  return new Set(names as EventName[]);
}

function recordFilter(value: string | unknown[] | undefined): RecordFilter | undefined {
  try {
    return RecordFilter.fromProperty(value);
  } catch (error) {
    if (error instanceof InvalidFilterError) throw new ConfigurationError(`Invalid ${error.message}`);
    throw error;
  }
}

function flag(name: string, value: string | boolean | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ConfigurationError(`${name} must be true or false (got "${value}")`);
}

export function resolveSourceOptions(properties: SourceNodeProperties): SourceOptions {
  const checkpointStore = properties.checkpointStore?.trim() || 'none';
  const output = oneOf<OutputMode>('output', properties.output, ['record', 'batch'], 'record');
  const options: SourceOptions = {
    startingPosition: oneOf('startingPosition', properties.startingPosition, ['LATEST', 'TRIM_HORIZON'], 'LATEST'),
    batchSize: integerIn('batchSize', properties.batchSize, 1, output === 'batch' ? MAX_GATHERED_BATCH_SIZE : MAX_GET_RECORDS_LIMIT, 100),
    output,
    dataFormat: oneOf('dataFormat', properties.dataFormat, ['triggermesh', 'aws', 'document'], 'triggermesh'),
    eventNames: eventNameSet(properties.eventNames),
    checkpointStore,
    ackMode: oneOf('ackMode', properties.ackMode, ['auto', 'manual'], 'auto'),
    maxInFlight: integerIn('maxInFlight', properties.maxInFlight, 1, 10000, 100),
    ackTimeout: integerIn('ackTimeout', properties.ackTimeout, 0, 86_400, 0),
    maxRecordAge: integerIn('maxRecordAge', properties.maxRecordAge, 0, 86_400, 0),
    filter: recordFilter(properties.filters),
    lease: leaseOptions(checkpointStore, properties),
    cloudeventsMode: oneOf('cloudeventsMode', properties.cloudeventsMode, CLOUDEVENTS_MODES, 'binary'),
    maxRetries: integerIn('maxRetries', properties.maxRetries, -1, 10_000, -1),
    bisectOnError: flag('bisectOnError', properties.bisectOnError),
    ordering: oneOf('ordering', properties.ordering, ['emit', 'key'], 'emit'),
    batchWindow: output === 'batch' ? integerIn('batchWindow', properties.batchWindow, 0, 300, 0) : 0,
  };
  if (options.ackMode === 'manual' && options.ordering === 'key' && options.output !== 'record') {
    throw new ConfigurationError('ordering "key" needs output "record": a batch holds many items');
  }
  return options;
}

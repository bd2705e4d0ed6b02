import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { toBatchMessage, toRecordMessage, type BatchMessage, type CloudEventsMode, type RecordContext, type RecordMessage } from './cloudevent';
import type { RecordFilter } from './filter';
import type { DataFormatName, EventName } from './source-options';
import type { ShardRecords } from './stream-session';

export interface MessageBuilderOptions {
  readonly tableArn: string;
  readonly tableName: string;
  readonly dataFormat: DataFormatName;
  readonly eventNames: ReadonlySet<EventName>;
  /** Lambda event-filter patterns, matched against the record in its AWS shape; undefined: all pass. */
  readonly filter?: RecordFilter | undefined;
  /** Default: binary. */
  readonly cloudeventsMode?: CloudEventsMode;
}

export type OutgoingMessage = Record<string, unknown>;

/** What the messages of a page need to know of it. */
export type PageContext = Pick<ShardRecords, 'streamArn' | 'keyAttributeNames'>;

/** Builds the messages of a shard page: one per record, or one for a batch. */
export class MessageBuilder {
  private readonly contexts = new Map<string, RecordContext>();
  private readonly allEvents: boolean;
  /** The last context and what it was looked up by: the pages of a shard share them. */
  private last: { streamArn: string; keyAttributeNames: readonly string[]; context: RecordContext } | undefined;

  constructor(private readonly options: MessageBuilderOptions) {
    this.allEvents = options.eventNames.size === 3;
  }

  /** Records not wanted are checkpointed past without being sent. */
  wanted(record: _Record): boolean {
    if (!this.allEvents && !this.options.eventNames.has(record.eventName as EventName)) return false;
    return this.options.filter === undefined || this.options.filter.matches(record);
  }

  /** A new object each time (the msg Node-RED sends), never shared with another message. */
  recordMessage(record: _Record, page: PageContext): OutgoingMessage {
    return asMessage(toRecordMessage(record, this.contextFor(page), this.options.dataFormat, this.options.cloudeventsMode));
  }

  batchMessage(records: _Record[], page: PageContext): OutgoingMessage {
    return asMessage(toBatchMessage(records, this.contextFor(page), this.options.dataFormat, this.options.cloudeventsMode));
  }

  private contextFor(page: PageContext): RecordContext {
    const last = this.last;
    if (last && last.keyAttributeNames === page.keyAttributeNames && last.streamArn === page.streamArn) return last.context;
    const context = this.lookUpContext(page);
    this.last = { streamArn: page.streamArn, keyAttributeNames: page.keyAttributeNames, context };
    return context;
  }

  private lookUpContext(page: PageContext): RecordContext {
    const cacheKey = `${page.streamArn} ${page.keyAttributeNames.join(',')}`;
    let context = this.contexts.get(cacheKey);
    if (!context) {
      context = {
        tableArn: this.options.tableArn,
        streamArn: page.streamArn,
        tableName: this.options.tableName,
        keyAttributeNames: [...page.keyAttributeNames],
      };
      this.contexts.set(cacheKey, context);
    }
    return context;
  }
}

/** The builders return fresh plain objects: they become the msg as they are, without a copy. */
function asMessage(message: RecordMessage | BatchMessage): OutgoingMessage {
  return message as unknown as OutgoingMessage;
}

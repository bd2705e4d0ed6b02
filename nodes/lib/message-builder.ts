import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { toBatchMessage, toRecordMessage, type RecordContext } from './cloudevent';
import type { DataFormatName, EventName } from './source-options';
import type { ShardRecords } from './stream-session';

export interface MessageBuilderOptions {
  readonly tableArn: string;
  readonly tableName: string;
  readonly dataFormat: DataFormatName;
  readonly eventNames: ReadonlySet<EventName>;
}

export type OutgoingMessage = Record<string, unknown>;

/** Builds the messages of a shard page: one per record, or one for a batch. */
export class MessageBuilder {
  private readonly contexts = new Map<string, RecordContext>();
  private readonly allEvents: boolean;

  constructor(private readonly options: MessageBuilderOptions) {
    this.allEvents = options.eventNames.size === 3;
  }

  wanted(record: _Record): boolean {
    return this.allEvents || this.options.eventNames.has(record.eventName as EventName);
  }

  recordMessage(record: _Record, page: ShardRecords): OutgoingMessage {
    return { ...toRecordMessage(record, this.contextFor(page), this.options.dataFormat) };
  }

  batchMessage(records: _Record[], page: ShardRecords): OutgoingMessage {
    return { ...toBatchMessage(records, this.contextFor(page), this.options.dataFormat) };
  }

  private contextFor(page: ShardRecords): RecordContext {
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

import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { toBatchMessage, toRecordMessage, type RecordContext } from './cloudevent';
import type { DataFormatName, EventName, OutputMode } from './source-options';
import type { ShardRecords } from './stream-session';

export interface MessageBuilderOptions {
  readonly tableArn: string;
  readonly tableName: string;
  readonly dataFormat: DataFormatName;
  readonly output: OutputMode;
  readonly eventNames: ReadonlySet<EventName>;
}

export type OutgoingMessage = Record<string, unknown>;

/** Turns one shard page into the messages to send, after the event-name filter. */
export class MessageBuilder {
  private readonly contexts = new Map<string, RecordContext>();
  private readonly filtersEvents: boolean;

  constructor(private readonly options: MessageBuilderOptions) {
    this.filtersEvents = options.eventNames.size < 3;
  }

  build(batch: ShardRecords): OutgoingMessage[] {
    const records = this.filtersEvents ? batch.records.filter((r) => this.wanted(r)) : batch.records;
    if (records.length === 0) return [];
    const context = this.contextFor(batch);
    if (this.options.output === 'batch') {
      return [{ ...toBatchMessage(records, context, this.options.dataFormat) }];
    }
    const messages: OutgoingMessage[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      messages[i] = { ...toRecordMessage(records[i], context, this.options.dataFormat) };
    }
    return messages;
  }

  private wanted(record: _Record): boolean {
    return this.options.eventNames.has(record.eventName as EventName);
  }

  private contextFor(batch: ShardRecords): RecordContext {
    const cacheKey = `${batch.streamArn} ${batch.keyAttributeNames.join(',')}`;
    let context = this.contexts.get(cacheKey);
    if (!context) {
      context = {
        tableArn: this.options.tableArn,
        streamArn: batch.streamArn,
        tableName: this.options.tableName,
        keyAttributeNames: [...batch.keyAttributeNames],
      };
      this.contexts.set(cacheKey, context);
    }
    return context;
  }
}

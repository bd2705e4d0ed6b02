import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { MessageBuilder } from '../message-builder';
import type { ShardPosition } from '../position/shard-position';
import type { ShardRecords } from '../stream-session';
import { originOf, type GatheringContent, type PageOrigin } from './delivery-content';
import type { Delivery, MessageSender } from './message-sender';

/** A gathered batch is sent before it would exceed this (Lambda's invocation payload limit). */
export const MAX_BATCH_BYTES = 6 * 1024 * 1024;

export interface BatchGatheringOptions {
  readonly builder: MessageBuilder;
  readonly windowMs: number;
  readonly batchSize: number;
  readonly sender: MessageSender;
  /** Sends a batch whose gathering ended (with or without an ack token, by mode). */
  readonly send: (position: ShardPosition, batch: Delivery) => void;
}

/**
 * `batchWindow`: each shard's wanted records join its gathering batch (the tail of its window), which
 * is sent once it holds `batchSize` records, would exceed MAX_BATCH_BYTES, or its window (started by
 * its first record) ends. Records not wanted extend it, so that its acknowledgement covers them too.
 */
export class BatchGathering {
  constructor(private readonly options: BatchGatheringOptions) {}

  async gather(page: ShardRecords, fresh: readonly _Record[]): Promise<void> {
    const { position } = page;
    const origin = originOf(page);
    const freshSet = fresh.length === page.records.length ? undefined : new Set(fresh);
    for (const record of page.records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      if (!sequenceNumber) continue;
      const open = position.gathering();
      if ((freshSet && !freshSet.has(record)) || !this.options.builder.wanted(record)) {
        if (open) position.extendGathering(open, sequenceNumber);
        else position.skipped(sequenceNumber);
        continue;
      }
      const bytes = Buffer.byteLength(JSON.stringify(record));
      if (open && (open.content as GatheringContent).bytes + bytes > MAX_BATCH_BYTES) this.options.send(position, open);
      if (!position.gathering() && position.full) await position.reserve();
      if (this.options.sender.isClosed) return;
      const batch = position.gathering() ?? this.startBatch(position, sequenceNumber, origin);
      const content = batch.content as GatheringContent;
      content.records.push(record);
      content.bytes += bytes;
      position.extendGathering(batch, sequenceNumber);
      if (content.records.length >= this.options.batchSize) this.options.send(position, batch);
    }
  }

  private startBatch(position: ShardPosition, sequenceNumber: string, origin: PageOrigin): Delivery {
    const content: GatheringContent = { records: [], origin, bytes: 0 };
    const batch = position.startGathering(sequenceNumber, content);
    this.options.sender.later(this.options.windowMs, () => {
      if (batch.state === 'gathering') this.options.send(position, batch);
    });
    return batch;
  }
}

import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { ShardRecords } from '../stream-session';

/** Where a delivery's records come from: shared by the deliveries of one page. */
export type PageOrigin = Pick<ShardRecords, 'streamArn' | 'shardId' | 'keyAttributeNames'>;

/** What a manual-mode delivery is built from, again for each attempt: its records (one, or a batch). */
export interface DeliveryContent {
  readonly records: readonly _Record[];
  readonly origin: PageOrigin;
}

/** A batch gathering records across pages (`batchWindow`): it grows until it is sent. */
export interface GatheringContent extends DeliveryContent {
  readonly records: _Record[];
  /** The records' size as JSON, roughly what the message will hold. */
  bytes: number;
}

export function originOf(page: ShardRecords): PageOrigin {
  return { streamArn: page.streamArn, shardId: page.shardId, keyAttributeNames: page.keyAttributeNames };
}

export function sequenceNumberOf(record: _Record): string {
  return record.dynamodb?.SequenceNumber ?? '';
}

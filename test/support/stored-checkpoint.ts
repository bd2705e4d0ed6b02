import { helper } from './node-red';

const CHECKPOINT_KEY = 'dynamodbStreamCheckpoints';

/**
 * The checkpoint a source node holds for its only shard, as stored in its context (`store`): a
 * sequence number, or `TRIM_HORIZON`, `SHARD_END`, `LATEST@<ms>`.
 */
export function storedCheckpoint(nodeId = 's1', store = 'default'): string | undefined {
  const value = helper.getNode(nodeId).context().get(CHECKPOINT_KEY, store) as { streams?: Record<string, Record<string, string>> } | undefined;
  const shards = Object.values(value?.streams ?? {})[0] ?? {};
  return Object.values(shards)[0];
}

/** The only shard's checkpoint when it is a sequence number (not where reading began), else undefined. */
export function storedSequenceNumber(nodeId = 's1', store = 'default'): string | undefined {
  const checkpoint = storedCheckpoint(nodeId, store);
  return checkpoint !== undefined && /^\d+$/.test(checkpoint) ? checkpoint : undefined;
}

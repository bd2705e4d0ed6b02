import type { Checkpoint } from '../checkpoint/checkpoint';

export type { Checkpoint };

export const TRIM_HORIZON: Checkpoint = { kind: 'TRIM_HORIZON' };

export function isShardEnd(checkpoint: Checkpoint): boolean {
  return checkpoint.kind === 'SHARD_END';
}

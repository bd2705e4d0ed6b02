/**
 * Where reading of a shard resumes, as a lease item keeps it (the KCL's checkpoint values).
 * LATEST carries the wall-clock time it was taken, so a restart skips records created before it.
 */
export type Checkpoint =
  | { readonly kind: 'sequence'; readonly sequenceNumber: string }
  | { readonly kind: 'TRIM_HORIZON' }
  | { readonly kind: 'LATEST'; readonly since: number }
  | { readonly kind: 'SHARD_END' };

export const TRIM_HORIZON: Checkpoint = { kind: 'TRIM_HORIZON' };

export function isShardEnd(checkpoint: Checkpoint): boolean {
  return checkpoint.kind === 'SHARD_END';
}


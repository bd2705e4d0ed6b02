/**
 * Where a shard's reading goes on (the KCL's checkpoint values): after a sequence number, from the
 * oldest record, from where reading began at LATEST (`since`: when that was, ms since the epoch), or
 * nowhere, because the shard was read to its end and every record of it is done with.
 */
export type Checkpoint =
  | { readonly kind: 'sequence'; readonly sequenceNumber: string }
  | { readonly kind: 'TRIM_HORIZON' }
  | { readonly kind: 'LATEST'; readonly since: number }
  | { readonly kind: 'SHARD_END' };

const LATEST_PREFIX = 'LATEST@';

/** The checkpoint as one string: a sequence number, `TRIM_HORIZON`, `SHARD_END` or `LATEST@<ms since the epoch>`. */
export function encodeCheckpoint(checkpoint: Checkpoint): string {
  switch (checkpoint.kind) {
    case 'sequence':
      return checkpoint.sequenceNumber;
    case 'LATEST':
      return `${LATEST_PREFIX}${checkpoint.since}`;
    default:
      return checkpoint.kind;
  }
}

export function decodeCheckpoint(value: unknown): Checkpoint | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (value === 'TRIM_HORIZON' || value === 'SHARD_END') return { kind: value };
  if (value.startsWith(LATEST_PREFIX)) {
    const since = Number(value.slice(LATEST_PREFIX.length));
    return Number.isFinite(since) ? { kind: 'LATEST', since } : undefined;
  }
  return /^\d+$/.test(value) ? { kind: 'sequence', sequenceNumber: value } : undefined;
}

export function sameCheckpoint(a: Checkpoint | undefined, b: Checkpoint): boolean {
  return a !== undefined && encodeCheckpoint(a) === encodeCheckpoint(b);
}

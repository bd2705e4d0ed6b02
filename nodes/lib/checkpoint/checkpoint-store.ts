import { decodeCheckpoint, encodeCheckpoint, sameCheckpoint, type Checkpoint } from './checkpoint';
import type { CheckpointBackend } from './checkpoint-backend';

/** Where checkpoints are kept: one JSON-serialisable value under one key (a Node-RED context store in practice). */
export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

/** Version 1 held sequence numbers only; version 2 any encoded checkpoint (see encodeCheckpoint). */
interface StoredCheckpoints {
  version: 1 | 2;
  streams: Record<string, Record<string, string>>;
}

const STORAGE_KEY = 'dynamodbStreamCheckpoints';

function isStoredCheckpoints(value: unknown): value is StoredCheckpoints {
  const version = (value as StoredCheckpoints | null)?.version;
  return typeof value === 'object' && value !== null && (version === 1 || version === 2) && typeof (value as StoredCheckpoints).streams === 'object';
}

/**
 * Keeps every shard's checkpoint in memory and writes them all to one key of a key-value store at
 * most once per `flushIntervalMs` (and on `flush()`), not once per record.
 */
export class CheckpointStore implements CheckpointBackend {
  private streams = new Map<string, Map<string, Checkpoint>>();
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private loaded = false;

  constructor(
    private readonly store: KeyValueStore,
    private readonly flushIntervalMs: number,
    private readonly onWriteError: (error: unknown) => void = () => undefined,
  ) {}

  async load(): Promise<void> {
    const stored = await this.store.get(STORAGE_KEY);
    if (isStoredCheckpoints(stored)) {
      for (const [streamArn, shards] of Object.entries(stored.streams)) {
        const checkpoints = new Map<string, Checkpoint>();
        for (const [shardId, value] of Object.entries(shards)) {
          const checkpoint = decodeCheckpoint(value);
          if (checkpoint) checkpoints.set(shardId, checkpoint);
        }
        this.streams.set(streamArn, checkpoints);
      }
    }
    this.loaded = true;
  }

  streamArns(): string[] {
    return [...this.streams.keys()].filter((arn) => (this.streams.get(arn)?.size ?? 0) > 0);
  }

  checkpoints(streamArn: string): ReadonlyMap<string, Checkpoint> {
    return new Map(this.streams.get(streamArn) ?? []);
  }

  save(streamArn: string, shardId: string, checkpoint: Checkpoint): void {
    let shards = this.streams.get(streamArn);
    if (!shards) {
      shards = new Map();
      this.streams.set(streamArn, shards);
    }
    if (sameCheckpoint(shards.get(shardId), checkpoint)) return;
    shards.set(shardId, checkpoint);
    this.markDirty();
  }

  retainShards(streamArn: string, liveShardIds: ReadonlySet<string>): void {
    const shards = this.streams.get(streamArn);
    if (!shards) return;
    for (const shardId of [...shards.keys()]) {
      if (!liveShardIds.has(shardId)) {
        shards.delete(shardId);
        this.markDirty();
      }
    }
  }

  forgetStream(streamArn: string): void {
    if (this.streams.delete(streamArn)) this.markDirty();
  }

  /** Writes pending changes now and waits for the write. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty || !this.loaded) return this.writing;
    this.dirty = false;
    const snapshot: StoredCheckpoints = { version: 2, streams: {} };
    for (const [streamArn, shards] of this.streams) {
      if (shards.size === 0) continue;
      const encoded: Record<string, string> = {};
      for (const [shardId, checkpoint] of shards) encoded[shardId] = encodeCheckpoint(checkpoint);
      snapshot.streams[streamArn] = encoded;
    }
    this.writing = this.writing
      .then(() => this.store.set(STORAGE_KEY, snapshot))
      .catch((error: unknown) => {
        this.dirty = true;
        this.onWriteError(error);
      });
    return this.writing;
  }

  /** Stops the flush timer after a last flush. */
  async close(): Promise<void> {
    await this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private markDirty(): void {
    this.dirty = true;
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.flushIntervalMs);
    }
  }
}

/** Where checkpoints are kept: one JSON-serialisable value under one key (a Node-RED context store in practice). */
export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

/** Shard id → the sequence number reading may resume after. */
export type ShardPositions = Map<string, string>;

interface StoredCheckpoints {
  version: 1;
  streams: Record<string, Record<string, string>>;
}

const STORAGE_KEY = 'dynamodbStreamCheckpoints';

function isStoredCheckpoints(value: unknown): value is StoredCheckpoints {
  return typeof value === 'object' && value !== null && (value as StoredCheckpoints).version === 1 &&
    typeof (value as StoredCheckpoints).streams === 'object';
}

/**
 * Keeps the last checkpointed sequence number of every shard in memory and writes them to
 * the store at most once per `flushIntervalMs` (and on `flush()`), not once per record.
 */
export class CheckpointStore {
  private streams = new Map<string, ShardPositions>();
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
        this.streams.set(streamArn, new Map(Object.entries(shards).filter(([, seq]) => typeof seq === 'string')));
      }
    }
    this.loaded = true;
  }

  /** Streams with at least one checkpoint. */
  streamArns(): string[] {
    return [...this.streams.keys()].filter((arn) => (this.streams.get(arn)?.size ?? 0) > 0);
  }

  positions(streamArn: string): ShardPositions {
    return new Map(this.streams.get(streamArn) ?? []);
  }

  record(streamArn: string, shardId: string, sequenceNumber: string): void {
    let shards = this.streams.get(streamArn);
    if (!shards) {
      shards = new Map();
      this.streams.set(streamArn, shards);
    }
    if (shards.get(shardId) === sequenceNumber) return;
    shards.set(shardId, sequenceNumber);
    this.markDirty();
  }

  /** Drops checkpoints of shards the stream no longer lists (aged out of the retention window). */
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
    const snapshot: StoredCheckpoints = { version: 1, streams: {} };
    for (const [streamArn, shards] of this.streams) {
      if (shards.size > 0) snapshot.streams[streamArn] = Object.fromEntries(shards);
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

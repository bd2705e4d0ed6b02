/** How long after its page was handed to Node-RED an auto-mode checkpoint is committed, at the least. */
export const HAND_OVER_MS = 20;

import type { ShardPosition } from '../position/shard-position';

interface PendingCheckpoint {
  readonly position: ShardPosition;
  readonly sequenceNumber: string;
  readonly dueAt: number;
}

/**
 * Node-RED hands a sent message to the next node asynchronously: after its send hooks (which may be
 * asynchronous), in a setImmediate queued then. An auto-mode page's checkpoint is committed no sooner
 * than HAND_OVER_MS after that page's own hand-over, and then in a setImmediate queued when the timer
 * fired, behind every delivery Node-RED had queued before, however long the event loop was blocked.
 * A page still in transit when the flow stops is so read again after the restart instead of being lost.
 */
export class HandOverCheckpoints {
  private readonly pending: PendingCheckpoint[] = [];
  private readonly immediates = new Set<NodeJS.Immediate>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly delayMs = HAND_OVER_MS) {}

  /** The page ending at `sequenceNumber` was just handed to Node-RED; it is acknowledged to its position once delivered. */
  handedOver(position: ShardPosition, sequenceNumber: string): void {
    if (this.closed) return;
    this.pending.push({ position, sequenceNumber, dueAt: performance.now() + this.delayMs });
    this.schedule();
  }

  /** Drops what is not committed yet: those messages may not have reached the next node. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const immediate of this.immediates) clearImmediate(immediate);
    this.immediates.clear();
    this.pending.length = 0;
  }

  private schedule(): void {
    if (this.timer || this.pending.length === 0) return;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, Math.ceil(this.pending[0].dueAt - performance.now())));
  }

  private onTimer(): void {
    this.timer = undefined;
    const now = performance.now();
    let due = 0;
    while (due < this.pending.length && this.pending[due].dueAt <= now) due++;
    if (due > 0) {
      const ready = this.pending.splice(0, due);
      const immediate = setImmediate(() => {
        this.immediates.delete(immediate);
        if (this.closed) return;
        for (const checkpoint of ready) checkpoint.position.acknowledge(checkpoint.sequenceNumber);
      });
      this.immediates.add(immediate);
    }
    this.schedule();
  }
}

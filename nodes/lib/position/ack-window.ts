/**
 * - `gathering`: a batch still gathering records across pages (`batchWindow`); not sent yet, always the window's tail.
 * - `queued`: waits for the delivery before it with the same item key (`ordering: key`); not sent yet.
 * - `outstanding`: may be sent / was sent and waits for its acknowledgement.
 * - `failed`: its last attempt failed; waits for its re-send.
 * - `settled`: acknowledged, given up, or never needed one: part of the checkpoint once all before it are.
 */
export type DeliveryState = 'gathering' | 'queued' | 'outstanding' | 'failed' | 'settled';

export interface PendingDelivery<T> {
  /** Sequence number of the last record this delivery covers: what its acknowledgement names. */
  lastSequenceNumber: string;
  state: DeliveryState;
  sentAt: number;
  /** How often it was sent (1 after the first sending). */
  attempts: number;
  /** What to build its message from (kept in manual mode until settled, for re-sends and the failed output). */
  content?: T;
  /** Item key, with `ordering: key`: at most one delivery per key is outstanding or failed. */
  readonly key?: string;
  /** The next delivery of the same key, queued behind this one. */
  nextOfKey?: PendingDelivery<T>;
  /** Why its last attempt failed (what the failed output reports when it is given up). */
  lastError?: unknown;
}

/** A delivery that takes the place of part of another (a half of a bisected batch, the rest of a partial one). */
export interface ReplacementPart<T> {
  readonly lastSequenceNumber: string;
  readonly content: T;
  readonly settled: boolean;
  /** Attempts it inherits from the delivery it replaces (0: a fresh start, as a bisected half). */
  readonly attempts: number;
}

export interface Settlement<T> {
  /** The new checkpoint, when the settled prefix grew. */
  readonly checkpoint?: string;
  /** The delivery of the same key that may be sent now. */
  readonly unblocked?: PendingDelivery<T>;
}

/** How many deliveries, settled ones included, the window holds at most, per unit of capacity. */
export const HELD_PER_CAPACITY = 10;

/**
 * The deliveries of one shard that are not yet part of its checkpoint, in shard order. The
 * checkpoint moves over the settled prefix only. At most `capacity` deliveries are unsettled (sent,
 * failed, queued for their key or gathering), and at most `capacity × HELD_PER_CAPACITY` are held
 * in all (settled ones behind an unsettled one: what a restart would send again); beyond either,
 * `reserve()` waits (backpressure on the shard's reader).
 */
export class AckWindow<T> {
  private readonly pending: PendingDelivery<T>[] = [];
  /** The last unsettled delivery of each item key (`ordering: key`); the others are linked by `nextOfKey`. */
  private readonly keyTails = new Map<string, PendingDelivery<T>>();
  private waiters: Array<() => void> = [];
  private closed = false;
  private unsettled = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.pending.length;
  }

  /** Deliveries not yet acknowledged or given up (sent, failed, queued for their key or gathering). */
  get unsettledCount(): number {
    return this.unsettled;
  }

  /** True when `add` would exceed the capacity: wait with `reserve()` first. */
  get full(): boolean {
    return this.unsettled >= this.capacity || this.pending.length >= this.capacity * HELD_PER_CAPACITY;
  }

  /** Resolves once there is room for one more delivery; resolves at once when the window is closed. */
  async reserve(): Promise<void> {
    while (!this.closed && this.full) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** A new delivery, `queued` when an earlier one of the same key is unsettled, else `outstanding` (the caller sends it). */
  add(lastSequenceNumber: string, content?: T, key?: string): PendingDelivery<T> {
    const delivery: PendingDelivery<T> = { lastSequenceNumber, state: 'outstanding', sentAt: 0, attempts: 0, content, key };
    if (key !== undefined) {
      const tail = this.keyTails.get(key);
      if (tail) {
        tail.nextOfKey = delivery;
        delivery.state = 'queued';
      }
      this.keyTails.set(key, delivery);
    }
    this.pending.push(delivery);
    this.unsettled += 1;
    return delivery;
  }

  /** A batch that gathers records until it is sent (`markSent`); the checkpoint cannot pass it meanwhile. */
  addGathering(lastSequenceNumber: string, content: T): PendingDelivery<T> {
    const delivery = this.add(lastSequenceNumber, content);
    delivery.state = 'gathering';
    return delivery;
  }

  /** The batch still gathering, if there is one. */
  gathering(): PendingDelivery<T> | undefined {
    const tail = this.pending[this.pending.length - 1];
    return tail?.state === 'gathering' ? tail : undefined;
  }

  /** The gathering batch now covers the records up to `lastSequenceNumber`. */
  extend(delivery: PendingDelivery<T>, lastSequenceNumber: string): void {
    if (delivery.state !== 'gathering') throw new Error('Only a gathering batch can be extended');
    delivery.lastSequenceNumber = lastSequenceNumber;
  }

  /** The delivery is being sent (again) at `now`. */
  markSent(delivery: PendingDelivery<T>, now: number): void {
    delivery.state = 'outstanding';
    delivery.attempts += 1;
    delivery.sentAt = now;
  }

  /** Its last attempt failed: it waits for a re-send (`markSent`), unless acknowledged meanwhile. */
  markFailed(delivery: PendingDelivery<T>): void {
    delivery.state = 'failed';
  }

  /**
   * Records that need no acknowledgement (filtered or too old): they join the checkpoint as soon as
   * everything before them is settled. Returns the new checkpoint, if it moved.
   */
  addAcknowledged(lastSequenceNumber: string): string | undefined {
    const tail = this.pending[this.pending.length - 1];
    if (tail?.state === 'settled') {
      this.pending[this.pending.length - 1] = { ...tail, lastSequenceNumber };
      return this.advance();
    }
    if (this.pending.length === 0) return lastSequenceNumber;
    this.pending.push({ lastSequenceNumber, state: 'settled', sentAt: 0, attempts: 0 });
    return this.advance();
  }

  /** The sent (outstanding or failed) delivery ending at `sequenceNumber`, if there is one. */
  find(sequenceNumber: string): PendingDelivery<T> | undefined {
    return this.pending.find((d) => (d.state === 'outstanding' || d.state === 'failed') && d.attempts > 0 && d.lastSequenceNumber === sequenceNumber);
  }

  /** Marks the delivery ending at `sequenceNumber` acknowledged. */
  ack(sequenceNumber: string): { readonly known: boolean; readonly checkpoint?: string } {
    const delivery = this.find(sequenceNumber);
    if (!delivery) return { known: false };
    return { known: true, checkpoint: this.settle(delivery).checkpoint };
  }

  /** The delivery is acknowledged or given up: the next one of its key may go, the checkpoint may move. */
  settle(delivery: PendingDelivery<T>): Settlement<T> {
    if (delivery.state !== 'settled') this.unsettled -= 1;
    delivery.state = 'settled';
    // Never sent again: while it waits behind an unsettled one, only its sequence number is kept.
    delivery.content = undefined;
    let unblocked: PendingDelivery<T> | undefined;
    if (delivery.key !== undefined) {
      unblocked = delivery.nextOfKey;
      delivery.nextOfKey = undefined;
      if (unblocked) unblocked.state = 'outstanding';
      else if (this.keyTails.get(delivery.key) === delivery) this.keyTails.delete(delivery.key);
    }
    const checkpoint = this.advance();
    if (checkpoint === undefined) this.release();
    return { checkpoint, unblocked };
  }

  /** Puts `parts` in the place of `delivery` (which has no item key); returns the unsettled parts and the new checkpoint. */
  replace(delivery: PendingDelivery<T>, parts: readonly ReplacementPart<T>[]): { readonly open: PendingDelivery<T>[]; readonly checkpoint?: string } {
    const index = this.pending.indexOf(delivery);
    if (index < 0 || delivery.key !== undefined) throw new Error('Only a pending delivery without an item key can be replaced');
    const replacements = parts.map<PendingDelivery<T>>((part) => ({
      lastSequenceNumber: part.lastSequenceNumber,
      state: part.settled ? 'settled' : 'outstanding',
      sentAt: 0,
      attempts: part.attempts,
      content: part.content,
    }));
    this.pending.splice(index, 1, ...replacements);
    const open = replacements.filter((d) => d.state !== 'settled');
    this.unsettled += open.length - (delivery.state === 'settled' ? 0 : 1);
    return { open, checkpoint: this.advance() };
  }

  /** Sent deliveries whose acknowledgement is overdue at `now`. */
  overdue(now: number, timeoutMs: number): PendingDelivery<T>[] {
    return this.pending.filter((d) => d.state === 'outstanding' && d.attempts > 0 && now - d.sentAt >= timeoutMs);
  }

  close(): void {
    this.closed = true;
    this.release();
  }

  private advance(): string | undefined {
    let settled = 0;
    while (settled < this.pending.length && this.pending[settled].state === 'settled') settled += 1;
    if (settled === 0) return undefined;
    const checkpoint = this.pending[settled - 1].lastSequenceNumber;
    this.pending.splice(0, settled);
    this.release();
    return checkpoint;
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

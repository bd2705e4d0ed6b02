import assert from 'node:assert/strict';

/**
 * Compares what a writer put into a table with what a flow delivered, for the fault scenarios:
 * items are numbered in write order (`n`) and spread over a few keys, so loss, duplicates and the
 * order per key can be read off the two sequences.
 */

/** One written item: its key and its number; numbers increase in write order (per key, too). */
export interface NumberedItem {
  readonly key: string;
  readonly n: number;
}

/**
 * One delivery. `epoch` numbers the runs of the node (a restart starts a new one, default 0):
 * the order per key is checked within each run, since a restarted node may go back to its checkpoint.
 */
export interface Delivery extends NumberedItem {
  readonly epoch?: number;
}

export interface OrderViolation {
  readonly key: string;
  readonly epoch: number;
  /** Delivered for the first time in this run … */
  readonly n: number;
  /** … after this later item of the same key. */
  readonly after: number;
}

export interface LedgerInput {
  /** Writes the table confirmed, in write order. */
  readonly written: readonly NumberedItem[];
  /** Writes whose outcome is unknown (the connection broke before the answer): may or may not be delivered. */
  readonly uncertain?: readonly NumberedItem[];
  /** Deliveries in the order the node sent them. */
  readonly delivered: readonly Delivery[];
}

export interface LedgerReport {
  readonly scenario: string;
  /** Confirmed writes. */
  readonly written: number;
  /** Every delivery, repeats included. */
  readonly delivered: number;
  /** Deliveries of an item already delivered before. */
  readonly duplicates: number;
  /**
   * Duplicates that are not a replay at the start of a run: a repeat within the run that first
   * delivered the item, or a repeat after the run had moved on to new items of the same key.
   */
  readonly midRunDuplicates: number;
  /** Confirmed writes never delivered. */
  readonly lost: NumberedItem[];
  /** Items delivered (for the first time in a run) after a later item of the same key. */
  readonly orderViolations: OrderViolation[];
  /** Deliveries of items nobody wrote: a mix-up of items or a broken test. */
  readonly unexpected: NumberedItem[];
  /** Writes of unknown outcome that turned out to be written (they were delivered). */
  readonly uncertainDelivered: number;
  /** How often each item was delivered, by `key/n`. */
  readonly timesDelivered: ReadonlyMap<string, number>;
}

export function itemId(item: NumberedItem): string {
  return `${item.key}/${item.n}`;
}

export function reconcile(scenario: string, input: LedgerInput): LedgerReport {
  const writtenIds = new Set(input.written.map(itemId));
  const uncertainIds = new Set((input.uncertain ?? []).map(itemId));
  const times = new Map<string, number>();
  const unexpected: NumberedItem[] = [];
  const orderViolations: OrderViolation[] = [];
  /** Per run and key: the highest number delivered for the first time in that run. */
  const highest = new Map<string, number>();
  const seenInEpoch = new Set<string>();
  /** Runs and keys that have delivered an item never delivered before. */
  const movedOn = new Set<string>();
  let duplicates = 0;
  let midRunDuplicates = 0;

  for (const delivery of input.delivered) {
    const id = itemId(delivery);
    const epoch = delivery.epoch ?? 0;
    const count = (times.get(id) ?? 0) + 1;
    times.set(id, count);
    const inEpoch = `${epoch} ${id}`;
    const lane = `${epoch} ${delivery.key}`;
    if (count > 1) {
      duplicates += 1;
      if (seenInEpoch.has(inEpoch) || movedOn.has(lane)) midRunDuplicates += 1;
    } else {
      movedOn.add(lane);
      if (!writtenIds.has(id) && !uncertainIds.has(id)) unexpected.push({ key: delivery.key, n: delivery.n });
    }

    if (seenInEpoch.has(inEpoch)) continue;
    seenInEpoch.add(inEpoch);
    const top = highest.get(lane);
    if (top !== undefined && delivery.n < top) orderViolations.push({ key: delivery.key, epoch, n: delivery.n, after: top });
    else highest.set(lane, delivery.n);
  }

  return {
    scenario,
    written: input.written.length,
    delivered: input.delivered.length,
    duplicates,
    midRunDuplicates,
    lost: input.written.filter((item) => !times.has(itemId(item))),
    orderViolations,
    unexpected,
    uncertainDelivered: [...uncertainIds].filter((id) => times.has(id)).length,
    timesDelivered: times,
  };
}

/** `fault <scenario>: written N, delivered N, duplicates N, lost N` */
export function summaryLine(report: LedgerReport): string {
  return `fault ${report.scenario}: written ${report.written}, delivered ${report.delivered}, duplicates ${report.duplicates}, lost ${report.lost.length}`;
}

/** Prints the summary line (CI logs show it) and, when there is something to add, one detail line. */
export function printSummary(report: LedgerReport, details: string[] = []): void {
  console.log(`      ${summaryLine(report)}`);
  const extra = [...details];
  if (report.duplicates > 0) {
    extra.push(`duplicates: ${report.duplicates - report.midRunDuplicates} replayed at a restart, ${report.midRunDuplicates} repeated within a run`);
  }
  if (report.uncertainDelivered > 0) extra.push(`${report.uncertainDelivered} write(s) of unknown outcome were delivered`);
  if (report.orderViolations.length > 0) extra.push(`${report.orderViolations.length} order violation(s)`);
  if (report.unexpected.length > 0) extra.push(`${report.unexpected.length} unexpected item(s)`);
  if (extra.length > 0) console.log(`        (${extra.join('; ')})`);
}

/** Reconciles, prints the summary line and returns the report. */
export function reconcileAndPrint(scenario: string, input: LedgerInput, details: string[] = []): LedgerReport {
  const report = reconcile(scenario, input);
  printSummary(report, details);
  return report;
}

/** A short, readable excerpt of a list of items for assertion messages. */
export function sample(items: readonly NumberedItem[], max = 10): string {
  const shown = items.slice(0, max).map(itemId).join(', ');
  return items.length > max ? `${shown}, … (${items.length} in all)` : shown;
}

export interface Expectations {
  /**
   * Whether the mode allows an item to be delivered more than once: never, only as a replay at the
   * start of a run (a restarted node going back to its checkpoint), or anywhere (re-sends).
   */
  readonly duplicates: 'none' | 'replay-at-restart' | 'allowed';
  /** Items the scenario destroys on purpose (trimmed records): exactly these must be missing. */
  readonly lost?: readonly NumberedItem[];
}

/** Every written item delivered at least once (but the expected losses), in order per key, nothing foreign, duplicates only where allowed. */
export function assertDelivery(report: LedgerReport, expect: Expectations): void {
  const expectedLost = [...(expect.lost ?? [])].map(itemId).sort();
  assert.deepEqual(report.lost.map(itemId).sort(), expectedLost, `${report.scenario}: lost items ${sample(report.lost)}`);
  assert.ok(report.written > 0, `${report.scenario}: the writer wrote nothing`);
  assert.deepEqual(report.unexpected, [], `${report.scenario}: delivered items nobody wrote`);
  assert.deepEqual(report.orderViolations.slice(0, 10), [], `${report.scenario}: ${report.orderViolations.length} item(s) out of order per key`);
  if (expect.duplicates === 'none') assert.equal(report.duplicates, 0, `${report.scenario}: duplicates`);
  if (expect.duplicates === 'replay-at-restart') {
    assert.equal(report.midRunDuplicates, 0, `${report.scenario}: duplicates other than a replay at the start of a run`);
  }
}

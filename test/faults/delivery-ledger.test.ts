import assert from 'node:assert/strict';
import { assertDelivery, reconcile, type Delivery, type NumberedItem } from '../support/delivery-ledger';

const item = (n: number, epoch?: number): Delivery => ({ key: `k${n % 2}`, n, ...(epoch === undefined ? {} : { epoch }) });
const written: NumberedItem[] = [0, 1, 2, 3, 4, 5].map((n) => item(n));

describe('fault matrix: the delivery ledger that judges every scenario', function () {
  it('passes a delivery of every item once, in order per key', function () {
    const report = reconcile('clean', { written, delivered: [1, 0, 3, 2, 5, 4].map((n) => item(n)) });
    assert.deepEqual([report.duplicates, report.lost.length, report.orderViolations.length], [0, 0, 0]);
    assertDelivery(report, { duplicates: 'none' });
  });

  it('finds lost items, items out of order per key, and items nobody wrote', function () {
    const report = reconcile('broken', { written, delivered: [0, 3, 1, 9].map((n) => item(n)) });
    assert.deepEqual(report.lost.map((i) => i.n), [2, 4, 5]);
    assert.deepEqual(report.orderViolations, [{ key: 'k1', epoch: 0, n: 1, after: 3 }]);
    assert.deepEqual(report.unexpected, [{ key: 'k1', n: 9 }]);
    assert.throws(() => assertDelivery(report, { duplicates: 'allowed' }), /lost items/);
  });

  it('tells a replay at the start of a run from a repeat within a run', function () {
    const replay = reconcile('replay', { written, delivered: [...[0, 1, 2, 3].map((n) => item(n, 1)), ...[2, 3, 4, 5].map((n) => item(n, 2))] });
    assert.deepEqual([replay.duplicates, replay.midRunDuplicates, replay.orderViolations.length], [2, 0, 0]);
    assertDelivery(replay, { duplicates: 'replay-at-restart' });
    assert.throws(() => assertDelivery(replay, { duplicates: 'none' }), /duplicates/);

    const resent = reconcile('resent', { written, delivered: [0, 1, 2, 3, 0, 4, 5].map((n) => item(n)) });
    assert.deepEqual([resent.duplicates, resent.midRunDuplicates, resent.orderViolations.length], [1, 1, 0]);
    assert.throws(() => assertDelivery(resent, { duplicates: 'replay-at-restart' }), /other than a replay/);
    assertDelivery(resent, { duplicates: 'allowed' });
  });

  it('accepts writes of unknown outcome whether or not they were delivered, and exactly the losses a scenario expects', function () {
    const report = reconcile('uncertain', { written: written.slice(0, 4), uncertain: [item(4)], delivered: [0, 1, 3, 4].map((n) => item(n)) });
    assert.equal(report.uncertainDelivered, 1);
    assertDelivery(report, { duplicates: 'none', lost: [item(2)] });
    assert.throws(() => assertDelivery(report, { duplicates: 'none' }), /lost items k0\/2/);
  });
});

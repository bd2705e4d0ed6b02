import { isFinished, type Lease } from './lease';

export interface BalanceInput {
  /** The consumer's leases, as last listed. */
  readonly leases: readonly Lease[];
  readonly workerId: string;
  /** Whether this worker holds the lease (its own view, not the listing's). */
  readonly holds: (lease: Lease) => boolean;
  /** Unowned, or its owner stopped renewing it. */
  readonly isAvailable: (lease: Lease) => boolean;
  /** In [0, 1), for shuffling: workers that start together must not all reach for the same lease. */
  readonly random: () => number;
}

export interface BalanceDecision {
  /** Available leases to take, at most up to this worker's target. */
  readonly take: Lease[];
  /** One lease of the most loaded worker, when nothing is available and it holds two more than this worker. */
  readonly steal?: Lease;
  /** ceil(unfinished leases / live workers), live workers counting this one. */
  readonly target: number;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/**
 * Which leases this worker should take now (the KCL's LeaseTaker.computeLeasesToTake). Every worker
 * aims at ceil or floor of leases / workers. Available leases (unowned, expired) come first; only
 * when there is none does it steal, one lease per cycle, from the most loaded worker, and only when
 * that worker holds at least two more than this one (it is above the target and this one below),
 * so a steal never makes the balance worse and two workers never trade a lease back and forth.
 */
export function chooseLeasesToTake(input: BalanceInput): BalanceDecision {
  const unfinished = input.leases.filter((lease) => !isFinished(lease));
  const counts = new Map<string, number>([[input.workerId, 0]]);
  const available: Lease[] = [];
  for (const lease of unfinished) {
    if (input.holds(lease)) counts.set(input.workerId, (counts.get(input.workerId) ?? 0) + 1);
    else if (input.isAvailable(lease)) available.push(lease);
    else if (lease.leaseOwner !== undefined && lease.leaseOwner !== input.workerId) {
      counts.set(lease.leaseOwner, (counts.get(lease.leaseOwner) ?? 0) + 1);
    }
  }
  if (unfinished.length === 0) return { take: [], target: 0 };
  const target = Math.ceil(unfinished.length / counts.size);
  const mine = counts.get(input.workerId) ?? 0;
  if (available.length > 0) {
    return { take: shuffled(available, input.random).slice(0, Math.max(0, target - mine)), target };
  }
  const mostLoaded = shuffled([...counts.entries()], input.random).reduce((a, b) => (b[1] > a[1] ? b : a));
  if (mostLoaded[1] - mine < 2) return { take: [], target };
  const candidates = unfinished.filter((lease) => lease.leaseOwner === mostLoaded[0] && !input.isAvailable(lease));
  return { take: [], steal: shuffled(candidates, input.random)[0], target };
}

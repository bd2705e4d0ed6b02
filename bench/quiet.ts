// This machine is shared: before a timed run, wait (a bounded time) until other processes leave
// the CPUs mostly idle, and record how busy they were and how fast the CPU ran, so that noisy
// figures can be told apart.
import { readFileSync } from 'node:fs';

export interface QuietCheck {
  /** Share of all CPUs busy during the last 1 s sample (0–1), before the run started. */
  readonly busy: number;
  readonly waitedMs: number;
  /** Milliseconds a fixed piece of JavaScript took just before the run (lower = faster CPU right now). */
  readonly calibrationMs: number;
}

const SAMPLE_MS = 1_000;

/**
 * A fixed CPU-bound workload (allocation, property access, string building, as the mapping does).
 * On this shared VM the same work sometimes takes twice as long for minutes on end, with the CPUs
 * otherwise idle; this number shows when a figure was taken in such a phase.
 */
export function calibrate(): number {
  const started = performance.now();
  const ring: Array<{ a: number; b: string; c: { d: number } }> = new Array(1024);
  let sink = 0;
  for (let i = 0; i < 1_000_000; i++) {
    const o = { a: i, b: `k${i & 1023}`, c: { d: i * 2 } };
    ring[i & 1023] = o;
    sink += ring[(i * 7) & 1023]?.c.d ?? 0;
  }
  if (sink === 42) process.stdout.write('');
  return performance.now() - started;
}

function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Share of the machine's CPU time spent busy over `ms`; 0 where /proc/stat is missing. */
export async function cpuBusy(ms = SAMPLE_MS): Promise<number> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTimes();
  if (!before || !after || after.total === before.total) return 0;
  return (after.busy - before.busy) / (after.total - before.total);
}

/** Samples until the CPUs are at most `threshold` busy, or `maxWaitMs` has passed; then calibrates. */
export async function waitForQuiet(threshold: number, maxWaitMs: number): Promise<QuietCheck> {
  const started = Date.now();
  let busy = await cpuBusy();
  while (busy > threshold && Date.now() - started < maxWaitMs) busy = await cpuBusy();
  calibrate();
  return { busy, waitedMs: Date.now() - started, calibrationMs: Math.min(calibrate(), calibrate(), calibrate()) };
}

import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * `global.gc` when node runs with --expose-gc; otherwise the same function obtained at run time
 * (the flag only makes `gc` visible to contexts created afterwards, so nothing else changes).
 */
export function garbageCollector(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

export interface HeapSample {
  readonly atMs: number;
  readonly heapUsed: number;
}

const MB = 1024 * 1024;

export function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}

/** Samples `process.memoryUsage().heapUsed` (after a full GC when one is available) at an interval. */
export class HeapSampler {
  readonly samples: HeapSample[] = [];
  readonly gc = garbageCollector();
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();
  /** Runs before each sample (e.g. to drop references a test harness keeps). */
  beforeSample: () => void = () => undefined;

  /** Heap in use now, after a full GC when possible. */
  measure(): number {
    this.gc?.();
    return process.memoryUsage().heapUsed;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): HeapSample {
    this.beforeSample();
    const sample = { atMs: Date.now() - this.startedAt, heapUsed: this.measure() };
    this.samples.push(sample);
    return sample;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get peak(): number {
    return Math.max(...this.samples.map((s) => s.heapUsed));
  }

  /** The samples of the second half of the run. */
  secondHalf(): HeapSample[] {
    return this.samples.slice(Math.floor(this.samples.length / 2));
  }
}

/** True when every sample is larger than the one before (steady growth). */
export function growsMonotonically(samples: readonly HeapSample[]): boolean {
  if (samples.length < 3) return false;
  return samples.every((s, i) => i === 0 || s.heapUsed > samples[i - 1].heapUsed);
}

// RSS and heap (after a full GC) sampled at an interval.
import { collectGarbage } from './gc';
import { slope } from './stats';

export interface MemorySample {
  /** Seconds since sampling started. */
  readonly atS: number;
  readonly rssMB: number;
  readonly heapMB: number;
}

export interface MemorySummary {
  readonly start: MemorySample;
  readonly peakRssMB: number;
  readonly peakHeapMB: number;
  readonly end: MemorySample;
  readonly rssGrowthMB: number;
  readonly heapGrowthMB: number;
  /** Least-squares slope over the second half of the samples, MB per minute. */
  readonly rssSlopeSecondHalfMBPerMin: number;
  readonly heapSlopeSecondHalfMBPerMin: number;
  readonly samples: MemorySample[];
}

const MB = 1024 * 1024;

export class MemorySampler {
  readonly samples: MemorySample[] = [];
  private readonly startedAt = performance.now();
  private timer: NodeJS.Timeout | undefined;

  sample(): MemorySample {
    collectGarbage();
    const usage = process.memoryUsage();
    const sample = { atS: (performance.now() - this.startedAt) / 1000, rssMB: usage.rss / MB, heapMB: usage.heapUsed / MB };
    this.samples.push(sample);
    return sample;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  summary(): MemorySummary {
    const samples = this.samples;
    const start = samples[0];
    const end = samples[samples.length - 1];
    const secondHalf = samples.slice(Math.floor(samples.length / 2));
    const perMinute = (pick: (s: MemorySample) => number): number => slope(secondHalf.map((s) => ({ x: s.atS / 60, y: pick(s) })));
    return {
      start,
      peakRssMB: Math.max(...samples.map((s) => s.rssMB)),
      peakHeapMB: Math.max(...samples.map((s) => s.heapMB)),
      end,
      rssGrowthMB: end.rssMB - start.rssMB,
      heapGrowthMB: end.heapMB - start.heapMB,
      rssSlopeSecondHalfMBPerMin: perMinute((s) => s.rssMB),
      heapSlopeSecondHalfMBPerMin: perMinute((s) => s.heapMB),
      samples,
    };
  }
}

// Counts msgs reaching the sink and resolves when a given number has arrived (or progress stalls).

export class ArrivalCounter {
  count = 0;
  lastAt = 0;
  private target = Infinity;
  private resolveTarget: (() => void) | undefined;

  /** Call once per msg. */
  arrived(): void {
    this.count++;
    this.lastAt = performance.now();
    if (this.count >= this.target) {
      this.target = Infinity;
      this.resolveTarget?.();
      this.resolveTarget = undefined;
    }
  }

  /** Resolves once `target` msgs have arrived; rejects when none arrives for `stallMs`. */
  async waitFor(target: number, stallMs: number): Promise<void> {
    if (this.count >= target) return;
    const reached = new Promise<void>((resolve) => {
      this.target = target;
      this.resolveTarget = resolve;
    });
    let seen = this.count;
    let seenAt = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setInterval(() => {
        if (this.count !== seen) {
          seen = this.count;
          seenAt = performance.now();
        } else if (performance.now() - seenAt > stallMs) {
          reject(new Error(`stalled at ${this.count}/${target} msgs (nothing for ${stallMs} ms)`));
        }
      }, 250);
    });
    try {
      await Promise.race([reached, stalled]);
    } finally {
      clearInterval(timer);
    }
  }
}

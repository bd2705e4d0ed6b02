// A sink that takes a fixed time for each msg and handles at most `concurrency` at once (0: as
// many as arrive, like an HTTP request node waiting for a slow endpoint; 1: one after the other).
// `done()` of each msg lets the `complete` node acknowledge it.

export class SlowSink {
  handled = 0;
  private readonly queue: Array<() => void> = [];
  private busy = 0;
  private stopped = false;

  constructor(
    private readonly msPerMsg: number,
    private readonly concurrency: number,
  ) {}

  /** The sink node's input handler. */
  readonly onInput = (_msg: unknown, _send: unknown, done: () => void): void => {
    this.queue.push(done);
    this.next();
  };

  get queued(): number {
    return this.queue.length;
  }

  stop(): void {
    this.stopped = true;
  }

  private next(): void {
    while (!this.stopped && this.queue.length > 0 && (this.concurrency === 0 || this.busy < this.concurrency)) {
      const done = this.queue.shift() as () => void;
      this.busy++;
      setTimeout(() => {
        this.busy--;
        this.handled++;
        done();
        this.next();
      }, this.msPerMsg);
    }
  }
}

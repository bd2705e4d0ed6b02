// A sink that handles one msg at a time and takes a fixed time for each (e.g. a slow HTTP
// endpoint called without concurrency); `done()` of each msg lets the `complete` node ack it.

export class SlowSink {
  handled = 0;
  private readonly queue: Array<() => void> = [];
  private busy = false;
  private stopped = false;

  constructor(private readonly msPerMsg: number) {}

  /** The sink node's input handler. */
  readonly onInput = (_msg: unknown, _send: unknown, done: () => void): void => {
    this.queue.push(done);
    if (!this.busy) this.next();
  };

  get queued(): number {
    return this.queue.length;
  }

  stop(): void {
    this.stopped = true;
  }

  private next(): void {
    const done = this.queue.shift();
    if (!done || this.stopped) {
      this.busy = false;
      return;
    }
    this.busy = true;
    setTimeout(() => {
      this.handled++;
      done();
      this.next();
    }, this.msPerMsg);
  }
}

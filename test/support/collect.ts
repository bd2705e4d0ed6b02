import type { EventEmitter } from 'node:events';

export type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Collects messages arriving at a helper node; `waitFor(n)` resolves once n have arrived. */
export class MessageCollector {
  readonly messages: Msg[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(node: EventEmitter) {
    node.on('input', (msg: Msg) => {
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => {
        if (this.messages.length < w.count) return true;
        w.resolve();
        return false;
      });
    });
  }

  waitFor(count: number, timeoutMs = 15_000): Promise<Msg[]> {
    if (this.messages.length >= count) return Promise.resolve(this.messages.slice(0, count));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`expected ${count} messages within ${timeoutMs} ms, got ${this.messages.length}`)),
        timeoutMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.messages.slice(0, count));
        },
      });
    });
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` (which may be async) until it returns a truthy value or the time runs out. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(25);
  }
}

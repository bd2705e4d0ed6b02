// A loopback HTTP sink in a process of its own (forked by ordering-run.ts, so that it does not share
// the Node-RED process's CPU): answers every POST after a fixed delay and checks, per item, that its
// versions arrive in order. IPC: sends `{ url }` when listening; answers `'report'` with its figures.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkReport {
  readonly received: number;
  readonly outOfOrder: number;
  readonly mostConcurrent: number;
  /** From the first request to the last one. */
  readonly spanMs: number;
}

const delayMs = Number(process.env.BENCH_SINK_DELAY_MS ?? '20');
const newest = new Map<string, number>();
let received = 0;
let outOfOrder = 0;
let concurrent = 0;
let mostConcurrent = 0;
let firstAt = 0;
let lastAt = 0;

const server = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    const now = performance.now();
    if (received === 0) firstAt = now;
    received += 1;
    lastAt = now;
    const { pk, v } = (JSON.parse(body) as { newImage: { pk: string; v: number } }).newImage;
    if (v < (newest.get(pk) ?? -1)) outOfOrder += 1;
    else newest.set(pk, v);
    concurrent += 1;
    mostConcurrent = Math.max(mostConcurrent, concurrent);
    setTimeout(() => {
      concurrent -= 1;
      response.writeHead(204).end();
    }, delayMs);
  });
});

server.listen(0, '127.0.0.1', () => {
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
});

process.on('message', (message) => {
  if (message !== 'report') return;
  const report: SinkReport = { received, outOfOrder, mostConcurrent, spanMs: lastAt - firstAt };
  process.send?.(report);
});
process.on('disconnect', () => process.exit(0));

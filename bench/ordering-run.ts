// Issue 12's ordering figure, run in a process of its own: a source node in manual mode POSTs each
// record through an `http request` node to a loopback HTTP sink that answers after a fixed delay;
// a `complete` node after the request acknowledges it. The sink checks that every item's versions
// arrive in order. Started by ordering.ts; prints one `RESULT <json>` line.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { reportFromChild } from './child-run';
import { deploy, sourceFlow, startRuntime, stopRuntime, undeploy } from './node-red-runtime';

/* eslint-disable @typescript-eslint/no-require-imports */
const httpRequestNode = require('@node-red/nodes/core/network/21-httprequest.js');
const completeNode = require('@node-red/nodes/core/common/24-complete.js');

export interface OrderingRunResult {
  readonly ordering: string;
  readonly maxInFlight: number;
  readonly records: number;
  /** From the first request at the sink to the `records`-th. */
  readonly elapsedMs: number;
  readonly perSecond: number;
  /** Requests whose item version was lower than one the sink had already seen for that item. */
  readonly outOfOrder: number;
  readonly mostConcurrent: number;
  /** CPU time (user + system) of this process from the deploy until the sink got its last request: the node, Node-RED and the sink share it. */
  readonly cpuMs: number;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Answers every POST after `delayMs`; records per item the versions in arrival order. */
class DelayedSink {
  received = 0;
  outOfOrder = 0;
  concurrent = 0;
  mostConcurrent = 0;
  firstAt = 0;
  lastAt = 0;
  private readonly newest = new Map<string, number>();
  private readonly server: http.Server;

  constructor(private readonly delayMs: number) {
    this.server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        this.arrived(JSON.parse(body) as { newImage: { pk: string; v: number } });
        this.concurrent += 1;
        this.mostConcurrent = Math.max(this.mostConcurrent, this.concurrent);
        setTimeout(() => {
          this.concurrent -= 1;
          response.writeHead(204).end();
        }, this.delayMs);
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private arrived(data: { newImage: { pk: string; v: number } }): void {
    const now = performance.now();
    if (this.received === 0) this.firstAt = now;
    this.received += 1;
    this.lastAt = now;
    const { pk, v } = data.newImage;
    if (v < (this.newest.get(pk) ?? -1)) this.outOfOrder += 1;
    else this.newest.set(pk, v);
  }
}

async function main(): Promise<OrderingRunResult> {
  const endpoint = required('BENCH_ENDPOINT');
  const arn = required('BENCH_TABLE_ARN');
  const ordering = required('BENCH_ORDERING');
  const maxInFlight = Number(required('BENCH_MAX_IN_FLIGHT'));
  const records = Number(required('BENCH_RECORDS'));
  const sinkDelayMs = Number(required('BENCH_SINK_DELAY_MS'));
  const maxWindowMs = Number(required('BENCH_WINDOW_MS'));
  const sink = new DelayedSink(sinkDelayMs);
  const url = await sink.start();
  await startRuntime();
  const flow = sourceFlow({
    arn,
    endpoint,
    source: { startingPosition: 'TRIM_HORIZON', ackMode: 'manual', dataFormat: 'document', batchSize: 1000, ordering, maxInFlight },
  }).map((node) => (node.id === 's1' ? { ...node, wires: [['post']] } : node));
  flow.push(
    { id: 'post', z: 'f1', type: 'http request', method: 'POST', ret: 'txt', paytoqs: 'ignore', url, persist: true, wires: [['h1']] },
    { id: 'a1', z: 'f1', type: 'complete', scope: ['post'], uncaught: false, wires: [['s1']] },
  );
  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  await deploy(flow, (_msg, _send, done) => done(), [httpRequestNode, completeNode]);
  while (sink.received < records && performance.now() - startedAt < maxWindowMs) await sleep(50);
  const elapsedMs = sink.lastAt - sink.firstAt;
  const cpu = process.cpuUsage(cpuAtStart);
  await undeploy();
  await stopRuntime();
  await sink.stop();
  return {
    ordering,
    maxInFlight,
    records: sink.received,
    elapsedMs,
    perSecond: sink.received > 1 ? ((sink.received - 1) * 1000) / elapsedMs : 0,
    outOfOrder: sink.outOfOrder,
    mostConcurrent: sink.mostConcurrent,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

reportFromChild(main);

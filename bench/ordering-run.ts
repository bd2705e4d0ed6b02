// Issue 12's ordering figure, run in a process of its own: a source node in manual mode POSTs each
// record through an `http request` node to a loopback HTTP sink (another process) that answers after
// a fixed delay; a `complete` node after the request acknowledges it. The sink checks that every
// item's versions arrive in order. Started by ordering.ts; prints one `RESULT <json>` line.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { delay } from '../test/support/collect';
import { reportFromChild, requiredEnv } from './child-run';
import type { SinkReport } from './delayed-http-sink';
import { deploy, sourceFlow, startRuntime, stopRuntime, undeploy } from './node-red-runtime';
import { coreNode } from './node-red-package';

const httpRequestNode = coreNode('network/21-httprequest.js');
const completeNode = coreNode('common/24-complete.js');

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
  /** CPU time (user + system) of the Node-RED process from the deploy until the run ended. */
  readonly cpuMs: number;
}

/** The sink process: its URL once it listens, and its figures on request. */
class SinkProcess {
  private readonly child: ChildProcess;
  private readonly messages: unknown[] = [];
  private waiting: (() => void) | undefined;

  constructor(delayMs: number) {
    this.child = fork(path.join(__dirname, 'delayed-http-sink.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_SINK_DELAY_MS: String(delayMs) },
    });
    this.child.on('message', (message) => {
      this.messages.push(message);
      this.waiting?.();
    });
  }

  async url(): Promise<string> {
    return ((await this.next()) as { url: string }).url;
  }

  async report(): Promise<SinkReport> {
    this.child.send('report');
    return (await this.next()) as SinkReport;
  }

  stop(): void {
    this.child.disconnect();
  }

  private async next(): Promise<unknown> {
    while (this.messages.length === 0) await new Promise<void>((resolve) => (this.waiting = resolve));
    return this.messages.shift();
  }
}

async function main(): Promise<OrderingRunResult> {
  const endpoint = requiredEnv('BENCH_ENDPOINT');
  const arn = requiredEnv('BENCH_TABLE_ARN');
  const ordering = requiredEnv('BENCH_ORDERING');
  const maxInFlight = Number(requiredEnv('BENCH_MAX_IN_FLIGHT'));
  const records = Number(requiredEnv('BENCH_RECORDS'));
  const sinkDelayMs = Number(requiredEnv('BENCH_SINK_DELAY_MS'));
  const maxWindowMs = Number(requiredEnv('BENCH_WINDOW_MS'));
  const sink = new SinkProcess(sinkDelayMs);
  const url = await sink.url();
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
  let report = await sink.report();
  while (report.received < records && performance.now() - startedAt < maxWindowMs) {
    await delay(100);
    report = await sink.report();
  }
  const cpu = process.cpuUsage(cpuAtStart);
  await undeploy();
  await stopRuntime();
  sink.stop();
  return {
    ordering,
    maxInFlight,
    records: report.received,
    elapsedMs: report.spanMs,
    perSecond: report.received > 1 ? ((report.received - 1) * 1000) / report.spanMs : 0,
    outOfOrder: report.outOfOrder,
    mostConcurrent: report.mostConcurrent,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

reportFromChild(main);

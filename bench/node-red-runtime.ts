// A real Node-RED runtime in this process (node-red-node-test-helper), with this package's built
// nodes from dist/. The helper wraps Node.prototype.send/status/log in Sinon spies that keep every
// call (arguments included): fine for tests, but here they would cost time and hold every msg in
// memory, so they are removed after each load, also from the nodes, which copy `send` when created.
import helper from 'node-red-node-test-helper';
import path from 'node:path';
import type { EventEmitter } from 'node:events';
import { configNode, sourceNode, type FlowNode } from '../test/support/flow-nodes';
import { BENCH_CREDENTIALS } from './local-dynamodb';
import { nodeRedPackageDir } from './node-red-package';

helper.init(require.resolve(nodeRedPackageDir));

const dist = path.resolve(__dirname, '..', 'dist');
/* eslint-disable @typescript-eslint/no-require-imports */
const ourNodes = [require(path.join(dist, 'dynamodb-stream-config.js')), require(path.join(dist, 'dynamodb-stream-source.js'))];

interface HelperInternals {
  _sandbox: { restore(): void };
  _logSpy?: { restore(): void };
}

interface RuntimeNode {
  wires: string[][];
  updateWires(wires: string[][]): void;
}

export type BenchMsg = Record<string, unknown> & { payload?: unknown };
export type InputHandler = (msg: BenchMsg, send: unknown, done: () => void) => void;

export interface SourceFlowOptions {
  readonly arn: string;
  readonly endpoint: string;
  /** Source node properties that differ from the node's defaults. */
  readonly source?: Record<string, unknown>;
  /** Wires a `complete` node (scope: the sink) back to the source's input, as a manual-ack flow does. */
  readonly ackBack?: boolean;
}

/** Source `s1` (node defaults, LATEST, unless given) wired to sink `h1`; with ackBack, `complete` node `a1` wired back to `s1`. */
export function sourceFlow(options: SourceFlowOptions): FlowNode[] {
  return [
    { id: 'f1', type: 'tab', label: 'bench' },
    configNode('c1', options.arn, options.endpoint),
    sourceNode('s1', 'f1', 'c1', ['h1'], { startingPosition: 'LATEST', ackTimeout: 0, maxRecordAge: 0, ...options.source }),
    { id: 'h1', z: 'f1', type: 'helper', wires: [] },
    ...(options.ackBack ? [{ id: 'a1', z: 'f1', type: 'complete', scope: ['h1'], uncaught: false, wires: [['s1']] }] : []),
  ];
}

export async function startRuntime(): Promise<void> {
  helper.settings({});
  await new Promise<void>((resolve) => helper.startServer(() => resolve()));
}

export async function stopRuntime(): Promise<void> {
  await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
}

/** Deploys the flow (with `coreNodes`: Node-RED node modules it uses), removes the helper's spies and hands every msg reaching `h1` to `onInput`. */
export async function deploy(flow: FlowNode[], onInput: InputHandler, coreNodes: unknown[] = []): Promise<void> {
  await helper.load([...ourNodes, ...coreNodes], flow, { c1: { ...BENCH_CREDENTIALS } });
  const internals = helper as unknown as HelperInternals;
  internals._sandbox.restore();
  internals._logSpy?.restore();
  for (const { id } of flow) {
    const node = helper.getNode(id) as unknown as RuntimeNode | null;
    // Node-RED sets each node's own `send` from Node.prototype.send (then still the spy) in updateWires.
    if (node && Array.isArray(node.wires)) node.updateWires(node.wires);
  }
  const sink = helper.getNode('h1') as unknown as EventEmitter;
  sink.on('input', onInput);
}

/** Stops the flow (the source node closes its consumer). */
export async function undeploy(): Promise<void> {
  await helper.unload();
}

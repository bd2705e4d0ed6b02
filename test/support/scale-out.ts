/**
 * The same flow in several spawned Node-RED processes (the packed tarball in each), sharing a
 * scripted stream through a lease table: what the scale-out end-to-end test and the scale-out bench
 * figure both run. Every record is POSTed to a CloudEvents sink with the worker's name in an
 * `x-worker` header and acknowledged by a `complete` node when the POST succeeds.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Lease } from '../../nodes/lib/lease/lease';
import type { LeaseTable } from '../../nodes/lib/lease/lease-table';
import { leaseConsumerName } from '../../nodes/source-checkpoints';
import { delay } from './collect';
import { configNode, sourceNode } from './flow-nodes';
import { REGION, tableArnOf, type FakeStream } from './mock-stream';
import { removeDir, startNodeRed, userDirWithPackage, type NodeRedProcess } from './spawned-node-red';

export const LEASE_TABLE = 'nodeRedLeases';
/** The source node's id: the same in every worker, so they share its leases. */
export const SOURCE_ID = 's1';
/** DynamoDB Local accepts access key ids of letters and digits only. */
export const SCALE_OUT_CREDENTIALS = { c1: { accessKeyId: 'scaleout', secretAccessKey: 'secret' } };
/** Function node body: names the worker that sent the record in a header. */
const STAMP_WORKER = `msg.headers = Object.assign({}, msg.headers, { 'x-worker': env.get('WORKER') }); return msg;`;

export interface ScaleOutFlowOptions {
  /** The scripted endpoint's URL (DynamoDB Streams, and the lease table forwarded to DynamoDB Local). */
  readonly endpoint: string;
  /** The scripted table whose stream is read. */
  readonly table: string;
  /** The CloudEvents sink the records are POSTed to. */
  readonly sink: string;
  readonly maxInFlight?: number;
}

/** The flow every worker runs. */
export function scaleOutFlow(options: ScaleOutFlowOptions): unknown[] {
  return [
    { id: 'tab1', type: 'tab', label: 'scale-out' },
    configNode('c1', tableArnOf(options.table), options.endpoint, { region: REGION }),
    // ackTimeout: a POST that fails (the sink is a process on a busy machine) is not acknowledged and is sent again.
    sourceNode(SOURCE_ID, 'tab1', 'c1', ['stamp'], {
      checkpointStore: 'lease',
      leaseTable: LEASE_TABLE,
      ackMode: 'manual',
      maxInFlight: options.maxInFlight ?? 20,
      ackTimeout: 5,
    }),
    { id: 'stamp', z: 'tab1', type: 'function', name: 'stamp worker', func: STAMP_WORKER, outputs: 1, wires: [['post']] },
    { id: 'post', z: 'tab1', type: 'http request', name: 'to sink', method: 'POST', ret: 'txt', paytoqs: 'ignore', url: options.sink, wires: [[]] },
    { id: 'ack', z: 'tab1', type: 'complete', name: 'acknowledge', scope: ['post'], uncaught: false, wires: [[SOURCE_ID]] },
  ];
}

/** Every lease of the scale-out flow's source node on `table`'s stream, finished ones included ([] while the lease table does not exist). */
export function leasesOf(leases: LeaseTable, table: string): Promise<Lease[]> {
  return leases.listLeases(leaseConsumerName(SOURCE_ID, tableArnOf(table))).catch(() => []);
}

/** Whether a lease owner is the default worker id (host name and pid) of that process. */
export function ownerOfPid(owner: string | undefined, nodeRed: NodeRedProcess): boolean {
  return owner !== undefined && owner.endsWith(`-${nodeRed.pid}`);
}

/** Appends a record to every shard each `intervalMs` until the returned function is called (which waits for the loop to end). */
export function keepWriting(stream: FakeStream, shards: readonly string[], intervalMs = 100): () => Promise<void> {
  let writing = true;
  const loop = (async () => {
    while (writing) {
      for (const shardId of shards) stream.put(shardId, 1);
      await delay(intervalMs);
    }
  })();
  return async () => {
    writing = false;
    await loop;
  };
}

/** Starts workers, each in a user directory of its own copied from one with the packed tarball installed; `stopAll()` ends them and removes the directories. */
export class ScaleOutWorkers {
  readonly running: NodeRedProcess[] = [];
  /** Date.now() when each worker's Node-RED process was spawned (after its user directory was copied). */
  readonly spawnedAt = new Map<NodeRedProcess, number>();
  private readonly dirs: string[] = [];
  private template: string | undefined;

  /** `dynamodbStreams`: the settings.js entry of every worker (timings, leaseFailoverMs); none for the defaults. */
  constructor(private readonly dynamodbStreams?: Record<string, unknown>) {}

  async start(flows: unknown[], env: Record<string, string> = {}): Promise<NodeRedProcess> {
    if (!this.template) {
      this.template = userDirWithPackage();
      this.dirs.push(this.template);
    }
    const userDir = mkdtempSync(path.join(os.tmpdir(), 'ddbstream-worker-'));
    cpSync(this.template, userDir, { recursive: true });
    this.dirs.push(userDir);
    const spawnedAt = Date.now();
    const nodeRed = await startNodeRed({
      userDir,
      flows,
      credentials: SCALE_OUT_CREDENTIALS,
      settings: this.dynamodbStreams ? { dynamodbStreams: this.dynamodbStreams } : {},
      env,
    });
    this.running.push(nodeRed);
    this.spawnedAt.set(nodeRed, spawnedAt);
    return nodeRed;
  }

  /** Stops a worker (SIGINT; SIGKILL after 10 s) and forgets it; after a `kill -9` this just waits for its exit. */
  async stop(nodeRed: NodeRedProcess): Promise<void> {
    await nodeRed.stop();
    const index = this.running.indexOf(nodeRed);
    if (index >= 0) this.running.splice(index, 1);
  }

  async stopAll(): Promise<void> {
    for (const nodeRed of [...this.running]) await this.stop(nodeRed);
    for (const dir of this.dirs.splice(0)) removeDir(dir);
  }
}

// Issue 12's poison-record figure, run in a process of its own: a source node in manual mode
// (maxInFlight 100, maxRetries 3, the default re-send backoff) sends every record to a sink that
// answers after a fixed delay by sending the msg back to the source (an acknowledgement); for one
// record, the poison, it reports an error instead, which a `catch` node returns to the source (a
// failed attempt). Started by poison.ts; prints one `RESULT <json>` line.
import helper from 'node-red-node-test-helper';
import { delay } from '../test/support/collect';
import { reportFromChild, requiredEnv } from './child-run';
import { coreNode } from './node-red-package';
import { deploy, sourceFlow, startRuntime, stopRuntime, undeploy, type BenchMsg } from './node-red-runtime';

export interface PoisonRunResult {
  readonly ordering: string;
  /** The sequence number of the poison record, or none (the run without a poison). */
  readonly poisonVersion: number | undefined;
  readonly records: number;
  /** ms from the deploy until every record but the poison was acknowledged. */
  readonly othersDoneMs: number;
  /** ms from the deploy until the poison's first attempt failed. */
  readonly poisonFirstFailedMs: number | undefined;
  /** ms from the deploy until the poison left on the failed output (given up). */
  readonly poisonGivenUpMs: number | undefined;
  readonly poisonAttempts: number;
  /** Records of the poison's item key acknowledged after its first failure and before it was given up. */
  readonly ownKeyAckedWhileRetrying: number;
  /** Records of other keys acknowledged between the poison's first failure and its give-up. */
  readonly otherKeysAckedWhileRetrying: number;
}

interface Payload {
  readonly keys: { readonly pk: string };
  readonly newImage: { readonly v: number };
}

async function main(): Promise<PoisonRunResult> {
  const ordering = requiredEnv('BENCH_ORDERING');
  const records = Number(requiredEnv('BENCH_RECORDS'));
  const sinkDelayMs = Number(requiredEnv('BENCH_SINK_DELAY_MS'));
  const keys = Number(requiredEnv('BENCH_KEYS'));
  const keyOf = (v: number): string => `item-${v % keys}`;
  const poisonVersion = process.env.BENCH_POISON_VERSION ? Number(process.env.BENCH_POISON_VERSION) : undefined;
  await startRuntime();
  const flow = sourceFlow({
    arn: requiredEnv('BENCH_TABLE_ARN'),
    endpoint: requiredEnv('BENCH_ENDPOINT'),
    source: { startingPosition: 'TRIM_HORIZON', ackMode: 'manual', dataFormat: 'document', batchSize: 1000, ordering, maxInFlight: 100, maxRetries: 3 },
  }).map((node) => {
    if (node.id === 's1') return { ...node, wires: [['h1'], ['deadLetters']] };
    if (node.id === 'h1') return { ...node, wires: [['s1']] };
    return node;
  });
  flow.push({ id: 'deadLetters', z: 'f1', type: 'helper', wires: [] }, { id: 'nack', z: 'f1', type: 'catch', scope: ['h1'], uncaught: false, wires: [['s1']] });

  const acknowledged = new Map<number, number>();
  let poisonKey: string | undefined;
  let firstFailureAt: number | undefined;
  let givenUpAt: number | undefined;
  let poisonAttempts = 0;
  const startedAt = performance.now();
  await deploy(
    flow,
    (msg: BenchMsg, send, done) => {
      const { keys, newImage } = msg.payload as Payload;
      if (newImage.v === poisonVersion) {
        poisonKey = keys.pk;
        poisonAttempts += 1;
        firstFailureAt ??= performance.now();
        setTimeout(() => (done as (error: Error) => void)(new Error(`record ${newImage.v} is poison`)), sinkDelayMs);
        return;
      }
      setTimeout(() => {
        if (!acknowledged.has(newImage.v)) acknowledged.set(newImage.v, performance.now());
        (send as (msg: BenchMsg) => void)(msg);
        done();
      }, sinkDelayMs);
    },
    [coreNode('common/25-catch.js')],
  );
  (helper.getNode('deadLetters') as unknown as { on(event: 'input', listener: () => void): void }).on('input', () => (givenUpAt ??= performance.now()));
  const others = poisonVersion === undefined ? records : records - 1;
  const deadline = startedAt + 300_000;
  while ((acknowledged.size < others || (poisonVersion !== undefined && givenUpAt === undefined)) && performance.now() < deadline) await delay(20);
  await undeploy();
  await stopRuntime();

  const ackTimes = [...acknowledged.values()];
  const whileRetrying = (key: (v: number) => boolean): number =>
    [...acknowledged.entries()].filter(([v, at]) => key(v) && firstFailureAt !== undefined && givenUpAt !== undefined && at > firstFailureAt && at < givenUpAt).length;
  return {
    ordering,
    poisonVersion,
    records: acknowledged.size,
    othersDoneMs: Math.max(...ackTimes) - startedAt,
    poisonFirstFailedMs: firstFailureAt === undefined ? undefined : firstFailureAt + sinkDelayMs - startedAt,
    poisonGivenUpMs: givenUpAt === undefined ? undefined : givenUpAt - startedAt,
    poisonAttempts,
    ownKeyAckedWhileRetrying: whileRetrying((v) => keyOf(v) === poisonKey),
    otherKeysAckedWhileRetrying: whileRetrying((v) => keyOf(v) !== poisonKey),
  };
}

reportFromChild(main);

// Where the node's time goes: a V8 CPU profile of this process (the inspector's Profiler, as
// `node --cpu-prof` takes it) over one catch-up, each sample charged to the innermost frame that
// belongs to a known category (so JSON.parse or Buffer#toString called by our parser count as parsing).
import { Session } from 'node:inspector/promises';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}

export interface CpuProfile {
  readonly nodes: ReadonlyArray<{ readonly id: number; readonly callFrame: CallFrame; readonly children?: readonly number[] }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface Category {
  readonly name: string;
  readonly matches: (frame: CallFrame) => boolean;
  /** Time that is not the node's (the profiler's own work): left out of the total. */
  readonly excluded?: boolean;
  /**
   * Claims a sample only when no other category's frame is on its stack (Node.js core: a
   * `Buffer#toString` called by our parser is parsing, a socket read started by the event loop is not).
   */
  readonly fallback?: boolean;
}

const url = (pattern: RegExp) => (frame: CallFrame) => pattern.test(frame.url);
const named = (name: string) => (frame: CallFrame) => frame.url === '' && frame.functionName === name;
const ours = (files: string) => url(new RegExp(`/(?:dist|nodes)/lib/(?:${files})`));

/** The node's stages between the wire and the downstream node, innermost match first. */
export const NODE_CATEGORIES: readonly Category[] = [
  { name: 'the profiler itself', matches: url(/^node:inspector/), excluded: true },
  { name: 'waiting (idle)', matches: named('(idle)') },
  { name: 'garbage collection', matches: named('(garbage collector)') },
  { name: 'parse (GetRecords JSON)', matches: ours('get-records-json|get-records-fast-path|next-iterator-peek') },
  { name: 'mapping (CloudEvent msg)', matches: ours('cloudevent/|message-builder') },
  { name: 'checkpointing', matches: ours('delivery/checkpoint-store|delivery/hand-over-checkpoints') },
  { name: 'status', matches: (frame) => /\/(?:dist|nodes)\/lib\/source-status/.test(frame.url) },
  { name: 'delivery & acks (ours)', matches: ours('delivery/') },
  { name: 'reader & consumer (ours)', matches: ours('') },
  { name: 'source node glue', matches: url(/\/(?:dist|nodes)\/dynamodb-stream-[a-z-]+\.(?:js|ts)$/) },
  { name: 'Node-RED send & runtime', matches: url(/\/node-red\/|\/@node-red\//) },
  { name: 'AWS SDK', matches: url(/\/@smithy\/|\/@aws-sdk\/|\/@aws-crypto\//) },
  { name: 'bench sink', matches: url(/\/bench\//) },
  { name: 'HTTP & Node.js core', matches: url(/^node:/), fallback: true },
];

export interface CategoryTime {
  readonly category: string;
  readonly ms: number;
  readonly share: number;
}

/** Sampled time per category, every category listed (and "other" for frames none claims), largest first. */
export function timeByCategory(profile: CpuProfile, categories: readonly Category[]): CategoryTime[] {
  const parent = new Map<number, number>();
  const frame = new Map<number, CallFrame>();
  for (const node of profile.nodes) {
    frame.set(node.id, node.callFrame);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  /** Per profile node: the innermost category on its stack, and the innermost fallback one. */
  const claims = new Map<number, { category?: string; fallback?: string }>();
  const claimOf = (id: number): { category?: string; fallback?: string } => {
    const known = claims.get(id);
    if (known) return known;
    const callFrame = frame.get(id);
    const own = callFrame && categories.find((c) => c.matches(callFrame));
    const up = parent.get(id);
    const above = up === undefined ? {} : claimOf(up);
    const claim = own && !own.fallback ? { category: own.name } : { category: above.category, fallback: own?.name ?? above.fallback };
    claims.set(id, claim);
    return claim;
  };
  const categoryOf = (id: number): string => {
    const claim = claimOf(id);
    return claim.category ?? claim.fallback ?? 'other';
  };
  const excluded = new Set(categories.filter((c) => c.excluded).map((c) => c.name));
  const micros = new Map<string, number>([...categories.filter((c) => !c.excluded).map((c): [string, number] => [c.name, 0]), ['other', 0]]);
  let total = 0;
  profile.samples.forEach((id, i) => {
    const category = categoryOf(id);
    if (excluded.has(category)) return;
    const delta = profile.timeDeltas[i] ?? 0;
    total += delta;
    micros.set(category, (micros.get(category) ?? 0) + delta);
  });
  return [...micros.entries()]
    .map(([category, us]) => ({ category, ms: us / 1000, share: total > 0 ? us / total : 0 }))
    .sort((a, b) => b.ms - a.ms);
}

/** Runs `work` under the CPU profiler of this process. */
export async function profiled<T>(work: () => Promise<T>, samplingIntervalUs = 250): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
    await session.post('Profiler.start');
    const outcome = await work().then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    if ('error' in outcome) throw outcome.error;
    return { result: outcome.result, profile };
  } finally {
    session.disconnect();
  }
}

// Figure 6: where the node's time goes per record between the wire and the downstream node, from a
// CPU profile of one more catch-up run in each ack mode.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Backlog } from './backlog';
import { nodeCatchUp, type NodeMode } from './catch-up';
import { NODE_CATEGORIES, profiled, timeByCategory, type CategoryTime } from './cpu-profile';
import { collectGarbage } from './gc';

export interface NodeProfile {
  readonly mode: NodeMode;
  readonly records: number;
  /** Wall-clock time of the profiled run (slower than an unprofiled one). */
  readonly ms: number;
  readonly categories: CategoryTime[];
}

/** With `saveTo`, the profile is also written there as `node-<mode>.cpuprofile` (for Chrome DevTools). */
export async function profileNode(endpoint: string, backlog: Backlog, mode: NodeMode, saveTo?: string): Promise<NodeProfile> {
  collectGarbage();
  const { result, profile } = await profiled(() => nodeCatchUp(endpoint, backlog, mode));
  if (saveTo) {
    mkdirSync(saveTo, { recursive: true });
    writeFileSync(path.join(saveTo, `node-${mode}.cpuprofile`), JSON.stringify(profile));
  }
  return { mode, records: result.records, ms: result.ms, categories: timeByCategory(profile, NODE_CATEGORIES) };
}

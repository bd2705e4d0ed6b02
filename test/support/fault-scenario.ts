import { eventually } from './collect';
import type { Delivery, NumberedItem } from './delivery-ledger';

/** The numbered item a `triggermesh` payload (the default data format) carries: `Keys.pk.S` and `NewImage.n.N`. */
export function itemOfPayload(payload: unknown, epoch?: number): Delivery {
  const record = payload as { Dynamodb?: { Keys?: { pk?: { S?: string } }; NewImage?: { n?: { N?: string } } } };
  const key = record.Dynamodb?.Keys?.pk?.S;
  const n = record.Dynamodb?.NewImage?.n?.N;
  if (key === undefined || n === undefined) throw new Error(`not a numbered item: ${JSON.stringify(payload).slice(0, 200)}`);
  return { key, n: Number(n), ...(epoch === undefined ? {} : { epoch }) };
}

/**
 * Resolves true once every item in `written()` appears in `delivered()`, or false when time runs out
 * (the caller then reconciles and reports what is missing).
 */
export async function waitForAll(
  written: () => readonly NumberedItem[],
  delivered: () => readonly NumberedItem[],
  timeoutMs: number,
): Promise<boolean> {
  return eventually(
    () => {
      const seen = new Set(delivered().map((d) => `${d.key}/${d.n}`));
      return written().every((w) => seen.has(`${w.key}/${w.n}`));
    },
    timeoutMs,
    'every written item delivered',
  ).then(
    () => true,
    () => false,
  );
}

interface SpyLike {
  resetHistory?: () => void;
}

/**
 * node-red-node-test-helper wraps Node.prototype's `send`, `status`, `log`, `warn`, `error`, `debug`
 * and `trace` in sinon spies for the whole of a loaded flow, and sinon keeps every call's arguments:
 * every message the node sends stays reachable. Heap measurements of a long run clear that history
 * now and then so they see the node's memory, not the harness's. (`call:<method>` events still fire.)
 */
export function forgetTestHelperCallHistory(helper: unknown): void {
  const internals = helper as { _NodePrototype?: Record<string, SpyLike>; _logSpy?: SpyLike };
  for (const method of ['send', 'status', 'log', 'warn', 'error', 'debug', 'trace']) {
    internals._NodePrototype?.[method]?.resetHistory?.();
  }
  internals._logSpy?.resetHistory?.();
}

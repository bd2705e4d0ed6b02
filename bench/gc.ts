// A full garbage collection on demand, without requiring `node --expose-gc`.
import v8 from 'node:v8';
import vm from 'node:vm';

let cached: (() => void) | null | undefined;

/** `global.gc`, or the same function obtained at run time; undefined when neither works. */
export function collector(): (() => void) | undefined {
  if (cached !== undefined) return cached ?? undefined;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') {
    cached = exposed;
    return cached;
  }
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    cached = typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    cached = null;
  }
  return cached ?? undefined;
}

export function collectGarbage(): void {
  collector()?.();
}

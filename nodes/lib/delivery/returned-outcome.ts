/** What a message that came back to the source's input says about its delivery. */
export type ReturnedOutcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'failure'; readonly error: unknown }
  /** Lambda's `ReportBatchItemFailures` shape: the batch failed from the first of these records on. */
  | { readonly kind: 'partial'; readonly failedSequenceNumbers: ReadonlySet<string> };

/** Reads `msg.error` (set by a catch node) and `msg.batchItemFailures` (`[{ itemIdentifier }]`, an empty list: all succeeded). */
export function returnedOutcome(message: { readonly error?: unknown; readonly batchItemFailures?: unknown }): ReturnedOutcome {
  if (message.error !== undefined && message.error !== null) return { kind: 'failure', error: message.error };
  const failures = message.batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', error: { message: 'msg.batchItemFailures is not a list' } };
  if (failures.length === 0) return { kind: 'success' };
  const identifiers = failures.map((failure: unknown) => (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier);
  if (!identifiers.every((id): id is string => typeof id === 'string' && id !== '')) {
    return { kind: 'failure', error: { message: 'msg.batchItemFailures holds an entry without an itemIdentifier' } };
  }
  return { kind: 'partial', failedSequenceNumbers: new Set(identifiers) };
}

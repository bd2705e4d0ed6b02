const ZERO = 0x30;
const DOT = 0x2e;

function isValidDate(date: Date | undefined): date is Date {
  return date !== undefined && !Number.isNaN(date.getTime());
}

/** ISO 8601 in UTC with milliseconds, e.g. `2023-03-30T12:00:00.000Z`. */
export function toIsoTime(date: Date | undefined): string | undefined {
  return isValidDate(date) ? date.toISOString() : undefined;
}

/**
 * As Go's `time.Time` marshals to JSON (`time.RFC3339Nano`): the fraction only when it is not zero,
 * without trailing zeros, e.g. `2023-03-30T12:00:00Z`, `2023-03-30T12:00:00.5Z`.
 */
export function toGoRfc3339Nano(date: Date | undefined): string | undefined {
  const iso = toIsoTime(date);
  if (iso === undefined) return undefined;
  let end = iso.length - 1; // iso ends with `.sssZ`
  while (iso.charCodeAt(end - 1) === ZERO) end--;
  if (iso.charCodeAt(end - 1) === DOT) end--;
  return iso.slice(0, end) + 'Z';
}

/** Seconds since the Unix epoch, fractional when the date has milliseconds (as Lambda delivers it). */
export function toEpochSeconds(date: Date | undefined): number | undefined {
  return isValidDate(date) ? date.getTime() / 1000 : undefined;
}

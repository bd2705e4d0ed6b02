const ZERO = 0x30;
const DOT = 0x2e;

function isValidDate(date: Date | undefined): date is Date {
  return date !== undefined && !Number.isNaN(date.getTime());
}

/**
 * The last conversion of each kind: the records of a page mostly share their creation time (AWS rounds
 * it to the second), and Date#toISOString costs about a microsecond.
 */
const lastIso = { ms: NaN, text: '' };
const lastGo = { ms: NaN, text: '' };

/** ISO 8601 in UTC with milliseconds, e.g. `2023-03-30T12:00:00.000Z`. */
export function toIsoTime(date: Date | undefined): string | undefined {
  if (!isValidDate(date)) return undefined;
  const ms = date.getTime();
  if (ms !== lastIso.ms) {
    lastIso.text = date.toISOString();
    lastIso.ms = ms;
  }
  return lastIso.text;
}

/**
 * As Go's `time.Time` marshals to JSON (`time.RFC3339Nano`): the fraction only when it is not zero,
 * without trailing zeros, e.g. `2023-03-30T12:00:00Z`, `2023-03-30T12:00:00.5Z`.
 */
export function toGoRfc3339Nano(date: Date | undefined): string | undefined {
  const iso = toIsoTime(date);
  if (iso === undefined) return undefined;
  if (lastGo.ms === lastIso.ms) return lastGo.text;
  let end = iso.length - 1; // iso ends with `.sssZ`
  while (iso.charCodeAt(end - 1) === ZERO) end--;
  if (iso.charCodeAt(end - 1) === DOT) end--;
  lastGo.text = iso.slice(0, end) + 'Z';
  lastGo.ms = lastIso.ms;
  return lastGo.text;
}

/** Seconds since the Unix epoch, fractional when the date has milliseconds (as Lambda delivers it). */
export function toEpochSeconds(date: Date | undefined): number | undefined {
  return isValidDate(date) ? date.getTime() / 1000 : undefined;
}

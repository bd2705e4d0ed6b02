const HEX_BYTES: readonly string[] = Array.from(
  { length: 256 },
  (_, byte) => '%' + byte.toString(16).toUpperCase().padStart(2, '0'),
);

const SPACE = 0x20;
const DOUBLE_QUOTE = 0x22;
const PERCENT = 0x25;
const TILDE = 0x7e;
const REPLACEMENT_CHARACTER = 0xfffd;

/**
 * Percent-encodes a CloudEvents attribute value for an HTTP header (HTTP protocol binding 1.0.2, 3.1.3.2):
 * space, `"`, `%` and everything outside printable ASCII (U+0021–U+007E) become their UTF-8 bytes as `%XX`.
 */
export function percentEncodeHeaderValue(value: string): string {
  let i = 0;
  while (i < value.length && !mustEncode(value.charCodeAt(i))) i++;
  if (i === value.length) return value;

  let encoded = value.slice(0, i);
  for (; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (!mustEncode(code)) {
      encoded += value[i];
    } else if (code < 0x80) {
      encoded += HEX_BYTES[code];
    } else {
      const codePoint = codePointAt(value, i);
      if (codePoint > 0xffff) i++;
      encoded += utf8PercentEncoded(codePoint);
    }
  }
  return encoded;
}

function mustEncode(code: number): boolean {
  return code <= SPACE || code === DOUBLE_QUOTE || code === PERCENT || code > TILDE;
}

/** The code point at `index`; a lone surrogate counts as U+FFFD, as UTF-8 cannot hold it. */
function codePointAt(value: string, index: number): number {
  const high = value.charCodeAt(index);
  if (high < 0xd800 || high > 0xdfff) return high;
  const low = value.charCodeAt(index + 1);
  if (high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  return REPLACEMENT_CHARACTER;
}

function utf8PercentEncoded(codePoint: number): string {
  if (codePoint < 0x80) return HEX_BYTES[codePoint];
  if (codePoint < 0x800) {
    return HEX_BYTES[0xc0 | (codePoint >> 6)] + HEX_BYTES[0x80 | (codePoint & 0x3f)];
  }
  if (codePoint < 0x10000) {
    return (
      HEX_BYTES[0xe0 | (codePoint >> 12)] +
      HEX_BYTES[0x80 | ((codePoint >> 6) & 0x3f)] +
      HEX_BYTES[0x80 | (codePoint & 0x3f)]
    );
  }
  return (
    HEX_BYTES[0xf0 | (codePoint >> 18)] +
    HEX_BYTES[0x80 | ((codePoint >> 12) & 0x3f)] +
    HEX_BYTES[0x80 | ((codePoint >> 6) & 0x3f)] +
    HEX_BYTES[0x80 | (codePoint & 0x3f)]
  );
}

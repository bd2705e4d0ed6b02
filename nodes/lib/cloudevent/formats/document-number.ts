const ZERO = 0x30;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

interface Decimal {
  negative: boolean;
  /** Significant digits without leading or trailing zeros; empty for zero. */
  digits: string;
  /** Power of ten that the last significant digit stands for. */
  exponent: number;
}

/**
 * A DynamoDB number as JSON: a JS number when that is exact, otherwise the decimal string unchanged.
 * Integers become numbers only within `Number.MAX_SAFE_INTEGER`; other decimals only when the double
 * prints back as the same value (`0.1` does, `0.30000000000000000001` does not).
 */
export function toDocumentNumber(text: string): number | string {
  const value = Number(text);
  if (!Number.isFinite(value)) return text;
  const decimal = parseDecimal(text);
  if (decimal === undefined) return text;
  if (decimal.digits === '') return 0;
  if (decimal.exponent >= 0) return Number.isSafeInteger(value) ? value : text;
  return sameDecimal(decimal, parseDecimal(String(value))) ? value : text;
}

function parseDecimal(text: string): Decimal | undefined {
  const match = DECIMAL.exec(text);
  if (match === null) return undefined;
  const [, sign, integerPart, fractionPart = '', exponentPart = '0'] = match;
  if (integerPart === '' && fractionPart === '') return undefined;
  let digits = integerPart + fractionPart;
  let exponent = Number(exponentPart) - fractionPart.length;
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === ZERO) start++;
  let end = digits.length;
  while (end > start && digits.charCodeAt(end - 1) === ZERO) end--;
  exponent += digits.length - end;
  digits = digits.slice(start, end);
  if (digits === '') return { negative: false, digits, exponent: 0 };
  return { negative: sign === '-', digits, exponent };
}

function sameDecimal(a: Decimal, b: Decimal | undefined): boolean {
  return b !== undefined && a.negative === b.negative && a.digits === b.digits && a.exponent === b.exponent;
}

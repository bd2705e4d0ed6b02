import { InvalidFilterError } from './filter-error';
import type { LeafValue } from './leaf-value';
import { compileNumericRange } from './numeric-range';

export type ValueMatcher = (value: LeafValue) => boolean;

/** `{"exists": false}`: satisfied by the absence of any leaf value at the path, not by a value. */
export const ABSENT = Symbol('absent');

export type RuleItem = ValueMatcher | typeof ABSENT;

/** The extension: `numeric` applied to a string holding a DynamoDB number, such as the `N` of an attribute. */
export const DYNAMODB_NUMERIC = 'dynamodb-numeric';

export const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists', DYNAMODB_NUMERIC] as const;

/** DynamoDB's number syntax (what an `N` string can hold). */
const DYNAMODB_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const anyValue: ValueMatcher = () => true;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function wrongOperand(where: string, operator: string, expected: string, got: unknown): InvalidFilterError {
  return new InvalidFilterError('wrong-operand', where, `${operator} takes ${expected} (got ${shown(got)})`);
}

function exactly(expected: LeafValue): ValueMatcher {
  return (value) => value === expected;
}

function lowerCase(value: LeafValue): string | undefined {
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

/** `{"prefix": "x"}` or `{"prefix": {"equals-ignore-case": "x"}}`, and the same for suffix. */
function compileAffix(operand: unknown, operator: 'prefix' | 'suffix', where: string): ValueMatcher {
  const ignoreCase = isPlainObject(operand) && Object.keys(operand).length === 1 && typeof operand['equals-ignore-case'] === 'string';
  const text = ignoreCase ? (operand as Record<string, string>)['equals-ignore-case'] : operand;
  if (typeof text !== 'string') {
    throw wrongOperand(where, operator, 'a string or {"equals-ignore-case": "…"}', operand);
  }
  const affix = ignoreCase ? text.toLowerCase() : text;
  const test = operator === 'prefix' ? (s: string) => s.startsWith(affix) : (s: string) => s.endsWith(affix);
  return ignoreCase
    ? (value) => typeof value === 'string' && test(value.toLowerCase())
    : (value) => typeof value === 'string' && test(value);
}

function compileEqualsIgnoreCase(operand: unknown, where: string): ValueMatcher {
  if (typeof operand !== 'string') throw wrongOperand(where, 'equals-ignore-case', 'a string', operand);
  const expected = operand.toLowerCase();
  return (value) => lowerCase(value) === expected;
}

function stringList(operand: unknown, allowEmptyStrings: boolean): string[] | undefined {
  const list = Array.isArray(operand) ? operand : [operand];
  if (list.length === 0 || !list.every((s) => typeof s === 'string' && (allowEmptyStrings || s !== ''))) return undefined;
  return list as string[];
}

/** `{"anything-but": {"prefix" | "suffix" | "equals-ignore-case": "x" | ["x", …]}}` */
function compileAnythingButOperator(operand: Record<string, unknown>, where: string): ValueMatcher {
  const keys = Object.keys(operand);
  const inner = keys[0];
  if (keys.length !== 1 || (inner !== 'prefix' && inner !== 'suffix' && inner !== 'equals-ignore-case')) {
    throw new InvalidFilterError(
      'unknown-operator',
      where,
      `anything-but takes values, or one of prefix, suffix, equals-ignore-case (got ${shown(operand)})`,
    );
  }
  const texts = stringList(operand[inner], inner === 'equals-ignore-case');
  if (!texts) throw wrongOperand(where, `anything-but ${inner}`, 'a non-empty string or a list of them', operand[inner]);
  if (inner === 'equals-ignore-case') {
    const excluded = new Set(texts.map((s) => s.toLowerCase()));
    return (value) => !excluded.has(lowerCase(value) as string);
  }
  const matches = inner === 'prefix' ? (s: string, t: string) => s.startsWith(t) : (s: string, t: string) => s.endsWith(t);
  return (value) => typeof value !== 'string' || !texts.some((t) => matches(value, t));
}

/** A value that exists and is not one of the excluded ones (strings and numbers never equal each other). */
function compileAnythingBut(operand: unknown, where: string): ValueMatcher {
  if (isPlainObject(operand)) return compileAnythingButOperator(operand, where);
  const list = Array.isArray(operand) ? operand : [operand];
  const allStrings = list.every((v) => typeof v === 'string');
  const allNumbers = list.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (list.length === 0 || !(allStrings || allNumbers)) {
    throw wrongOperand(where, 'anything-but', 'a string, a number, or a non-empty list of only strings or only numbers', operand);
  }
  const excluded = new Set<LeafValue>(list as LeafValue[]);
  return (value) => !excluded.has(value);
}

function compileExists(operand: unknown, where: string): RuleItem {
  if (operand === true) return anyValue;
  if (operand === false) return ABSENT;
  throw wrongOperand(where, 'exists', 'true or false', operand);
}

function compileDynamoDbNumeric(operand: unknown, where: string): ValueMatcher {
  const test = compileNumericRange(operand, DYNAMODB_NUMERIC, where);
  return (value) => typeof value === 'string' && DYNAMODB_NUMBER.test(value) && test(Number(value));
}

function compileOperator(item: Record<string, unknown>, where: string): RuleItem {
  const keys = Object.keys(item);
  if (keys.length !== 1) {
    throw new InvalidFilterError('wrong-operand', where, `an operator object holds exactly one operator (got ${shown(item)})`);
  }
  const operator = keys[0];
  const operand = item[operator];
  switch (operator) {
    case 'prefix':
    case 'suffix':
      return compileAffix(operand, operator, where);
    case 'equals-ignore-case':
      return compileEqualsIgnoreCase(operand, where);
    case 'anything-but':
      return compileAnythingBut(operand, where);
    case 'numeric': {
      const test = compileNumericRange(operand, 'numeric', where);
      return (value) => typeof value === 'number' && test(value);
    }
    case 'exists':
      return compileExists(operand, where);
    case DYNAMODB_NUMERIC:
      return compileDynamoDbNumeric(operand, where);
    default:
      throw new InvalidFilterError('unknown-operator', where, `unknown operator "${operator}" (known: ${OPERATORS.join(', ')})`);
  }
}

/** One element of a field's list: an exact value (string, number, true, false, null) or an operator object. */
export function compileRuleItem(item: unknown, where: string): RuleItem {
  if (item === null || typeof item === 'string' || typeof item === 'boolean') return exactly(item);
  if (typeof item === 'number' && Number.isFinite(item)) return exactly(item);
  if (isPlainObject(item)) return compileOperator(item, where);
  throw new InvalidFilterError('wrong-operand', where, `a list holds strings, numbers, true, false, null or operator objects (got ${shown(item)})`);
}

import { InvalidFilterError } from './filter-error';
import { patternNode, type FieldRule, type PatternNode } from './pattern-node';
import { ABSENT, compileRuleItem, type ValueMatcher } from './value-matchers';

const OR = '$or';


function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldPath(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function compileList(name: string, list: unknown[], where: string): FieldRule {
  if (list.length === 0) throw new InvalidFilterError('not-a-pattern', where, 'an empty list matches nothing; give at least one value');
  const matchers: ValueMatcher[] = [];
  let matchesAbsence = false;
  for (const item of list) {
    const compiled = compileRuleItem(item, where);
    if (compiled === ABSENT) matchesAbsence = true;
    else matchers.push(compiled);
  }
  return { kind: 'leaf', name, matchers, matchesAbsence };
}

function compileAlternatives(branches: unknown, label: string, path: string): PatternNode[] {
  const where = `${label} ${fieldPath(path, OR)}`;
  if (!Array.isArray(branches) || branches.length < 2 || !branches.every(isPlainObject)) {
    throw new InvalidFilterError('not-a-pattern', where, '$or takes a list of at least two pattern objects');
  }
  return branches.map((branch) => compileObject(branch, label, path));
}

function compileObject(pattern: Record<string, unknown>, label: string, path: string): PatternNode {
  const names = Object.keys(pattern);
  if (names.length === 0) {
    throw new InvalidFilterError('not-a-pattern', `${label} ${path}`.trim(), 'an empty object matches nothing; name at least one field');
  }
  const fields: FieldRule[] = [];
  const alternatives: PatternNode[][] = [];
  for (const name of names) {
    const value = pattern[name];
    if (name === OR) {
      alternatives.push(compileAlternatives(value, label, path));
      continue;
    }
    const where = `${label} ${fieldPath(path, name)}`;
    if (path === '' && name === 'eventSourceARN') {
      throw new InvalidFilterError('unsupported-field', where, 'eventSourceARN cannot be filtered on here: the node reads the stream of the table it is configured with');
    }
    if (Array.isArray(value)) fields.push(compileList(name, value, where));
    else if (isPlainObject(value)) fields.push({ kind: 'nested', name, node: compileObject(value, label, fieldPath(path, name)) });
    else throw new InvalidFilterError('not-a-pattern', where, `a field's pattern is a list of values or an object (got ${JSON.stringify(value)})`);
  }
  return patternNode(fields, alternatives);
}

/** Compiles one pattern object of the `filters` list; `label` names it in errors, e.g. `filters[0]`. */
export function compilePattern(pattern: unknown, label: string): PatternNode {
  if (!isPlainObject(pattern)) {
    throw new InvalidFilterError('not-a-pattern', label, `a pattern is a JSON object such as {"eventName": ["INSERT"]} (got ${JSON.stringify(pattern)})`);
  }
  return compileObject(pattern, label, '');
}

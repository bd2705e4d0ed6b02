import { asLeaf, isNested } from './aws-record-view';
import type { LeafValue } from './leaf-value';
import type { LeafRule, PatternNode } from './pattern-node';

/** Reads a field of the value a pattern level is applied to; the record's top level has its own reader. */
export type FieldReader = (container: unknown, name: string) => unknown;

const hasOwn = Object.prototype.hasOwnProperty;

export const ownField: FieldReader = (container, name) =>
  isNested(container) && hasOwn.call(container, name) ? container[name] : undefined;

/** Leaf values of a list, its nested lists flattened ("crushed out", as EventBridge does); objects are no leaves. */
function leavesOf(list: readonly unknown[], into: LeafValue[] = []): LeafValue[] {
  for (const item of list) {
    if (Array.isArray(item)) leavesOf(item, into);
    else {
      const leaf = asLeaf(item);
      if (leaf !== undefined) into.push(leaf);
    }
  }
  return into;
}

function objectsOf(list: readonly unknown[], into: Record<string, unknown>[] = []): Record<string, unknown>[] {
  for (const item of list) {
    if (Array.isArray(item)) objectsOf(item, into);
    else if (isNested(item)) into.push(item);
  }
  return into;
}

function anyMatcher(rule: LeafRule, leaf: LeafValue): boolean {
  for (const matcher of rule.matchers) if (matcher(leaf)) return true;
  return false;
}

function hasLeaf(value: unknown): boolean {
  if (Array.isArray(value)) return leavesOf(value).length > 0;
  return value !== undefined && asLeaf(value) !== undefined;
}

function leafRuleHolds(rule: LeafRule, value: unknown): boolean {
  if (Array.isArray(value)) {
    const leaves = leavesOf(value);
    if (leaves.length === 0) return rule.matchesAbsence;
    return leaves.some((leaf) => anyMatcher(rule, leaf));
  }
  const leaf = value === undefined ? undefined : asLeaf(value);
  return leaf === undefined ? rule.matchesAbsence : anyMatcher(rule, leaf);
}

function holdsAcrossElements(node: PatternNode, elements: readonly Record<string, unknown>[]): boolean {
  if (elements.length === 0) return matchesNode(node, undefined, ownField);
  for (const rule of node.absentFromEveryElement) {
    if (elements.some((element) => hasLeaf(ownField(element, rule.name)))) return false;
  }
  const rest = node.inOneElement;
  return rest === undefined || elements.some((element) => matchesNode(rest, element, ownField));
}

function nestedHolds(node: PatternNode, value: unknown): boolean {
  if (Array.isArray(value)) return holdsAcrossElements(node, objectsOf(value));
  return matchesNode(node, isNested(value) ? value : undefined, ownField);
}

/** Whether `container` (undefined: nothing there) satisfies one level of a pattern and everything below it. */
export function matchesNode(node: PatternNode, container: unknown, read: FieldReader): boolean {
  for (const rule of node.fields) {
    const value = read(container, rule.name);
    const holds = rule.kind === 'leaf' ? leafRuleHolds(rule, value) : nestedHolds(rule.node, value);
    if (!holds) return false;
  }
  for (const branches of node.alternatives) {
    if (!branches.some((branch) => matchesNode(branch, container, read))) return false;
  }
  return true;
}

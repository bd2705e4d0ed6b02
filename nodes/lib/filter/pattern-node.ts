import type { ValueMatcher } from './value-matchers';

/** A field whose pattern is a list: satisfied by one of its values, or by its absence with `{"exists": false}`. */
export interface LeafRule {
  readonly kind: 'leaf';
  readonly name: string;
  readonly matchers: readonly ValueMatcher[];
  readonly matchesAbsence: boolean;
}

/** A field whose pattern is an object: the pattern of the nested object. */
export interface NestedRule {
  readonly kind: 'nested';
  readonly name: string;
  readonly node: PatternNode;
}

export type FieldRule = LeafRule | NestedRule;

/** One level of a pattern: every field rule holds, and in each `$or` one of its branches does. */
export interface PatternNode {
  readonly fields: readonly FieldRule[];
  readonly alternatives: readonly (readonly PatternNode[])[];
  /** Applied to the elements of a list, fields that only ask for absence must be absent from every element… */
  readonly absentFromEveryElement: readonly LeafRule[];
  /** …and the others must hold together in one element (none left: undefined). */
  readonly inOneElement: PatternNode | undefined;
}

function isOnlyAbsence(rule: FieldRule): rule is LeafRule {
  return rule.kind === 'leaf' && rule.matchesAbsence && rule.matchers.length === 0;
}

export function patternNode(fields: readonly FieldRule[], alternatives: readonly (readonly PatternNode[])[]): PatternNode {
  const absentFromEveryElement = fields.filter(isOnlyAbsence);
  if (absentFromEveryElement.length === 0) {
    const node: { -readonly [K in keyof PatternNode]: PatternNode[K] } = { fields, alternatives, absentFromEveryElement, inOneElement: undefined };
    node.inOneElement = node;
    return node;
  }
  const rest = fields.filter((rule) => !isOnlyAbsence(rule));
  const inOneElement = rest.length === 0 && alternatives.length === 0 ? undefined : patternNode(rest, alternatives);
  return { fields, alternatives, absentFromEveryElement, inOneElement };
}

import type { FilterProblem } from '../../nodes/lib/filter';

/** `filters` values both the engine and the editor's validator must refuse, with the reason they must name. */
export const INVALID_FILTERS: ReadonlyArray<{ filters: unknown; problem: FilterProblem; why: string }> = [
  { filters: 'eventName = INSERT', problem: 'not-json', why: 'not JSON' },
  { filters: '[{"eventName": ["INSERT"]', problem: 'not-json', why: 'unbalanced JSON' },
  { filters: '{"eventName": ["INSERT"]}', problem: 'not-a-list', why: 'one pattern, not a list of them' },
  { filters: '["INSERT"]', problem: 'not-a-pattern', why: 'a string where a pattern object belongs' },
  { filters: '[{}]', problem: 'not-a-pattern', why: 'an empty pattern' },
  { filters: '[{"eventName": "INSERT"}]', problem: 'not-a-pattern', why: 'a field value that is neither a list nor an object' },
  { filters: '[{"eventName": []}]', problem: 'not-a-pattern', why: 'an empty list' },
  { filters: '[{"dynamodb": {"NewImage": {}}}]', problem: 'not-a-pattern', why: 'an empty nested object' },
  { filters: '[{"$or": [{"eventName": ["INSERT"]}]}]', problem: 'not-a-pattern', why: '$or with one branch' },
  { filters: '[{"eventName": [{"starts-with": "IN"}]}]', problem: 'unknown-operator', why: 'an operator Lambda does not have' },
  { filters: '[{"eventName": [{"wildcard": "IN*"}]}]', problem: 'unknown-operator', why: 'wildcard, not among the operators Lambda documents' },
  { filters: '[{"a": [{"anything-but": {"wildcard": "x*"}}]}]', problem: 'unknown-operator', why: 'anything-but with an unknown inner operator' },
  { filters: '[{"a": [{"numeric": ["<", 5, ">", 1]}]}]', problem: 'wrong-operand', why: 'numeric range upper bound first' },
  { filters: '[{"a": [{"numeric": [">", "10"]}]}]', problem: 'wrong-operand', why: 'numeric bound given as a string' },
  { filters: '[{"a": [{"numeric": [">", 20, "<", 10]}]}]', problem: 'wrong-operand', why: 'an empty numeric range' },
  { filters: '[{"a": [{"numeric": ["!=", 10]}]}]', problem: 'wrong-operand', why: 'an unknown numeric operator' },
  { filters: '[{"a": [{"dynamodb-numeric": [">"]}]}]', problem: 'wrong-operand', why: 'dynamodb-numeric without a bound' },
  { filters: '[{"a": [{"prefix": 5}]}]', problem: 'wrong-operand', why: 'prefix of a number' },
  { filters: '[{"a": [{"suffix": {"equals-ignore-case": 5}}]}]', problem: 'wrong-operand', why: 'suffix equals-ignore-case of a number' },
  { filters: '[{"a": [{"equals-ignore-case": ["x"]}]}]', problem: 'wrong-operand', why: 'equals-ignore-case of a list' },
  { filters: '[{"a": [{"exists": "yes"}]}]', problem: 'wrong-operand', why: 'exists with a string' },
  { filters: '[{"a": [{"anything-but": ["x", 1]}]}]', problem: 'wrong-operand', why: 'anything-but mixing strings and numbers' },
  { filters: '[{"a": [{"anything-but": []}]}]', problem: 'wrong-operand', why: 'anything-but of nothing' },
  { filters: '[{"a": [{"anything-but": {"prefix": ""}}]}]', problem: 'wrong-operand', why: 'anything-but an empty prefix' },
  { filters: '[{"a": [{"prefix": "a", "suffix": "b"}]}]', problem: 'wrong-operand', why: 'two operators in one object' },
  { filters: '[{"a": [["x"]]}]', problem: 'wrong-operand', why: 'a list inside a list' },
  { filters: '[{"eventSourceARN": ["arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x"]}]', problem: 'unsupported-field', why: 'eventSourceARN' },
  { filters: '[{"$or": [{"eventSourceARN": ["x"]}, {"eventName": ["INSERT"]}]}]', problem: 'unsupported-field', why: 'eventSourceARN in a top-level $or' },
  { filters: JSON.stringify(Array.from({ length: 11 }, () => ({ eventName: ['INSERT'] }))), problem: 'limit', why: '11 patterns' },
  { filters: JSON.stringify([{ eventID: ['x'.repeat(4100)] }]), problem: 'limit', why: 'a pattern over 4096 characters' },
];

/** `filters` values both accept. */
export const VALID_FILTERS: readonly unknown[] = [
  '',
  '   ',
  '[]',
  [{ eventName: ['INSERT'] }],
  '[{"eventName": ["INSERT", "MODIFY"], "dynamodb": {"NewImage": {"status": {"S": [{"prefix": "ship"}]}, "coupon": {"S": [{"exists": false}]}}}}]',
  '[{"dynamodb": {"NewImage": {"total": {"N": [{"dynamodb-numeric": [">=", 100, "<", 1000]}]}}}}, {"eventName": ["REMOVE"]}]',
  '[{"$or": [{"eventName": ["REMOVE"]}, {"dynamodb": {"Keys": {"pk": {"S": [{"anything-but": {"prefix": "test-"}}]}}}}]}]',
  '[{"a": [null, "", true, 1.5, {"suffix": {"equals-ignore-case": ".PNG"}}, {"anything-but": {"equals-ignore-case": ["X", "Y"]}}, {"numeric": ["=", 3]}]}]',
];

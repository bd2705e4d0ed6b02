import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { awsRecordField } from './aws-record-view';
import { InvalidFilterError } from './filter-error';
import { compilePattern } from './pattern-compiler';
import { matchesNode } from './pattern-matcher';
import type { PatternNode } from './pattern-node';

/** Lambda's limits: 5 filters per event source mapping, 10 with a quota increase; a `Pattern` of at most 4096 characters. */
export const MAX_PATTERNS = 10;
export const MAX_PATTERN_LENGTH = 4096;

function parseList(value: unknown): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  let list = value;
  if (typeof value === 'string') {
    if (value.trim() === '') return undefined;
    try {
      list = JSON.parse(value);
    } catch (error) {
      throw new InvalidFilterError('not-json', 'filters', `not JSON (${(error as Error).message})`);
    }
  }
  if (!Array.isArray(list)) {
    throw new InvalidFilterError('not-a-list', 'filters', 'must be a JSON list of patterns, e.g. [{"eventName": ["INSERT"]}]');
  }
  return list;
}

/** Lambda event-filter patterns for DynamoDB records, compiled once: a record passes when it matches any. */
export class RecordFilter {
  private constructor(private readonly patterns: readonly PatternNode[]) {}

  /**
   * The node's `filters` property: a JSON string (as the editor saves it) or a list (as a flow file
   * may hold it). Undefined when there are no patterns: every record passes.
   */
  static fromProperty(value: unknown): RecordFilter | undefined {
    const list = parseList(value);
    if (!list || list.length === 0) return undefined;
    if (list.length > MAX_PATTERNS) {
      throw new InvalidFilterError('limit', 'filters', `at most ${MAX_PATTERNS} patterns, as Lambda allows (got ${list.length})`);
    }
    const patterns = list.map((pattern, i) => {
      const label = `filters[${i}]`;
      const length = JSON.stringify(pattern)?.length ?? 0;
      if (length > MAX_PATTERN_LENGTH) {
        throw new InvalidFilterError('limit', label, `a pattern has at most ${MAX_PATTERN_LENGTH} characters, as in Lambda (got ${length})`);
      }
      return compilePattern(pattern, label);
    });
    return new RecordFilter(patterns);
  }

  matches(record: _Record): boolean {
    for (const pattern of this.patterns) if (matchesNode(pattern, record, awsRecordField)) return true;
    return false;
  }
}

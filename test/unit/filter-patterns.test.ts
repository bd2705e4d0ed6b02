import assert from 'node:assert/strict';
import type { _Record, AttributeValue } from '@aws-sdk/client-dynamodb-streams';
import { InvalidFilterError, RecordFilter } from '../../nodes/lib/filter';
import { INVALID_FILTERS, VALID_FILTERS } from '../support/filter-cases';

/** Where each expectation comes from (README, section "Filters", writes the same down). */
const SOURCE = {
  syntax: 'Lambda Developer Guide, "Control which events Lambda sends to your function", Filter rule syntax (comparison operator table)',
  basics: 'Lambda Developer Guide, same page, Filter basics: the event must contain every field a pattern names',
  duplicateKeys: 'Lambda Developer Guide, same page, Duplicate keys: the last value of a key is used',
  ddbFiltering: 'Lambda Developer Guide, "Using event filtering with a DynamoDB event source" (Keys, NewImage/OldImage, Exists operator on lists)',
  ddbNumbers: 'DynamoDB Developer Guide, "Tutorial #2: Using filters…", Note: numeric options do not apply, numbers in DynamoDB are strings',
  ebNumeric: 'EventBridge User Guide, "Content filtering", Numeric matching: works with values that are JSON numbers',
  ebPrefixSuffix: 'EventBridge User Guide, "Content filtering", Prefix / Suffix matching: string values',
  ebIgnoreCase: 'EventBridge User Guide, "Content filtering", Equals-ignore-case matching',
  ebAnythingBut: 'EventBridge User Guide, "Content filtering", Anything-but matching',
  ebExists: 'EventBridge User Guide, "Content filtering", Exists matching: only works on leaf nodes',
  ebOr: 'EventBridge User Guide, "Content filtering", Complex example with $or matching',
  ebNull: 'EventBridge User Guide, "Matching null values and empty strings": not interchangeable',
  ebArrays: 'EventBridge User Guide, "Arrays in event patterns": an event array matches when it intersects the pattern list',
  ruler: 'aws/event-ruler README (EventBridge\'s matching library): prefix/suffix equals-ignore-case, anything-but suffix/equals-ignore-case, array-consistent matching',
  recordShape: 'Lambda Developer Guide, DynamoDB example event: ApproximateCreationDateTime in epoch seconds, binary as base64, userIdentity {type, principalId} on TTL deletes',
  extension: 'this package\'s README, Filters, Extension: dynamodb-numeric',
} as const;

type Image = Record<string, AttributeValue>;

/** A record as the SDK (or the fast path) hands it over: a Date, binary as bytes, PascalCase userIdentity. */
function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', images: { keys?: Image; newImage?: Image; oldImage?: Image; ttl?: boolean } = {}): _Record {
  return {
    eventID: 'e1',
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    dynamodb: {
      ApproximateCreationDateTime: new Date(1_700_000_000_000),
      Keys: images.keys ?? { pk: { S: 'order-1' } },
      ...(images.newImage ? { NewImage: images.newImage } : {}),
      ...(images.oldImage ? { OldImage: images.oldImage } : {}),
      SequenceNumber: '100',
      SizeBytes: 120,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    ...(images.ttl ? { userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' } } : {}),
  };
}

const order: Image = {
  pk: { S: 'order-1' },
  status: { S: 'shipped' },
  total: { N: '150' },
  customer: { S: 'Alice' },
  file: { S: 'invoice.png' },
  note: { NULL: true },
  empty: { S: '' },
  express: { BOOL: true },
  tags: { SS: ['blue', 'red'] },
  organizations: { L: [{ S: 'Sales' }, { S: 'Marketing' }] },
  blob: { B: new Uint8Array([1, 2, 3]) },
};
const INSERT = record('INSERT', { newImage: order });
const MODIFY = record('MODIFY', { newImage: { ...order, status: { S: 'pending' } }, oldImage: order });
const REMOVE = record('REMOVE', { oldImage: order });
const TTL_REMOVE = record('REMOVE', { oldImage: order, ttl: true });
/** A JSON null leaf: DynamoDB records have none (absent fields are left out), so only a hand-made record shows `[null]` matching. */
const WITH_JSON_NULL = { ...INSERT, eventVersion: null } as unknown as _Record;

const newImage = (attributes: Record<string, unknown>): unknown => ({ dynamodb: { NewImage: attributes } });

interface Row {
  readonly case: string;
  readonly pattern: unknown;
  readonly record: _Record;
  readonly matches: boolean;
  readonly source: string;
}

const ROWS: Row[] = [
  // Equals, Or, And
  { case: 'equals: eventName INSERT', pattern: { eventName: ['INSERT'] }, record: INSERT, matches: true, source: SOURCE.syntax },
  { case: 'equals: eventName INSERT, record MODIFY', pattern: { eventName: ['INSERT'] }, record: MODIFY, matches: false, source: SOURCE.syntax },
  { case: 'or: a list of values', pattern: { eventName: ['INSERT', 'MODIFY'] }, record: MODIFY, matches: true, source: SOURCE.syntax },
  { case: 'or: none of the values', pattern: { eventName: ['INSERT', 'MODIFY'] }, record: REMOVE, matches: false, source: SOURCE.syntax },
  { case: 'and: both fields hold', pattern: { eventName: ['INSERT'], ...(newImage({ status: { S: ['shipped'] } }) as object) }, record: INSERT, matches: true, source: SOURCE.syntax },
  { case: 'and: one field fails', pattern: { eventName: ['MODIFY'], ...(newImage({ status: { S: ['shipped'] } }) as object) }, record: MODIFY, matches: false, source: SOURCE.syntax },
  { case: '$or across fields', pattern: { $or: [{ eventName: ['REMOVE'] }, newImage({ status: { S: ['shipped'] } })] }, record: INSERT, matches: true, source: SOURCE.ebOr },
  { case: '$or: no branch holds', pattern: { $or: [{ eventName: ['REMOVE'] }, newImage({ status: { S: ['lost'] } })] }, record: INSERT, matches: false, source: SOURCE.ebOr },
  { case: 'keys: the partition key', pattern: { dynamodb: { Keys: { pk: { S: ['order-1'] } } } }, record: REMOVE, matches: true, source: SOURCE.ddbFiltering },
  { case: 'OldImage on a MODIFY', pattern: { dynamodb: { OldImage: { status: { S: ['shipped'] } } } }, record: MODIFY, matches: true, source: SOURCE.ddbFiltering },
  { case: 'metadata: eventSource and awsRegion', pattern: { eventSource: ['aws:dynamodb'], awsRegion: ['eu-west-1'] }, record: INSERT, matches: true, source: SOURCE.syntax },
  // Strings
  { case: 'prefix', pattern: newImage({ status: { S: [{ prefix: 'ship' }] } }), record: INSERT, matches: true, source: SOURCE.ebPrefixSuffix },
  { case: 'prefix is case-sensitive', pattern: newImage({ status: { S: [{ prefix: 'SHIP' }] } }), record: INSERT, matches: false, source: SOURCE.ebPrefixSuffix },
  { case: 'prefix equals-ignore-case', pattern: newImage({ status: { S: [{ prefix: { 'equals-ignore-case': 'SHIP' } }] } }), record: INSERT, matches: true, source: SOURCE.ruler },
  { case: 'suffix', pattern: newImage({ file: { S: [{ suffix: '.png' }] } }), record: INSERT, matches: true, source: SOURCE.ebPrefixSuffix },
  { case: 'suffix equals-ignore-case', pattern: newImage({ file: { S: [{ suffix: { 'equals-ignore-case': '.PNG' } }] } }), record: INSERT, matches: true, source: SOURCE.ruler },
  { case: 'equals-ignore-case', pattern: newImage({ customer: { S: [{ 'equals-ignore-case': 'ALICE' }] } }), record: INSERT, matches: true, source: SOURCE.ebIgnoreCase },
  { case: 'exact match is case-sensitive', pattern: newImage({ customer: { S: ['alice'] } }), record: INSERT, matches: false, source: SOURCE.syntax },
  // anything-but
  { case: 'anything-but a list: another value', pattern: newImage({ status: { S: [{ 'anything-but': ['cancelled', 'failed'] }] } }), record: INSERT, matches: true, source: SOURCE.ebAnythingBut },
  { case: 'anything-but a list: an excluded value', pattern: newImage({ status: { S: [{ 'anything-but': ['shipped', 'failed'] }] } }), record: INSERT, matches: false, source: SOURCE.ebAnythingBut },
  { case: 'anything-but a single value', pattern: { eventName: [{ 'anything-but': 'REMOVE' }] }, record: INSERT, matches: true, source: SOURCE.ebAnythingBut },
  { case: 'anything-but needs the field: absent attribute', pattern: newImage({ coupon: { S: [{ 'anything-but': ['x'] }] } }), record: INSERT, matches: false, source: SOURCE.basics },
  { case: 'anything-but prefix: excluded', pattern: { dynamodb: { Keys: { pk: { S: [{ 'anything-but': { prefix: 'order-' } }] } } } }, record: INSERT, matches: false, source: SOURCE.ebAnythingBut },
  { case: 'anything-but prefix: another prefix', pattern: { dynamodb: { Keys: { pk: { S: [{ 'anything-but': { prefix: 'test-' } }] } } } }, record: INSERT, matches: true, source: SOURCE.ebAnythingBut },
  { case: 'anything-but suffix', pattern: newImage({ file: { S: [{ 'anything-but': { suffix: ['.png', '.jpg'] } }] } }), record: INSERT, matches: false, source: SOURCE.ruler },
  { case: 'anything-but equals-ignore-case', pattern: newImage({ customer: { S: [{ 'anything-but': { 'equals-ignore-case': 'ALICE' } }] } }), record: INSERT, matches: false, source: SOURCE.ruler },
  // Numbers
  { case: 'numeric =, on a JSON number (SizeBytes)', pattern: { dynamodb: { SizeBytes: [{ numeric: ['=', 120] }] } }, record: INSERT, matches: true, source: SOURCE.syntax },
  { case: 'numeric range > 100 <= 200 (SizeBytes)', pattern: { dynamodb: { SizeBytes: [{ numeric: ['>', 100, '<=', 200] }] } }, record: INSERT, matches: true, source: SOURCE.syntax },
  { case: 'numeric range, outside', pattern: { dynamodb: { SizeBytes: [{ numeric: ['>=', 121] }] } }, record: INSERT, matches: false, source: SOURCE.syntax },
  { case: 'numeric <', pattern: { dynamodb: { SizeBytes: [{ numeric: ['<', 121] }] } }, record: INSERT, matches: true, source: SOURCE.syntax },
  { case: 'an exact number matches a JSON number', pattern: { dynamodb: { SizeBytes: [120] } }, record: INSERT, matches: true, source: SOURCE.syntax },
  { case: 'numeric on ApproximateCreationDateTime in epoch seconds', pattern: { dynamodb: { ApproximateCreationDateTime: [{ numeric: ['>=', 1_700_000_000] }] } }, record: INSERT, matches: true, source: SOURCE.recordShape },
  { case: 'surprise: numeric never matches an N value, a string', pattern: newImage({ total: { N: [{ numeric: ['>', 100] }] } }), record: INSERT, matches: false, source: SOURCE.ddbNumbers },
  { case: 'surprise: numeric = on an N value', pattern: newImage({ total: { N: [{ numeric: ['=', 150] }] } }), record: INSERT, matches: false, source: SOURCE.ebNumeric },
  { case: 'an N value matches its string', pattern: newImage({ total: { N: ['150'] } }), record: INSERT, matches: true, source: SOURCE.ddbFiltering },
  { case: 'surprise: an N value does not match the number 150', pattern: newImage({ total: { N: [150] } }), record: INSERT, matches: false, source: SOURCE.ddbNumbers },
  { case: 'extension: dynamodb-numeric compares the N value', pattern: newImage({ total: { N: [{ 'dynamodb-numeric': ['>', 100, '<=', 150] }] } }), record: INSERT, matches: true, source: SOURCE.extension },
  { case: 'extension: dynamodb-numeric, outside the range', pattern: newImage({ total: { N: [{ 'dynamodb-numeric': ['<', 150] }] } }), record: INSERT, matches: false, source: SOURCE.extension },
  { case: 'extension: dynamodb-numeric ignores JSON numbers', pattern: { dynamodb: { SizeBytes: [{ 'dynamodb-numeric': ['>', 0] }] } }, record: INSERT, matches: false, source: SOURCE.extension },
  { case: 'extension: dynamodb-numeric ignores strings that are no number', pattern: newImage({ status: { S: [{ 'dynamodb-numeric': ['>', 0] }] } }), record: INSERT, matches: false, source: SOURCE.extension },
  // exists
  { case: 'exists true on a leaf', pattern: newImage({ status: { S: [{ exists: true }] } }), record: INSERT, matches: true, source: SOURCE.ebExists },
  { case: 'exists true, attribute absent', pattern: newImage({ coupon: { S: [{ exists: true }] } }), record: INSERT, matches: false, source: SOURCE.ebExists },
  { case: 'exists false, attribute absent', pattern: newImage({ coupon: { S: [{ exists: false }] } }), record: INSERT, matches: true, source: SOURCE.ebExists },
  { case: 'exists false, attribute present', pattern: newImage({ status: { S: [{ exists: false }] } }), record: INSERT, matches: false, source: SOURCE.ebExists },
  { case: 'surprise: exists true on an attribute (not a leaf) never matches', pattern: newImage({ status: [{ exists: true }] }), record: INSERT, matches: false, source: SOURCE.ebExists },
  { case: 'surprise: exists false on an attribute that is there matches', pattern: newImage({ status: [{ exists: false }] }), record: INSERT, matches: true, source: SOURCE.ebExists },
  { case: 'exists false: no OldImage on an INSERT', pattern: { dynamodb: { OldImage: { status: { S: [{ exists: false }] } } } }, record: INSERT, matches: true, source: SOURCE.ebExists },
  { case: 'exists on the strings of a list (L)', pattern: newImage({ organizations: { L: { S: [{ exists: true }] } } }), record: INSERT, matches: true, source: SOURCE.ddbFiltering },
  { case: 'surprise: exists on the list attribute itself', pattern: newImage({ organizations: [{ exists: true }] }), record: INSERT, matches: false, source: SOURCE.ddbFiltering },
  { case: 'exists false on list elements: a string is there', pattern: newImage({ organizations: { L: { S: [{ exists: false }] } } }), record: INSERT, matches: false, source: SOURCE.ebExists },
  // null, empty, booleans, lists, sets, binary
  { case: 'null matches a JSON null', pattern: { eventVersion: [null] }, record: WITH_JSON_NULL, matches: true, source: SOURCE.syntax },
  { case: 'surprise: null does not match a DynamoDB NULL attribute', pattern: newImage({ note: [null] }), record: INSERT, matches: false, source: SOURCE.ebNull },
  { case: 'a DynamoDB NULL is {"NULL": true}', pattern: newImage({ note: { NULL: [true] } }), record: INSERT, matches: true, source: SOURCE.syntax },
  { case: 'empty string', pattern: newImage({ empty: { S: [''] } }), record: INSERT, matches: true, source: SOURCE.syntax },
  { case: 'empty string does not match null', pattern: { eventVersion: [''] }, record: WITH_JSON_NULL, matches: false, source: SOURCE.ebNull },
  { case: 'null does not match an empty string', pattern: newImage({ empty: { S: [null] } }), record: INSERT, matches: false, source: SOURCE.ebNull },
  { case: 'BOOL true', pattern: newImage({ express: { BOOL: [true] } }), record: INSERT, matches: true, source: SOURCE.syntax },
  { case: 'BOOL true is not the string "true"', pattern: newImage({ express: { BOOL: ['true'] } }), record: INSERT, matches: false, source: SOURCE.syntax },
  { case: 'a string set intersects the list', pattern: newImage({ tags: { SS: ['red', 'green'] } }), record: INSERT, matches: true, source: SOURCE.ebArrays },
  { case: 'a string set without a common value', pattern: newImage({ tags: { SS: ['green'] } }), record: INSERT, matches: false, source: SOURCE.ebArrays },
  { case: 'a value inside a list (L)', pattern: newImage({ organizations: { L: { S: ['Sales'] } } }), record: INSERT, matches: true, source: SOURCE.ebArrays },
  { case: 'binary is matched as base64', pattern: newImage({ blob: { B: ['AQID'] } }), record: INSERT, matches: true, source: SOURCE.recordShape },
  { case: 'TTL deletes: userIdentity', pattern: { userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] } }, record: TTL_REMOVE, matches: true, source: SOURCE.recordShape },
  { case: 'userIdentity absent on a user delete', pattern: { userIdentity: { type: ['Service'] } }, record: REMOVE, matches: false, source: SOURCE.basics },
  { case: 'a field the record lacks', pattern: { eventname: ['INSERT'] }, record: INSERT, matches: false, source: SOURCE.basics },
  { case: 'a pattern deeper than the record', pattern: { eventName: { S: ['INSERT'] } }, record: INSERT, matches: false, source: SOURCE.basics },
];

describe('filters: Lambda event-filter patterns against DynamoDB records (table, sources in each row)', () => {
  for (const row of ROWS) {
    it(`${row.matches ? 'matches' : 'does not match'}: ${row.case} [${row.source}]`, () => {
      const filter = RecordFilter.fromProperty([row.pattern]);
      assert.ok(filter);
      assert.equal(filter.matches(row.record), row.matches, JSON.stringify(row.pattern));
    });
  }
});

describe('filters: the list of patterns', () => {
  it('passes a record that matches any pattern, and only those', () => {
    const filter = RecordFilter.fromProperty('[{"eventName": ["REMOVE"]}, {"dynamodb": {"NewImage": {"status": {"S": ["shipped"]}}}}]');
    assert.ok(filter);
    assert.deepEqual([INSERT, MODIFY, REMOVE].map((r) => filter.matches(r)), [true, false, true]);
  });

  it('has no filter for an empty property, blank text or an empty list: every record passes', () => {
    for (const empty of [undefined, '', '  ', '[]', []]) assert.equal(RecordFilter.fromProperty(empty), undefined);
  });

  it('takes the last of duplicate keys, as Lambda does [' + SOURCE.duplicateKeys + ']', () => {
    const filter = RecordFilter.fromProperty('[{"eventName": ["INSERT"], "eventName": ["REMOVE"]}]');
    assert.deepEqual([INSERT, REMOVE].map((r) => filter!.matches(r)), [false, true]);
  });

  it('accepts every valid case the editor accepts', () => {
    for (const filters of VALID_FILTERS) assert.doesNotThrow(() => RecordFilter.fromProperty(filters), JSON.stringify(filters));
  });

  for (const bad of INVALID_FILTERS) {
    it(`refuses ${bad.why} as ${bad.problem}, naming where`, () => {
      assert.throws(
        () => RecordFilter.fromProperty(bad.filters),
        (error: unknown) => error instanceof InvalidFilterError && error.problem === bad.problem && /filters/.test(error.message),
      );
    });
  }

  it('names the pattern and the path of a wrong operand', () => {
    assert.throws(
      () => RecordFilter.fromProperty('[{"eventName": ["INSERT"]}, {"dynamodb": {"NewImage": {"total": {"N": [{"numeric": ["<", 5, ">", 1]}]}}}}]'),
      /^InvalidFilterError: filters\[1\] dynamodb\.NewImage\.total\.N: numeric takes/,
    );
  });
});

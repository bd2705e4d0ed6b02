export { InvalidFilterError, type FilterProblem } from './filter-error';
export { RecordFilter, MAX_PATTERNS, MAX_PATTERN_LENGTH } from './record-filter';
export { DYNAMODB_NUMERIC, OPERATORS } from './value-matchers';

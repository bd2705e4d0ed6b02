export { InvalidFilterError, type FilterProblem } from './filter-error';
export { RecordFilter } from './record-filter';

/** Why a `filters` value was refused; the editor's validator names the same reasons. */
export type FilterProblem =
  | 'not-json'
  | 'not-a-list'
  | 'not-a-pattern'
  | 'unknown-operator'
  | 'wrong-operand'
  | 'unsupported-field'
  | 'limit';

export class InvalidFilterError extends Error {
  constructor(
    readonly problem: FilterProblem,
    /** Where in the value, e.g. `filters[1] dynamodb.NewImage.total.N`; empty for the whole value. */
    readonly where: string,
    readonly detail: string,
  ) {
    super(where ? `${where}: ${detail}` : detail);
    this.name = 'InvalidFilterError';
  }
}

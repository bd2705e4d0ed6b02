import { InvalidFilterError } from './filter-error';

/** A compiled `numeric` operand: `["=", n]`, `[">"|">=", n]`, `["<"|"<=", n]` or `[">"|">=", n, "<"|"<=", m]`. */
export type NumberTest = (value: number) => boolean;

const SHAPES = '["=", 100], [">", 10], ["<=", 20] or [">", 10, "<=", 20]';

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function lowerBound(operator: unknown, bound: number): NumberTest | undefined {
  if (operator === '>') return (value) => value > bound;
  if (operator === '>=') return (value) => value >= bound;
  return undefined;
}

function upperBound(operator: unknown, bound: number): NumberTest | undefined {
  if (operator === '<') return (value) => value < bound;
  if (operator === '<=') return (value) => value <= bound;
  return undefined;
}

export function compileNumericRange(operand: unknown, operatorName: string, where: string): NumberTest {
  const wrong = (): InvalidFilterError =>
    new InvalidFilterError('wrong-operand', where, `${operatorName} takes ${SHAPES} (got ${JSON.stringify(operand)})`);
  if (!Array.isArray(operand)) throw wrong();
  const [first, firstBound, second, secondBound] = operand as unknown[];
  if (!isNumber(firstBound)) throw wrong();
  if (operand.length === 2) {
    if (first === '=') return (value) => value === firstBound;
    const single = lowerBound(first, firstBound) ?? upperBound(first, firstBound);
    if (single) return single;
    throw wrong();
  }
  if (operand.length !== 4 || !isNumber(secondBound)) throw wrong();
  const lower = lowerBound(first, firstBound);
  const upper = upperBound(second, secondBound);
  if (!lower || !upper) throw wrong();
  if (firstBound >= secondBound) {
    throw new InvalidFilterError('wrong-operand', where, `${operatorName} range is empty: ${firstBound} is not below ${secondBound}`);
  }
  return (value) => lower(value) && upper(value);
}

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { InvalidFilterError, RecordFilter } from '../../nodes/lib/filter';
import { INVALID_FILTERS, VALID_FILTERS } from '../support/filter-cases';

type CheckFilters = (value: unknown) => { problem: string; where: string } | null;

/** A validator the editor runs in the browser, taken from the node's .html between its markers. */
function editorValidator(name = 'checkFilters'): CheckFilters {
  const html = readFileSync(path.resolve(__dirname, '..', '..', 'nodes', 'dynamodb-stream-source.html'), 'utf8');
  const match = /\/\/ filters-validator:begin[^\n]*\n([\s\S]*?)\/\/ filters-validator:end/.exec(html);
  assert.ok(match, 'the .html marks its filters validator');
  return vm.runInNewContext(`${match[1]}\n${name};`) as CheckFilters;
}

function engineProblem(filters: unknown): string | null {
  try {
    RecordFilter.fromProperty(filters);
    return null;
  } catch (error) {
    if (error instanceof InvalidFilterError) return error.problem;
    throw error;
  }
}

describe("filters: the editor's validator (in the .html) and the engine refuse the same values for the same reasons", () => {
  const checkFilters = editorValidator();

  for (const bad of INVALID_FILTERS) {
    it(`both refuse ${bad.why}: ${bad.problem}`, () => {
      assert.equal(engineProblem(bad.filters), bad.problem, 'engine');
      assert.equal(checkFilters(bad.filters)?.problem, bad.problem, 'editor');
    });
  }

  for (const good of VALID_FILTERS) {
    it(`both accept ${JSON.stringify(good).slice(0, 80)}`, () => {
      assert.equal(engineProblem(good), null, 'engine');
      assert.equal(checkFilters(good), null, 'editor');
    });
  }

  it('name the same place: the pattern and the path', () => {
    const filters = '[{"eventName": ["INSERT"]}, {"dynamodb": {"NewImage": {"total": {"N": [{"numeric": [">", "1"]}]}}}}]';
    assert.equal(checkFilters(filters)?.where, 'filters[1] dynamodb.NewImage.total.N');
    assert.throws(() => RecordFilter.fromProperty(filters), (error: unknown) => (error as InvalidFilterError).where === 'filters[1] dynamodb.NewImage.total.N');
  });

  it('leave a value with an ${ENV} reference to the runtime, which checks it once Node-RED substituted it', () => {
    const checkField = editorValidator('checkFiltersField');
    assert.equal(checkField('${DDB_FILTERS}'), null, 'the field accepts it');
    assert.equal(JSON.stringify(checkField('not json')), JSON.stringify(checkFilters('not json')), 'anything else as checkFilters');
    assert.equal(checkFilters('${DDB_FILTERS}')?.problem, 'not-json');
    assert.equal(engineProblem('${DDB_FILTERS}'), 'not-json', 'unsubstituted, the engine refuses it');
  });
});

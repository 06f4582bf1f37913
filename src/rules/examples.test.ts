import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exampleIds, ruleExample } from './examples.js';
import { ruleById } from './index.js';
import { run } from './rule-tester.js';

/** Every example `preflight explain` shows does what it says: `bad` draws the rule's finding, `good` none. */
describe('rule examples', () => {
  it('are keyed by check rule ids', () => {
    for (const id of exampleIds()) assert.ok(ruleById(id), `example for unknown check rule "${id}"`);
  });
  for (const id of exampleIds()) {
    const rule = ruleById(id);
    const example = ruleExample(id)!;
    it(`${id}: the example draws the finding`, () => {
      assert.ok(rule);
      assert.ok(run(rule, { compose: example.bad }).length > 0, `${id}: the bad example draws no finding`);
    });
    if (example.good !== undefined)
      it(`${id}: the fixed example draws none`, () => {
        assert.ok(rule);
        assert.deepEqual(
          run(rule, { compose: example.good! }).map((f) => f.message),
          [],
        );
      });
  }
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareFindings } from '../../src/findings/order.js';
import { SECTIONS, type Finding } from '../../src/findings/types.js';
import { catalogue } from '../support/catalogue.js';

function finding(over: Partial<Finding>): Finding {
  return {
    ruleId: 'restart-policy',
    severity: 'warning',
    section: SECTIONS[0],
    message: 'm',
    file: 'compose.yaml',
    line: 1,
    column: 1,
    ...over,
  };
}

const order = (fs: Finding[]) => [...fs].sort(compareFindings);

describe('report order of findings (compareFindings)', () => {
  it('section first, then file, line, column, rule', () => {
    const a = finding({ section: SECTIONS[1], file: 'a.yaml' });
    const b = finding({ file: 'b.yaml', line: 9 });
    const c = finding({ file: 'b.yaml', line: 10, column: 1 });
    const d = finding({ file: 'b.yaml', line: 10, column: 3, ruleId: 'shell-pid1' });
    const e = finding({ file: 'b.yaml', line: 10, column: 3, ruleId: 'stop-grace-period' });
    assert.deepEqual(order([e, a, d, c, b]), [b, c, d, e, a]);
  });

  it('files in the locale collation’s order, as localeCompare gives them (case and punctuation)', () => {
    const files = ['B/compose.yaml', 'a/compose.yaml', '_x/compose.yaml', 'a/.env', 'b/compose.yaml', 'a-b/x.yaml'];
    const got = order(files.map((file) => finding({ file }))).map((f) => f.file);
    assert.deepEqual(
      got,
      [...files].sort((x, y) => x.localeCompare(y)),
    );
  });

  it('two findings at one place in rule-id order; for the catalogue’s ids that is the English collation’s', () => {
    const ids = catalogue.all().map((m) => m.id);
    assert.ok(ids.length > 50);
    for (const id of ids) assert.match(id, /^[a-z0-9-]+$/, `rule id ${id} outside [a-z0-9-]`);
    const got = order(ids.map((ruleId) => finding({ ruleId }))).map((f) => f.ruleId);
    assert.deepEqual(got, [...ids].sort(new Intl.Collator('en').compare));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { locate } from '../../src/compose/project.js';
import { check } from '../../src/commands/check.js';
import { InputError } from '../../src/util/errors.js';
import { load, scratchDir } from '../support/project.js';

/**
 * `include:` is followed for the audit, as Compose loads it: the included services are checked,
 * their findings point into the included file, and the rule file-not-shipped says the file never
 * reaches the CVM.
 */
const scratch = scratchDir('include');

describe('include:', () => {
  const dir = scratch.project('app', {
    'compose.yaml': 'include:\n  - db/compose.yaml\nservices:\n  web:\n    image: nginx:1.27\n    depends_on: [db]\n',
    'db/compose.yaml': 'services:\n  db:\n    image: postgres:16\n    volumes: [dbdata:/x]\nvolumes:\n  dbdata:\n',
  });

  it('adds the included services and resources; their locations are in the included file', () => {
    const p = load(dir);
    assert.deepEqual(Object.keys(p.model.services!).sort(), ['db', 'web']);
    assert.ok(p.model.volumes?.dbdata);
    assert.equal(p.model.include, undefined, 'the include key itself is not part of the model');
    const l = locate(p, ['services', 'db', 'image']);
    assert.equal(`${l.file}:${l.line}`, 'db/compose.yaml:3');
    assert.deepEqual(p.semanticProblems, [], 'web depends on db, which the include defines');
    assert.deepEqual(
      p.localFiles.map((r) => `${r.kind} ${r.path} ${r.loc.file}:${r.loc.line}`),
      ['include db/compose.yaml compose.yaml:2'],
    );
  });

  it('the included services are audited, and the file is reported as not shipped', () => {
    const report = check(['.'], { cwd: dir });
    const stateful = report.findings.find((f) => f.ruleId === 'stateful-no-volume');
    assert.equal(stateful?.file, 'db/compose.yaml', 'postgres without a volume at its data directory');
    const notShipped = report.findings.filter((f) => f.ruleId === 'file-not-shipped');
    assert.deepEqual(
      notShipped.map((f) => `${f.file}:${f.line} ${f.severity}`),
      ['compose.yaml:2 error'],
    );
  });

  it('a name both files define is compose-invalid, and the including file’s definition is kept', () => {
    const both = scratch.project('conflict', {
      'compose.yaml': 'include: [other.yaml]\nservices:\n  db:\n    image: mysql:8\n',
      'other.yaml': 'services:\n  db:\n    image: postgres:16\n',
    });
    const p = load(both);
    assert.equal(p.model.services!.db!.image, 'mysql:8');
    assert.equal(p.semanticProblems.length, 1);
    assert.match(
      p.semanticProblems[0]!.message,
      /services\.db is defined here and in an included file \(other\.yaml\)/,
    );
    assert.equal(p.semanticProblems[0]!.loc.line, 3);
  });

  it('a missing included file is an input error at the include item', () => {
    const missing = scratch.project('missing', { 'compose.yaml': 'include:\n  - nope.yaml\nservices: {}\n' });
    assert.throws(
      () => load(missing),
      (e: unknown) => e instanceof InputError && e.message === 'compose.yaml:2:5: include: file nope.yaml not found',
    );
  });

  it('an include cycle is an input error, not a hang', () => {
    const cycle = scratch.project('cycle', {
      'compose.yaml': 'include: [a.yaml]\nservices: {}\n',
      'a.yaml': 'include: [b.yaml]\nservices: {}\n',
      'b.yaml': 'include: [a.yaml]\nservices: {}\n',
    });
    assert.throws(() => load(cycle), /include: cycle through a\.yaml/);
  });
});

describe('extends: file:', () => {
  it('is followed, and recorded as a file that is not shipped', () => {
    const dir = scratch.project('extends', {
      'compose.yaml': 'services:\n  web:\n    extends:\n      file: base.yaml\n      service: app\n',
      'base.yaml': 'services:\n  app:\n    image: app:1\n    restart: always\n',
    });
    const p = load(dir);
    assert.equal(p.model.services!.web!.image, 'app:1');
    assert.deepEqual(
      p.localFiles.map((r) => `${r.kind} ${r.path} ${r.service} ${r.loc.file}:${r.loc.line}:${r.loc.column}`),
      ['extends base.yaml web compose.yaml:4:13'],
    );
  });
});

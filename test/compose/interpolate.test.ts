import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpolateString } from '../../src/compose/interpolate.js';
import { InputError } from '../../src/util/errors.js';
import { load, scratchDir } from '../support/project.js';

const env: Record<string, string> = { SET: 'value', EMPTY: '', B: 'bee' };
const lookup = (k: string) => env[k];
const value = (s: string) => interpolateString(s, lookup).value;

describe('interpolation (compose spec)', () => {
  it('substitutes $VAR and ${VAR}; unset is empty', () => {
    assert.equal(value('a $SET b'), 'a value b');
    assert.equal(value('a ${SET}b'), 'a valueb');
    assert.equal(value('x${UNSET}y'), 'xy');
  });

  it('$$ is a literal dollar and references nothing', () => {
    const r = interpolateString('echo $$HOME $${SET} $$', lookup);
    assert.equal(r.value, 'echo $HOME ${SET} $');
    assert.deepEqual(r.refs, []);
  });

  it('defaults: :- for unset or empty, - for unset only', () => {
    assert.equal(value('${UNSET:-d}'), 'd');
    assert.equal(value('${EMPTY:-d}'), 'd');
    assert.equal(value('${SET:-d}'), 'value');
    assert.equal(value('${UNSET-d}'), 'd');
    assert.equal(value('${EMPTY-d}'), '');
  });

  it('nested defaults', () => {
    assert.equal(value('${UNSET:-${B}}'), 'bee');
    assert.equal(value('${UNSET:-${ALSO_UNSET:-deep}}'), 'deep');
    assert.equal(value('${UNSET:-pre-${B}-post}'), 'pre-bee-post');
    const r = interpolateString('${UNSET:-${B}}', lookup);
    assert.deepEqual(
      r.refs.map((x) => [x.name, x.modifier]),
      [
        ['UNSET', ':-'],
        ['B', ''],
      ],
    );
  });

  it(':? and ? record the missing variable (the static check does not stop)', () => {
    const r = interpolateString('${TOKEN:?set TOKEN first}', lookup);
    assert.equal(r.value, '');
    assert.deepEqual(r.missingRequired, [{ name: 'TOKEN', message: 'set TOKEN first' }]);
    assert.deepEqual(
      interpolateString('${EMPTY:?x}', lookup).missingRequired.map((m) => m.name),
      ['EMPTY'],
    );
    assert.deepEqual(interpolateString('${EMPTY?x}', lookup).missingRequired, [], '? accepts set-but-empty');
    assert.deepEqual(interpolateString('${SET:?x}', lookup).missingRequired, []);
    assert.equal(interpolateString('${TOKEN:?x}', lookup).refs[0]!.modifier, ':?');
  });

  it(':+ and + substitute the replacement when set', () => {
    assert.equal(value('${SET:+on}'), 'on');
    assert.equal(value('${EMPTY:+on}'), '');
    assert.equal(value('${UNSET:+on}'), '');
    assert.equal(value('${EMPTY+on}'), 'on');
    assert.equal(value('${SET:+--flag=${B}}'), '--flag=bee');
  });

  it('marks a reference that is the whole value', () => {
    assert.equal(interpolateString('${SET}', lookup).refs[0]!.whole, true);
    assert.equal(interpolateString('pre-${SET}', lookup).refs[0]!.whole, false);
  });

  it('rejects malformed expressions', () => {
    assert.throws(() => value('${UNCLOSED'), /unclosed/);
    assert.throws(() => value('${1BAD}'), /not followed by a variable name/);
  });
});

describe('interpolation while loading a project', () => {
  const scratch = scratchDir('interp');

  it('reads .env, records every reference with its location and service, and keeps keys as written', () => {
    const dir = scratch.project('dotenv', {
      '.env': 'TAG=1.27\nCOMPOSE_PROFILES=\n',
      'compose.yaml': [
        'services:',
        '  web:',
        '    image: nginx:${TAG}',
        '    environment:',
        '      $KEY_NOT_INTERPOLATED: x',
        '      PASSWORD: ${DB_PASSWORD:?set it}',
        '      PRICE: "$$5"',
        '',
      ].join('\n'),
    });
    const p = load(dir);
    const web = p.model.services!.web!;
    assert.equal(web.image, 'nginx:1.27');
    assert.deepEqual(Object.keys(web.environment as object), ['$KEY_NOT_INTERPOLATED', 'PASSWORD', 'PRICE']);
    assert.equal((web.environment as Record<string, string>).PRICE, '$5');
    const pw = p.variables.find((v) => v.name === 'DB_PASSWORD')!;
    assert.equal(pw.modifier, ':?');
    assert.equal(pw.argument, 'set it');
    assert.equal(pw.service, 'web');
    assert.deepEqual([pw.loc.file, pw.loc.line, pw.loc.column], ['compose.yaml', 6, 17]);
    assert.deepEqual(pw.path, ['services', 'web', 'environment', 'PASSWORD']);
    assert.deepEqual(p.envFiles, ['.env']);
  });

  it('strict mode (drills) turns a missing :? into an input error at its line', () => {
    const dir = scratch.project('strict', {
      'compose.yaml': 'services:\n  web:\n    image: nginx\n    environment:\n      A: ${NEED:?give NEED}\n',
    });
    assert.throws(
      () => load(dir, { strictRequired: true }),
      (e: unknown) => e instanceof InputError && /compose\.yaml:5:\d+: required variable NEED/.test(e.message),
    );
  });

  it('--env-file replaces .env', () => {
    const dir = scratch.project('envfile', {
      '.env': 'TAG=from-dotenv\n',
      'prod.env': 'TAG=from-envfile\n',
      'compose.yaml': 'services:\n  web:\n    image: nginx:${TAG:-none}\n',
    });
    assert.equal(load(dir).model.services!.web!.image, 'nginx:from-dotenv');
    assert.equal(load(dir, { envFiles: ['prod.env'] }).model.services!.web!.image, 'nginx:from-envfile');
  });
});

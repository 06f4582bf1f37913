import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { planSecrets, inventory } from '../../src/secrets/plan.js';
import { buildLockfile, valueMac } from '../../src/secrets/lockfile.js';
import type { VarRef } from '../../src/compose/index.js';

const ref = (name: string, modifier: VarRef['modifier'], line: number): VarRef => ({
  name,
  modifier,
  loc: { file: 'compose.yml', line, column: 7, endLine: line, endColumn: 20, offset: 0, endOffset: 0 },
  path: ['services', 'app', 'environment', name],
  service: 'app',
  whole: true,
});

test('inventory: required (no default or :?), optional (defaults), secret-like', () => {
  const items = inventory(
    [
      ref('DB_PASSWORD', ':?', 3),
      ref('LOG_LEVEL', ':-', 4),
      ref('API_TOKEN', '', 5),
      ref('API_TOKEN', ':-', 9),
      ref('X', ':+', 6),
    ],
    new Set(['API_TOKEN']),
  );
  const by = Object.fromEntries(items.map((i) => [i.name, i]));
  assert.equal(by.DB_PASSWORD!.required, true);
  assert.equal(by.DB_PASSWORD!.guarded, true);
  assert.equal(by.API_TOKEN!.required, true);
  assert.equal(by.API_TOKEN!.references, 2);
  assert.equal(by.API_TOKEN!.line, 5);
  assert.equal(by.LOG_LEVEL!.required, false);
  assert.equal(by.X!.required, false);
  assert.deepEqual(
    items.filter((i) => i.secretLike).map((i) => i.name),
    ['API_TOKEN', 'DB_PASSWORD'],
  );
});

test('lockfile keeps HMACs, never plain hashes; a foreign key makes changes unknown', () => {
  const key = crypto.randomBytes(32);
  const lock = buildLockfile([{ key: 'PIN', value: '1234' }], key);
  const plain = crypto.createHash('sha256').update('1234').digest('hex');
  assert.ok(!JSON.stringify(lock).includes(plain));
  assert.ok(!JSON.stringify(lock).includes('1234'));
  assert.equal(lock.values.PIN, valueMac(key, 'PIN', '1234'));
  // Same value under another name gives another MAC.
  assert.notEqual(valueMac(key, 'A', 'v'), valueMac(key, 'B', 'v'));
  const previous = {
    source: 'lockfile l',
    envKeys: ['PIN'],
    lock: { file: 'l', text: '{}', lock, key: crypto.randomBytes(32) },
  };
  const plan = planSecrets({ variables: [ref('PIN', '', 1)], vars: [{ key: 'PIN', value: '1234' }], previous });
  assert.deepEqual(plan.changes, { PIN: 'unknown' });
  const same = planSecrets({
    variables: [ref('PIN', '', 1)],
    vars: [{ key: 'PIN', value: '1234' }],
    previous: { ...previous, lock: { ...previous.lock, key } },
  });
  assert.deepEqual(same.changes, { PIN: 'unchanged' });
  assert.equal(same.blocking, false);
  assert.equal(same.allowedEnvs.changes, false);
});

test('findings use the Finding model with the plan rule ids and sections', () => {
  const plan = planSecrets({
    variables: [ref('NEED', '', 2)],
    vars: [{ key: 'TYPO', value: 'v' }],
    envFile: 'new.env',
    origin: new Map([['TYPO', { file: 'new.env', line: 3 }]]),
    previous: { source: 'cvm c', envKeys: ['OLD', 'KEEP_OK'] },
    allowDrop: ['KEEP_OK'],
  });
  const ids = plan.findings.map((f) => `${f.ruleId}/${f.section}/${f.severity}`);
  assert.deepEqual(ids.sort(), [
    'secret-dropped/upgrades/error',
    'secret-dropped/upgrades/info',
    'secret-missing/secrets/error',
    'secret-unreferenced/secrets/warning',
  ]);
  const unref = plan.findings.find((f) => f.ruleId === 'secret-unreferenced')!;
  assert.deepEqual([unref.file, unref.line], ['new.env', 3]);
  assert.equal(plan.blocking, true);
  assert.deepEqual(plan.allowedEnvs.added, ['TYPO']);
});

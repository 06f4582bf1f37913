import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadProject, resolveTargets, type TargetOptions } from '../../compose/project.js';
import type { Finding } from '../../findings/types.js';
import { runRules } from '../engine.js';
import { overrideNotShipped } from './override-not-shipped.js';

/**
 * The rule depends on how the project is found (a directory, `-f`, `--with-override`), so targets are resolved as
 * `check` does.
 */
const dir = mkdtempSync(join(tmpdir(), 'preflight-override-rule-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function project(name: string, files: Record<string, string>): string {
  const d = join(dir, name);
  mkdirSync(d);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  return d;
}

const found = (paths: string[], opts: TargetOptions = {}): Finding[] =>
  resolveTargets(paths, { cwd: dir, ...opts }).flatMap(
    (t) => runRules(loadProject(t, { cwd: dir }), [overrideNotShipped]).findings,
  );

const COMPOSE = 'services:\n  web:\n    image: nginx:1.27\n';
const OVERRIDE = 'services:\n  web:\n    ports: ["8080:80"]\n';

describe(`rule ${overrideNotShipped.id}`, () => {
  const twin = project('twin', { 'compose.yaml': COMPOSE, 'compose.override.yaml': OVERRIDE });
  const legacy = project('legacy', { 'docker-compose.yml': COMPOSE, 'docker-compose.override.yml': OVERRIDE });
  const alone = project('alone', { 'compose.yaml': COMPOSE });

  it('must fire: an override beside the compose file is not merged, at its first line, as info', () => {
    for (const [d, file] of [
      [twin, 'twin/compose.override.yaml'],
      [legacy, 'legacy/docker-compose.override.yml'],
    ] as const) {
      const f = found([d]);
      assert.equal(f.length, 1);
      assert.equal(f[0]!.file, file);
      assert.equal(f[0]!.line, 1);
      assert.equal(f[0]!.severity, 'info');
      assert.match(f[0]!.message, /is not merged: the CVM is deployed .* alone/);
    }
    assert.equal(found([join(twin, 'compose.yaml')]).length, 1, 'naming the compose file alone');
  });

  it('must not fire: no override, --with-override, or -f naming both files', () => {
    assert.deepEqual(found([alone]), []);
    assert.deepEqual(found([twin], { withOverride: true }), []);
    assert.deepEqual(found([], { files: ['twin/compose.yaml', 'twin/compose.override.yaml'] }), []);
  });
});

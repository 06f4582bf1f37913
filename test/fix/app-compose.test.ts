import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fix } from '../../src/commands/fix.js';
import { composeHashOfText } from '../../src/compose/compose-hash.js';
import { applyEdits } from '../../src/fix/compose-edits.js';
import { runBuiltCli } from '../support/cli.js';

/**
 * Fixes of the compose file embedded in app-compose.json (`docker_compose_file`): the edits are
 * spliced into the JSON string, so the manifest stays byte for byte outside them (inside the string
 * too: its escapes as written); refusals are those of the same YAML in a file; the note says that
 * the compose hash changes.
 */
const EMBEDDED =
  'services:\n  # the shop \u00e9\n  web:\n    image: ghcr.io/acme/shop:1.4.2\n    ports: ["8080:8080"]\n';
// Written as a deployer might: 4-space indent, `\u00e9` and `\/` escapes, the string not last.
const MANIFEST = `{
    "manifest_version": 2,
    "name": "shop",
    "runner": "docker-compose",
    "docker_compose_file": ${JSON.stringify(EMBEDDED).replace('é', '\\u00e9').replace('8080:', '8080\\u003a')},
    "public_logs": true,
    "kms_enabled": true,
    "allowed_envs": []
}
`;
const SHARED = 'x-app: &app\n  image: ghcr.io/acme/shop:1.4.2\nservices:\n  web: *app\n  worker: *app\n';

const dirs: string[] = [];
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-fix-app-compose-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The docker_compose_file string literal of a manifest text, its quotes included. */
function literalOf(text: string): { start: number; end: number } {
  const key = text.indexOf('"docker_compose_file"');
  const start = text.indexOf('"', text.indexOf(':', key));
  let end = start + 1;
  while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
  return { start, end: end + 1 };
}

describe('fix: the compose file embedded in app-compose.json', () => {
  it('edits the embedded YAML inside its JSON string; the manifest is byte for byte outside the edits', () => {
    const dir = project({ 'app-compose.json': MANIFEST });
    const result = fix([join(dir, 'app-compose.json')], { cwd: dir, ruleIds: ['restart-policy', 'public-logs'] });
    assert.deepEqual(result.refused, []);
    assert.deepEqual(result.applied.map((a) => a.ruleId).sort(), ['public-logs', 'restart-policy']);
    assert.equal(result.changes.length, 1, result.changes.map((c) => c.file).join(', '));
    const [change] = result.changes;
    assert.equal(change!.file, 'app-compose.json');
    assert.equal(applyEdits(change!.before, change!.edits), change!.after);
    const fixed = JSON.parse(change!.after);
    assert.equal(fixed.docker_compose_file, `${EMBEDDED}    restart: unless-stopped\n`);
    assert.equal(fixed.public_logs, false);
    // Outside the string literal only public_logs changed; inside it the escapes are kept.
    const was = literalOf(MANIFEST);
    const now = literalOf(change!.after);
    assert.equal(change!.after.slice(0, now.start), MANIFEST.slice(0, was.start));
    assert.equal(
      change!.after.slice(now.end),
      MANIFEST.slice(was.end).replace('"public_logs": true', '"public_logs": false'),
    );
    const literal = change!.after.slice(now.start, now.end);
    assert.ok(literal.includes('\\u00e9') && literal.includes('8080\\u003a8080'), literal);
    assert.ok(literal.endsWith('\\n    restart: unless-stopped\\n"'), literal);
    // The hash note names both hashes.
    const note = result.notes.join('\n');
    assert.ok(note.includes(composeHashOfText(MANIFEST)) && note.includes(composeHashOfText(change!.after)), note);
    assert.match(result.patch, /^# note: app-compose\.json: the compose hash changes/m);
    assert.deepEqual(
      result.after.findings.filter((f) => f.ruleId === 'restart-policy' || f.ruleId === 'public-logs'),
      [],
    );
    assert.equal(readFileSync(join(dir, 'app-compose.json'), 'utf8'), MANIFEST, 'dry run: nothing written');
  });

  it('adds a service and its top-level key inside the string (no-metrics-exporter), in a later pass its digest', () => {
    // no-metrics-exporter is opt-in: the project turns it on.
    const dir = project({ 'app-compose.json': MANIFEST, '.preflight.yml': 'rules:\n  no-metrics-exporter: warning\n' });
    const result = fix([join(dir, 'app-compose.json')], {
      cwd: dir,
      ruleIds: ['no-metrics-exporter', 'image-no-digest'],
      digests: new Map([['quay.io/prometheus/node-exporter:v1.9.1', `sha256:${'a'.repeat(64)}`]]),
    });
    assert.deepEqual(
      result.applied.map((a) => [a.ruleId, a.pass]),
      [
        ['no-metrics-exporter', 1],
        ['image-no-digest', 2],
      ],
    );
    const compose = JSON.parse(result.changes[0]!.after).docker_compose_file as string;
    assert.match(
      compose,
      /\n {2}node-exporter:\n {4}image: quay\.io\/prometheus\/node-exporter:v1\.9\.1@sha256:a{64}\n/,
    );
    assert.ok(compose.startsWith(EMBEDDED), 'the original YAML is kept, the service appended');
  });

  it('refuses what it refuses in a file, with the same reasons, and changes nothing', () => {
    const inFile = fix([project({ 'docker-compose.yml': SHARED })], { ruleIds: ['restart-policy'] });
    const manifest = JSON.stringify({ manifest_version: 2, name: 'shop', docker_compose_file: SHARED }, null, 2);
    const dir = project({ 'app-compose.json': manifest });
    const embedded = fix([join(dir, 'app-compose.json')], { cwd: dir, ruleIds: ['restart-policy'] });
    assert.ok(inFile.refused.length > 0);
    assert.deepEqual(
      embedded.refused.map((r) => r.reason),
      inFile.refused.map((r) => r.reason),
    );
    assert.match(embedded.refused[0]!.reason, /alias \*app/);
    assert.equal(embedded.refused[0]!.file, 'app-compose.json#docker_compose_file');
    assert.deepEqual(embedded.changes, []);
    assert.deepEqual(embedded.notes, []);
  });

  it('--write writes the manifest; the CLI prints the hash note', () => {
    const dir = project({ 'app-compose.json': MANIFEST });
    const r = runBuiltCli([
      'fix',
      join(dir, 'app-compose.json'),
      '--rule',
      'restart-policy',
      '--write',
      '--fail-on',
      'never',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^preflight: note: \S*app-compose\.json: the compose hash changes \(canonical form\) from [0-9a-f]{64} to [0-9a-f]{64}/m,
    );
    const written = JSON.parse(readFileSync(join(dir, 'app-compose.json'), 'utf8'));
    assert.match(written.docker_compose_file, /\n {4}restart: unless-stopped\n/);
  });
});

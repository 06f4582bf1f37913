import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runBuiltCli } from '../support/cli.js';

// Bad input to `preflight rollout`: one line naming the file and line, exit 2, no stack trace.
describe('preflight rollout, bad input', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pf-rollout-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const oneLine = (r: { code: number | null; stderr: string }, pattern: RegExp) => {
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, pattern);
    assert.doesNotMatch(r.stderr, /internal error|\bat .*\.js:\d+/);
  };

  it('a fleet file with a wrong value names the file and line', () => {
    writeFileSync(
      join(dir, 'fleet.yml'),
      'backend: phala\nphala: { app_id: x }\ntarget: { compose: ./v2 }\nstrategy: { max_unavailable: lots }\ngates: [{ http: {} }]\n',
    );
    oneLine(
      runBuiltCli(['rollout', 'plan', '--fleet', 'fleet.yml'], { cwd: dir }),
      /^preflight: \S*fleet\.yml:4:\d+: .*count .* or a percentage/,
    );
  });

  it('no gates is refused before anything runs', () => {
    writeFileSync(join(dir, 'nogates.yml'), 'backend: local\nlocal: { current: ./v1 }\ntarget: { compose: ./v2 }\n');
    oneLine(
      runBuiltCli(['rollout', 'run', '--fleet', 'nogates.yml'], { cwd: dir }),
      /^preflight: \S*nogates\.yml:1:\d+: no `gates:`/,
    );
  });

  it('status, pause and resume without a run say where they looked', () => {
    oneLine(runBuiltCli(['rollout', 'status', '--run-dir', 'runs'], { cwd: dir }), /^preflight: no rollout run in /);
    oneLine(runBuiltCli(['rollout', 'pause', 'nope', '--run-dir', 'runs'], { cwd: dir }), /^preflight: no run "nope"/);
  });

  it('--load takes requests per second', () => {
    writeFileSync(
      join(dir, 'ok.yml'),
      'backend: local\nlocal: { current: ./v1 }\ntarget: { compose: ./v2 }\ngates: [{ http: { path: / } }]\n',
    );
    oneLine(
      runBuiltCli(['rollout', 'run', '--fleet', 'ok.yml', '--load', 'fast'], { cwd: dir }),
      /^preflight: --load takes requests per second/,
    );
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runBuiltCli } from '../support/cli.js';

/**
 * PREFLIGHT_COMPOSE through the built CLI, on a machine without Docker (PATH holds nothing): a value
 * that is not v2/v1, or a CLI that is not installed, is one line on stderr and exit 2, never a
 * fallback to the other Compose. (Which CLI runs when both exist: the Docker suites, once per kind.)
 */
const dir = mkdtempSync(join(tmpdir(), 'preflight-compose-choice-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const app = join(dir, 'app');
const emptyPath = join(dir, 'bin');
mkdirSync(app);
mkdirSync(emptyPath);
writeFileSync(join(app, 'compose.yaml'), 'services:\n  web:\n    image: busybox:1.36\n');

describe('PREFLIGHT_COMPOSE on the command line', () => {
  const cases: [string, string | undefined, RegExp][] = [
    [
      'an unknown value',
      'v3',
      /^preflight: PREFLIGHT_COMPOSE must be v2 \(docker compose\) or v1 \(docker-compose\), not "v3"$/,
    ],
    [
      'v1 without docker-compose',
      'v1',
      /^preflight: PREFLIGHT_COMPOSE=v1 but `docker-compose version` failed: docker-compose is not installed$/,
    ],
    [
      'v2 without docker',
      'v2',
      /^preflight: PREFLIGHT_COMPOSE=v2 but `docker compose version` failed: docker is not installed$/,
    ],
    [
      'unset, and neither installed',
      undefined,
      /^preflight: no Docker Compose found: neither `docker compose` \(v2\) nor `docker-compose` \(v1\) answers$/,
    ],
  ];
  for (const [name, value, says] of cases) {
    it(`${name}: one line, exit 2`, () => {
      const r = runBuiltCli(['drill', 'restart', app, '--quiet'], {
        env: { PATH: emptyPath, PREFLIGHT_COMPOSE: value },
      });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr.trimEnd(), says);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    });
  }
});

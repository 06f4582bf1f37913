import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { check } from '../../src/commands/check.js';
import { InputError } from '../../src/util/errors.js';

/**
 * Values of the wrong type under every service key the rules read: the report must explain them
 * (compose-invalid) or refuse the input (InputError), never crash with an internal error.
 */
const KEYS = [
  'image',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'volumes',
  'ports',
  'expose',
  'healthcheck',
  'restart',
  'depends_on',
  'labels',
  'stop_grace_period',
  'init',
  'user',
  'privileged',
  'cap_add',
  'pid',
  'ipc',
  'network_mode',
  'tmpfs',
  'logging',
  'secrets',
  'configs',
  'profiles',
  'devices',
  'security_opt',
  'deploy',
  'build',
  'extends',
];
const WRONG: unknown[] = [5, 'text', [1, 2], { a: { b: 1 } }, null, true, [{ x: [] }]];

describe('wrong types under service keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-types-'));
  for (const key of KEYS) {
    it(`services.web.${key}`, () => {
      for (const value of WRONG) {
        const file = join(dir, 'docker-compose.yml');
        writeFileSync(
          file,
          stringify({ services: { web: { image: 'nginx:1.27', [key]: value }, db: { image: 'postgres:16' } } }),
        );
        try {
          const report = check([file], { cwd: dir });
          assert.ok(Array.isArray(report.findings));
        } catch (err) {
          assert.ok(
            err instanceof InputError,
            `services.web.${key}: ${JSON.stringify(value)} → ${(err as Error).message}`,
          );
        }
      }
    });
  }
  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});

/**
 * Canary sweep: one marker in every place a secret can sit (env files, literal environment values in
 * map and list form, URLs, build args, labels, healthchecks, commands, configs content, the compose
 * string and pre-launch script of an app-compose.json, lockfiles) and in error paths; every command in
 * every format (check, diff, fix, secrets plan and encrypt), to stdout and through `-o`, is grepped for
 * the marker and for its 6-character prefix.
 * Drill output and run directories are swept by test/hardening/canary-drill.test.ts (Docker).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkDetailed } from '../../src/commands/check.js';
import { maskedSources } from '../../src/commands/sources.js';
import { renderReport } from '../../src/report/index.js';
import { catalogue } from '../support/catalogue.js';
import { runBuiltCli } from '../support/cli.js';

const MARK = `Zq${crypto.randomBytes(6).toString('hex')}`;
const PREFIX = MARK.slice(0, 6);
const FORMATS = ['text', 'json', 'sarif', 'junit', 'html', 'github'];
const PUB = '11'.repeat(32);
const dir = mkdtempSync(join(tmpdir(), 'preflight-sweep-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const COMPOSE = `services:
  db:
    image: mysql:8
    environment:
      MYSQL_ROOT_PASSWORD: ${MARK}a
      MYSQL_PASSWORD: "\${DB_PASSWORD:-${MARK}b}"
      BACKUP_TOKEN: \${BACKUP_TOKEN-${MARK}c}
      PRIVATE_KEY: |
        ${MARK}d
        ${MARK}e
      API_SECRET: "${MARK}f
        ${MARK}g"
    healthcheck:
      test: ["CMD", "mysqladmin", "ping", "-p${MARK}h", "--password=${MARK}i"]
  cache:
    image: redis:7
    command: ["redis-server", "--requirepass", "${MARK}j"]
    healthcheck:
      test: ["CMD-SHELL", "redis-cli -a ${MARK}k ping"]
  web:
    image: app:1
    build:
      context: .
      args:
        - NPM_TOKEN=${MARK}l
    environment:
      - SESSION_SECRET=${MARK}m
      - DATABASE_URL=postgres://app:${MARK}n@db/app
    labels:
      - "traefik.http.middlewares.auth.basicauth.users=admin:$$apr1$$${MARK}o"
    command: app --db-password ${MARK}p --token=${MARK}q
    # the old password was ${MARK}r
configs:
  app:
    content: |
      db_password=${MARK}s
      token: ${MARK}t
`;

const ENV = `DB_PASSWORD=${MARK}u\nAPP_KEY="${MARK}v"\nSIGNING_SECRET='${MARK}w'\nPLAIN=${MARK}x\n`;

function project(name: string, files: Record<string, string>): string {
  const p = join(dir, name);
  mkdirSync(p, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(p, f), text);
  return p;
}

const app = project('app', { 'compose.yaml': COMPOSE, '.env': ENV, 'prod.env': ENV });
const next = project('next', { 'compose.yaml': COMPOSE.replace('image: app:1', 'image: app:2'), '.env': ENV });
const manifest = project('manifest', {
  'app-compose.json': JSON.stringify(
    {
      manifest_version: 2,
      name: 'sweep',
      runner: 'docker-compose',
      docker_compose_file: COMPOSE,
      pre_launch_script: `#!/bin/sh\necho ${MARK}y | docker login -u me --password-stdin\ndocker login -p ${MARK}z registry\n`,
      allowed_envs: ['DB_PASSWORD'],
    },
    null,
    2,
  ),
});
const broken = project('broken', {
  'compose.yaml': `services:\n  a:\n    image: x\n    environment:\n      P: "${MARK}\${"\n`,
  '.env': `${MARK} alone\nA="${MARK}" ${MARK}\n`,
  'bad-escape.yaml': `services:\n  a:\n    environment:\n      P: "\\u${MARK}"\n`,
  'app-compose.json': `{"name": ${MARK}}`,
});

const seen: string[] = [];
function clean(where: string, text: string): void {
  seen.push(where);
  assert.ok(!text.includes(PREFIX), `the marker (or its prefix ${PREFIX}) leaked in ${where}:\n${excerpt(text)}`);
}
function excerpt(text: string): string {
  const i = text.indexOf(PREFIX);
  return text.slice(Math.max(0, i - 200), i + 100);
}
function cli(args: string[], cwd = dir): { code: number | null } {
  const r = runBuiltCli(args, { cwd, timeoutMs: 60_000 });
  clean(`stdout of ${args.join(' ')}`, r.stdout);
  clean(`stderr of ${args.join(' ')}`, r.stderr);
  assert.ok(r.code !== null && r.code <= 2, `${args.join(' ')} exited ${r.code}: ${r.stderr.slice(0, 300)}`);
  return r;
}

describe('canary sweep', () => {
  it('check, every format, stdout and -o, compose and app-compose.json', () => {
    for (const target of [app, manifest]) {
      for (const format of FORMATS) {
        cli(['check', target, '--format', format]);
        const out = join(dir, `check-${seen.length}.${format}`);
        cli(['check', target, '--format', format, '-o', out]);
        clean(out, readFileSync(out, 'utf8'));
      }
      cli(['check', target, '--env-file', join(app, 'prod.env')]);
    }
  });

  it('the text and HTML reports with every line of every file as context', () => {
    for (const target of [app, manifest]) {
      const { report, projects } = checkDetailed([target], { cwd: dir });
      const sources = maskedSources(projects);
      for (const file of projects[0]!.sources.keys()) clean(`masked ${file}`, sources.get(file) ?? '');
      for (const format of ['text', 'html'] as const)
        clean(`${format} report of ${target}`, renderReport(report, format, { maskedSources: sources, catalogue }));
    }
  });

  it('diff, every format, with both secret sets', () => {
    for (const format of FORMATS) {
      cli([
        'diff',
        app,
        next,
        '--format',
        format,
        '--env-file',
        join(next, '.env'),
        '--old-env-file',
        join(app, '.env'),
      ]);
      const out = join(dir, `diff-${seen.length}.${format}`);
      cli(['diff', manifest, next, '--format', format, '-o', out]);
      clean(out, readFileSync(out, 'utf8'));
    }
  });

  it('fix: the diff and JSON, stdout and -o (context lines hold the secrets)', () => {
    for (const target of [app, manifest]) {
      for (const format of ['diff', 'json']) {
        cli(['fix', target, '--format', format]);
        const out = join(dir, `fix-${seen.length}.${format}`);
        cli(['fix', target, '--format', format, '-o', out]);
        // An app-compose.json may have nothing to fix (no diff, no file); the compose project has.
        if (target === app || existsSync(out)) clean(out, readFileSync(out, 'utf8'));
      }
    }
  });

  it('secrets plan and encrypt: text, json, lockfiles, blobs', () => {
    const lock = join(dir, 'deployed.lock');
    for (const format of ['text', 'json']) {
      cli(['secrets', 'plan', app, '--env-file', join(app, 'prod.env'), '--write-lock', lock, '--format', format]);
      cli(['secrets', 'plan', next, '--env-file', join(next, '.env'), '--previous', lock, '--format', format]);
      cli(['secrets', 'encrypt', '--env-file', join(app, 'prod.env'), '--pubkey', PUB, '--format', format]);
    }
    cli(['secrets', 'encrypt', '--env-file', join(app, 'prod.env'), '--pubkey', PUB, '--out', join(dir, 'blob.hex')]);
    for (const f of [lock, `${lock}.key`, join(dir, 'blob.hex')]) clean(f, readFileSync(f, 'utf8'));
  });

  it('error paths: bad env lines, an unclosed ${, a YAML escape, a JSON error, bad arguments', () => {
    cli(['check', broken]);
    cli(['check', join(broken, 'bad-escape.yaml')]);
    cli(['check', join(broken, 'app-compose.json')]);
    cli(['check', app, '--env-file', join(broken, '.env')]);
    cli(['secrets', 'encrypt', '--env-file', join(broken, '.env'), '--pubkey', PUB]);
    cli(['secrets', 'encrypt', MARK, '--pubkey', PUB]);
    cli(['secrets', 'encrypt', `A=${MARK}`, '--pubkey', MARK]);
    cli(['secrets', 'plan', app, '--env-file', join(broken, '.env')]);
    cli(['diff', broken, app]);
  });

  it('swept every file written', () => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isFile()) clean(`file ${name}`, readFileSync(p, 'utf8'));
    }
    assert.ok(seen.length > 80, `${seen.length} outputs swept`);
  });
});

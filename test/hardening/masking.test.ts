/**
 * Masking of source excerpts (knowledge/redact-source.ts): judged on the located values, so every
 * line a secret spans is masked, whichever line an excerpt shows, and nothing else is lost.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkDetailed } from '../../src/commands/check.js';
import { maskedSources } from '../../src/commands/sources.js';
import { maskSourceText } from '../../src/knowledge/redact-source.js';
import { parseYamlSource } from '../../src/yaml/located.js';
import { renderReport } from '../../src/report/index.js';
import { catalogue } from '../support/catalogue.js';

// Fake tokens assembled at runtime so this file does not itself look like a leak.
const GH = 'ghp_' + 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5';
const AWS_ID = 'AKIA' + 'IOSFODNN7EXAMPLE';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' +
  '.eyJzdWIiOiIxMjM0NTY3ODkwIn0' +
  '.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

const mask = (yaml: string, known: string[] = []) => maskSourceText('compose.yaml', yaml, { knownSecrets: known }).text;

/** The masked text, checked to keep the original's lines and to hold none of `secrets`. */
function masked(yaml: string, secrets: string[], known: string[] = []): string {
  const out = mask(yaml, known);
  assert.equal(out.split('\n').length, yaml.split('\n').length, 'same number of lines');
  for (const s of secrets) assert.ok(!out.includes(s), `${s} is masked in:\n${out}`);
  return out;
}

describe('masking on located values', () => {
  it('exec-form flags in commands and healthchecks, on every line', () => {
    const out = masked(
      [
        'services:',
        '  redis:',
        '    command: ["redis-server", "--requirepass", "LEAKredis1"]',
        '    healthcheck:',
        '      test: ["CMD", "redis-cli", "-a", "LEAKredis2", "ping"]',
        '  db:',
        '    healthcheck:',
        '      test: ["CMD", "mysqladmin", "ping", "-pLEAKmysql1", "--password=LEAKmysql2"]',
        '  web:',
        '    command:',
        '      - --password',
        '      - LEAKlist1',
        '      - --token=LEAKlist2',
        '',
      ].join('\n'),
      ['LEAKredis1', 'LEAKredis2', 'LEAKmysql1', 'LEAKmysql2', 'LEAKlist1', 'LEAKlist2'],
    );
    assert.match(out, /\["redis-server", "--requirepass", "\*\*\*\*"\]/);
    assert.match(out, /"-p\*\*\*\*", "--password=\*\*\*\*"/);
    assert.match(out, /- --password\n {6}- \*\*\*\*/);
  });

  it('string-form commands: flags, mysql -p, redis-cli -a, curl -u, Authorization headers', () => {
    masked(
      [
        'services:',
        '  a:',
        '    command: redis-server --requirepass LEAKs1 --appendonly yes',
        '    healthcheck:',
        '      test: ["CMD-SHELL", "mysqladmin ping -uroot -pLEAKs2 && redis-cli -a LEAKs3 ping"]',
        '  b:',
        '    healthcheck:',
        '      test: curl -fsu admin:LEAKs4 -H "Authorization: Bearer LEAKs5token" http://localhost/',
        '',
      ].join('\n'),
      ['LEAKs1', 'LEAKs2', 'LEAKs3', 'LEAKs5token'],
    );
  });

  it('block scalar bodies and continuation lines of multi-line quoted values', () => {
    const out = masked(
      [
        'services:',
        '  db:',
        '    environment:',
        '      PRIVATE_KEY: >-',
        '        LEAKblock1',
        '        LEAKblock2',
        '      API_TOKEN: "LEAKquoted1',
        '        LEAKquoted2"',
        '      SSH_KEY: |',
        '        -----BEGIN OPENSSH PRIVATE KEY-----',
        '        LEAKpem1',
        '        -----END OPENSSH PRIVATE KEY-----',
        '',
      ].join('\n'),
      ['LEAKblock1', 'LEAKblock2', 'LEAKquoted1', 'LEAKquoted2', 'LEAKpem1'],
    );
    assert.match(out, /PRIVATE_KEY: >-\n {8}\*\*\*\*\n {8}\*\*\*\*\n/, 'the header stays, each body line is masked');
  });

  it('interpolation defaults: ${SECRET-default}, ${SECRET:-default}, and any default under a secret key', () => {
    const out = masked(
      [
        'services:',
        '  db:',
        '    environment:',
        '      MYSQL_ROOT_PASSWORD: ${DB_PASSWORD-LEAKdefault1}',
        '      OTHER_PASSWORD: ${DB_PASSWORD:-LEAKdefault2}',
        '      DATABASE_URL: postgres://app:${DB_PASSWORD:-LEAKdefault3}@db/app',
        '      ADMIN_TOKEN: ${X:-${Y:-LEAKdefault4}}',
        '      PLAIN: ${LEVEL:-info}',
        '',
      ].join('\n'),
      ['LEAKdefault1', 'LEAKdefault2', 'LEAKdefault3', 'LEAKdefault4'],
    );
    assert.match(out, /\$\{DB_PASSWORD-\*\*\*\*\}/, 'the reference stays readable');
    assert.match(out, /PLAIN: \$\{LEVEL:-info\}/, 'a default that is no secret stays');
  });

  it('list-form environment, labels (basic auth) and build args', () => {
    const out = masked(
      [
        'services:',
        '  web:',
        '    build:',
        '      args:',
        '        - NPM_TOKEN=LEAKarg1',
        '    environment:',
        '      - DB_PASSWORD=LEAKenv1',
        '      - "SESSION_SECRET=LEAKenv2"',
        '    labels:',
        '      - "traefik.http.middlewares.mw.basicauth.users=admin:$$apr1$$LEAKbasic1"',
        '      - traefik.enable=true',
        '  proxy:',
        '    labels:',
        '      traefik.http.middlewares.x.basicauth.users: admin:$$apr1$$LEAKbasic2',
        '',
      ].join('\n'),
      ['LEAKarg1', 'LEAKenv1', 'LEAKenv2', 'LEAKbasic1', 'LEAKbasic2'],
    );
    assert.match(out, /- DB_PASSWORD=\*\*\*\*/);
    assert.match(out, /traefik\.enable=true/, 'other labels stay');
  });

  it('configs content, credential-named keys, provider tokens, URL passwords, comments', () => {
    masked(
      [
        'configs:',
        '  app:',
        '    content: |',
        '      db_password=LEAKconfig1',
        '      token: LEAKconfig2',
        '      level = info',
        'services:',
        '  app:',
        '    environment:',
        '      POSTGRES_PASSWORD: "LEAKpass"  # dev only',
        `      GH: ${GH}`,
        `      - AWS_ACCESS_KEY_ID=${AWS_ID}`.replace('- ', ''),
        '      DATABASE_URL: postgres://app:LEAKurl@db:5432/app',
        `      AUTH_HEADER: "Bearer ${JWT}"`,
        `    # old token: ${GH}`,
        '',
      ].join('\n'),
      ['LEAKconfig1', 'LEAKconfig2', 'LEAKpass', GH, AWS_ID, 'LEAKurl', JWT],
    );
  });

  it('values known from the env files are masked wherever they appear', () => {
    masked(
      'services:\n  app:\n    image: x\n    # the password is LEAKknown1 for now\n    command: ["app", "LEAKknown1"]\n',
      ['LEAKknown1'],
      ['LEAKknown1'],
    );
  });

  it('keeps what is not secret readable', () => {
    const text = [
      'services:',
      '  web:',
      '    image: nginx@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
      '    restart: unless-stopped',
      '    command: ["nginx", "-g", "daemon off;"]',
      '    ports: ["8080:80"]',
      '    environment:',
      '      PASSWORD_MIN_LENGTH: 8',
      '      JWT_SECRET_FILE: /run/secrets/x',
      '      API_KEY: ${API_KEY}',
      '      API_TOKEN: ${API_TOKEN:?API_TOKEN is required}',
      '      ENABLE_AUTH: "true"',
      '      DATABASE_URL: postgres://user:${DB_PASSWORD}@db/app',
      '      DB_PASSWORD:',
      '    healthcheck:',
      '      test: ["CMD-SHELL", "mysqladmin ping -p$$MYSQL_ROOT_PASSWORD"]',
      '',
    ].join('\n');
    assert.equal(mask(text), text);
  });

  it('app-compose.json: the embedded compose string is masked with what its own masking found', () => {
    const dir = mkdtempSync(join(tmpdir(), 'preflight-mask-'));
    try {
      const compose =
        'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: LEAKmanifest1\n';
      writeFileSync(
        join(dir, 'app-compose.json'),
        JSON.stringify(
          { manifest_version: 2, name: 'x', runner: 'docker-compose', docker_compose_file: compose },
          null,
          2,
        ),
      );
      const { report, projects } = checkDetailed([dir], { cwd: dir });
      const sources = maskedSources(projects);
      const manifest = sources.get('app-compose.json')!;
      assert.ok(manifest && !manifest.includes('LEAKmanifest1'), manifest);
      assert.ok(!sources.get('app-compose.json#docker_compose_file')!.includes('LEAKmanifest1'));
      const text = renderReport(report, 'text', { maskedSources: sources, catalogue, context: 50 } as never);
      assert.ok(!text.includes('LEAKmanifest1'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the text and html reports of a project hold none of its secrets, with every line as context', () => {
    const dir = mkdtempSync(join(tmpdir(), 'preflight-mask-'));
    try {
      writeFileSync(
        join(dir, 'compose.yaml'),
        [
          'services:',
          '  db:',
          '    image: postgres:16',
          '    environment:',
          '      POSTGRES_PASSWORD: ${DB_PASSWORD:-LEAKr1}',
          '      PRIVATE_KEY: |',
          '        LEAKr2',
          '    command: ["postgres", "--password", "LEAKr3"]',
          '',
        ].join('\n'),
      );
      writeFileSync(join(dir, '.env'), 'SESSION_SECRET=LEAKr4envvalue\n');
      const { report, projects } = checkDetailed([dir], { cwd: dir });
      for (const format of ['text', 'html'] as const) {
        const out = renderReport(report, format, { maskedSources: maskedSources(projects), catalogue });
        for (const s of ['LEAKr1', 'LEAKr2', 'LEAKr3', 'LEAKr4']) assert.ok(!out.includes(s), `${s} in ${format}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reuses the loader's parse only for the text it was made of", () => {
    const text = 'services:\n  db:\n    environment:\n      DB_PASSWORD: LEAKparsed1 # LEAKparsed1\n';
    const { source } = parseYamlSource('compose.yaml', text);
    const reused = maskSourceText('compose.yaml', text, { parsed: source });
    assert.deepEqual(reused, maskSourceText('compose.yaml', text));
    assert.ok(!reused.text.includes('LEAKparsed1'), reused.text);
    // An edited text (`fix`) is parsed itself: its own secret is masked, not the parse's.
    const edited = text.replace('LEAKparsed1 #', 'LEAKedited22 #');
    const out = maskSourceText('compose.yaml', edited, { parsed: source }).text;
    assert.ok(!out.includes('LEAKedited22'), out);
    assert.equal(out, mask(edited));
  });
});

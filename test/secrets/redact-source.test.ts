import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactSourceLine } from '../../src/knowledge/redact-source.js';
import { checkDetailed } from '../../src/commands/check.js';
import { renderText } from '../../src/report/text.js';
import { meta } from '../support/catalogue.js';

// Fake tokens assembled at runtime so this file does not itself look like a leak.
const GH = 'ghp_' + 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5';
const AWS_ID = 'AKIA' + 'IOSFODNN7EXAMPLE';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' +
  '.eyJzdWIiOiIxMjM0NTY3ODkwIn0' +
  '.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const PEM_BODY = 'MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB';

test('masks values of credential-shaped keys in YAML, dotenv and list syntax', () => {
  assert.equal(redactSourceLine('      POSTGRES_PASSWORD: hunter2'), '      POSTGRES_PASSWORD: ****');
  assert.equal(
    redactSourceLine('      POSTGRES_PASSWORD: "hunter2"  # dev only'),
    '      POSTGRES_PASSWORD: "****"  # dev only',
  );
  assert.equal(redactSourceLine("      - 'DB_PASSWORD=hunter2'"), "      - 'DB_PASSWORD=****'");
  assert.equal(redactSourceLine('      - DB_PASSWORD=hunter2'), '      - DB_PASSWORD=****');
  assert.equal(redactSourceLine('DB_PASSWORD=hunter2'), 'DB_PASSWORD=****');
  assert.equal(redactSourceLine('      SESSION_SECRET: changeme'), '      SESSION_SECRET: ****');
});

test('keeps near-misses: references, _FILE paths, settings about secrets, booleans, numbers', () => {
  const keep = [
    '      PASSWORD_MIN_LENGTH: 8',
    '      JWT_SECRET_FILE: /run/secrets/x',
    '      API_KEY: ${API_KEY}',
    '      API_KEY: ${API_KEY:?API_KEY is required}',
    '      ENABLE_AUTH: "true"',
    '      DATABASE_URL: postgres://user:${DB_PASSWORD}@db/app',
    '      DB_PASSWORD:',
    '    image: nginx@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
    '      PRIVATE_KEY: |',
    '    restart: unless-stopped',
  ];
  for (const line of keep) assert.equal(redactSourceLine(line), line, line);
});

test('masks provider tokens, URL passwords, flags and random-looking tokens anywhere on the line', () => {
  const gh = redactSourceLine(`      GH: ${GH}`);
  assert.equal(gh, '      GH: ****');
  assert.equal(redactSourceLine(`      - AWS_ACCESS_KEY_ID=${AWS_ID}`), '      - AWS_ACCESS_KEY_ID=****');
  assert.equal(
    redactSourceLine('      DATABASE_URL: postgres://app:s3cr3tPass@db:5432/app'),
    '      DATABASE_URL: postgres://app:****@db:5432/app',
  );
  assert.equal(
    redactSourceLine('    command: redis-server --requirepass Sup3rS3cretValue'),
    '    command: redis-server --requirepass ****',
  );
  assert.equal(redactSourceLine(`    labels: { auth: "Bearer ${JWT}" }`), '    labels: { auth: "Bearer ****" }');
  assert.equal(redactSourceLine(`        ${PEM_BODY}`), '        ****');
});

test('masks each line of a compose file embedded in app-compose.json', () => {
  const line = `{"docker_compose_file":"services:\\n  web:\\n    environment:\\n      - \\"DB_PASSWORD=hunter2\\"\\n      TOKEN: ${GH}\\n"}`;
  const out = redactSourceLine(line);
  assert.ok(!out.includes('hunter2'), out);
  assert.ok(!out.includes(GH), out);
  assert.ok(out.includes('DB_PASSWORD=****'), out);
});

test('renderText with sources prints no secret value of a compose file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-redact-'));
  const password = 'Tr0ub4dor-and-3';
  try {
    writeFileSync(
      join(dir, 'docker-compose.yml'),
      [
        'services:',
        '  db:',
        '    image: postgres:16',
        '    environment:',
        `      POSTGRES_PASSWORD: ${password}`,
        `      GITHUB_TOKEN: "${GH}"`,
        '  app:',
        '    image: app:1',
        `    command: ["app", "--db", "postgres://app:${password}@db/app"]`,
        '',
      ].join('\n'),
    );
    const { report, projects } = checkDetailed([dir], { cwd: dir });
    assert.ok(
      report.findings.some((f) => f.ruleId === 'plaintext-secret'),
      'the plaintext secrets are found',
    );
    const sources = new Map<string, string>();
    for (const p of projects) for (const [file, src] of p.sources) sources.set(file, src.text);
    const text = renderText(report, { sources, context: 3, meta });
    assert.ok(text.includes('POSTGRES_PASSWORD: ****'), 'the excerpt still shows the key');
    assert.ok(!text.includes(password), 'password leaked into the text report');
    assert.ok(!text.includes(GH), 'token leaked into the text report');
    assert.ok(
      !JSON.stringify(report).includes(password) && !JSON.stringify(report).includes(GH),
      'secret in the report object',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

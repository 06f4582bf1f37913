/**
 * Errors name the file, line and column and the key, never a value: every malformed input below
 * holds a marker where a secret would be, and no message may contain it. An env file with several
 * bad lines is reported once, one line per problem.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runBuiltCli } from '../support/cli.js';

const MARK = 'SECRETmarkQ7';
const dir = mkdtempSync(join(tmpdir(), 'preflight-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  name: string;
  files: Record<string, string>;
  args: string[];
  /** Each stderr line, in order (regexps over the whole line). */
  lines: RegExp[];
}

const NGINX = 'services:\n  web:\n    image: nginx:1.27\n';

const CASES: Case[] = [
  {
    name: 'an env file with several bad lines: each problem on its own line',
    files: {
      'compose.yaml': NGINX,
      '.env': `A=1\n${MARK} is the password\nB="${MARK}" trailing ${MARK}\n=${MARK}\nC=\${UNCLOSED${MARK}\nD=ok\n`,
    },
    args: ['check', '.'],
    lines: [
      /^preflight: \.env:2:\d+: not a KEY=VALUE line: a variable name holds only/,
      /^preflight: \.env:3:\d+: text after the closing quote of the value of B$/,
      /^preflight: \.env:4:1: not a KEY=VALUE line: it does not start with a variable name$/,
      /^preflight: \.env:5: unclosed "\$\{" in the value of C$/,
    ],
  },
  {
    name: 'a value pasted as a variable name of absurd length is not echoed',
    files: { 'compose.yaml': NGINX, '.env': `${MARK.repeat(5000)} x\n` },
    args: ['check', '.'],
    lines: [/^preflight: \.env:1:\d+: not a KEY=VALUE line/],
  },
  {
    name: 'unclosed ${ in a compose value: the key path, not the value',
    files: { 'compose.yaml': `${NGINX}    environment:\n      DB_PASSWORD: "${MARK}\${UNCLOSED"\n` },
    args: ['check', '.'],
    lines: [/^preflight: compose\.yaml:5:20: unclosed "\$\{" in the value of services\.web\.environment\.DB_PASSWORD$/],
  },
  {
    name: 'a YAML escape error does not quote the escape',
    files: { 'compose.yaml': `${NGINX}    environment:\n      A: "\\u${MARK}"\n` },
    args: ['check', '.'],
    lines: [/^preflight: compose\.yaml:5:\d+: invalid YAML: an invalid escape sequence in a double-quoted string/],
  },
  {
    name: 'app-compose.json syntax errors name the real line and column, not the text',
    files: { 'app-compose.json': `{\n  "name": "x",\n  "docker_compose_file": ${MARK}\n}\n` },
    args: ['check', '.'],
    lines: [/^preflight: app-compose\.json:3:26: invalid JSON: unexpected character$/],
  },
  {
    name: 'app-compose.json with a trailing comma',
    files: { 'app-compose.json': `{\n  "name": "${MARK}",\n}\n` },
    args: ['check', '.'],
    lines: [/^preflight: app-compose\.json:3:1: invalid JSON: a property name in double quotes expected/],
  },
  {
    name: 'secrets encrypt: every bad line of the env file at once',
    files: { 'secrets.env': `GOOD=1\nBAD LINE ${MARK}\nX='${MARK}` },
    args: ['secrets', 'encrypt', '--env-file', 'secrets.env', '--pubkey', '11'.repeat(32)],
    lines: [
      /^preflight: secrets\.env:2:\d+: not a KEY=VALUE line/,
      /^preflight: secrets\.env:3:3: the single-quoted value of X is never closed$/,
    ],
  },
];

describe('error messages: where and what, never the value', () => {
  CASES.forEach((c, i) => {
    it(c.name, () => {
      const caseDir = join(dir, `case-${i}`);
      mkdirSync(caseDir, { recursive: true });
      for (const [name, content] of Object.entries(c.files)) writeFileSync(join(caseDir, name), content);
      const r = runBuiltCli(c.args, { cwd: caseDir });
      assert.equal(r.code, 2, `exit 2; stderr: ${r.stderr}`);
      assert.ok(!r.stderr.includes(MARK.slice(0, 6)), `no value in: ${r.stderr.slice(0, 500)}`);
      assert.ok(!r.stdout.includes(MARK.slice(0, 6)));
      assert.doesNotMatch(r.stderr, /internal error|^\s+at /m);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, c.lines.length, `one line per problem:\n${r.stderr.slice(0, 2000)}`);
      for (const [n, re] of c.lines.entries()) assert.match(lines[n]!, re);
    });
  });
});

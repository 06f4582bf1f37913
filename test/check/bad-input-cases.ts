/**
 * Hostile and broken input for `preflight check`: each case must end in one clear line on stderr that
 * names the file (and the line where there is one), exit 2. test/check/bad-input.test.ts asserts the
 * behaviour; `npm run bench` runs the same cases and shows how long each took against its bound.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const NGINX = 'services:\n  web:\n    image: nginx:1.27\n';

/** Billion laughs: nine levels of nine aliases each, 9^9 nodes if expanded. */
export function aliasBomb(): string {
  const lines = ['x-a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  const names = 'abcdefghi';
  for (let i = 1; i < names.length; i++)
    lines.push(
      `x-${names[i]}: &${names[i]} [${Array(9)
        .fill(`*${names[i - 1]}`)
        .join(', ')}]`,
    );
  lines.push('services:', '  web:', '    image: nginx:1.27', '    labels:', '      bomb: *i');
  return lines.join('\n') + '\n';
}

export function tenMegabytes(): string {
  const label = 'x'.repeat(80);
  const rows: string[] = [NGINX + '    labels:'];
  for (let i = 0; i < 115_000; i++) rows.push(`      l${i}: "${label}"`);
  return rows.join('\n') + '\n';
}

export interface BadCase {
  name: string;
  files: Record<string, string | Buffer>;
  /** CLI arguments after `check` (relative to the case directory). */
  args: string[];
  /** The file the message must name, and whether a line number is expected. */
  names: string;
  line?: number;
  /** What the message must say. */
  says: RegExp;
}

export const CASES: BadCase[] = [
  {
    name: 'not YAML',
    files: { 'compose.yaml': 'services:\n  web:\n    image: [unclosed\n' },
    args: ['.'],
    names: 'compose.yaml',
    line: 4,
    says: /invalid YAML/,
  },
  {
    name: 'YAML alias bomb (billion laughs)',
    files: { 'compose.yaml': aliasBomb() },
    args: ['.'],
    names: 'compose.yaml',
    says: /alias/,
  },
  {
    name: 'binary file',
    files: { 'compose.yaml': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0xff, 0xfe, 0x00]) },
    args: ['.'],
    names: 'compose.yaml',
    says: /binary/,
  },
  { name: 'missing file', files: {}, args: ['nope/compose.yaml'], names: 'nope/compose.yaml', says: /no such file/ },
  {
    name: 'missing -f file',
    files: { 'compose.yaml': NGINX },
    args: ['-f', 'compose.yaml', '-f', 'gone.yaml'],
    names: 'gone.yaml',
    says: /no such file/,
  },
  {
    name: 'services is a list',
    files: { 'compose.yaml': 'services: [1, 2]\n' },
    args: ['.'],
    names: 'compose.yaml',
    line: 1,
    says: /services must be a mapping/,
  },
  {
    name: 'a service that is a string',
    files: { 'compose.yaml': 'services:\n  web: "nginx:latest"\n' },
    args: ['.'],
    names: 'compose.yaml',
    line: 2,
    says: /service "web" must be a mapping/,
  },
  {
    name: 'top level is a list',
    files: { 'compose.yaml': '- a\n- b\n' },
    args: ['.'],
    names: 'compose.yaml',
    line: 1,
    says: /mapping/,
  },
  { name: 'a 10 MB file', files: { 'compose.yaml': tenMegabytes() }, args: ['.'], names: 'compose.yaml', says: /MiB/ },
  {
    name: 'app-compose.json that is not JSON',
    files: { 'app-compose.json': '{ "docker_compose_file": "services: {}", oops }\n' },
    args: ['.'],
    names: 'app-compose.json',
    line: 1,
    says: /invalid JSON/,
  },
  {
    name: 'app-compose.json whose docker_compose_file is not YAML',
    files: {
      'app-compose.json': JSON.stringify(
        { manifest_version: 2, docker_compose_file: 'services:\n  web:\n    image: [x\n' },
        null,
        2,
      ),
    },
    args: ['.'],
    names: 'app-compose.json#docker_compose_file',
    line: 4,
    says: /invalid YAML/,
  },
  {
    name: '.preflight.yml with an unknown rule',
    files: { 'compose.yaml': NGINX, '.preflight.yml': 'rules:\n  no-such-rule: off\n' },
    args: ['.'],
    names: '.preflight.yml',
    line: 2,
    says: /unknown rule "no-such-rule"/,
  },
  {
    name: '.preflight.yml exemption without a reason',
    files: { 'compose.yaml': NGINX, '.preflight.yml': 'exemptions:\n  - rule: restart-policy\n    service: web\n' },
    args: ['.'],
    names: '.preflight.yml',
    line: 2,
    says: /reason/,
  },
  {
    name: '--config file that is missing',
    files: { 'compose.yaml': NGINX },
    args: ['.', '--config', 'missing.yml'],
    names: 'missing.yml',
    says: /missing\.yml: no such file/,
  },
  {
    name: 'unclosed interpolation',
    files: { 'compose.yaml': NGINX + '    environment:\n      A: "${UNCLOSED"\n' },
    args: ['.'],
    names: 'compose.yaml',
    line: 5,
    says: /unclosed/,
  },
  {
    name: 'extends a file that does not exist',
    files: { 'compose.yaml': 'services:\n  web:\n    extends:\n      file: base.yaml\n      service: web\n' },
    args: ['.'],
    names: 'compose.yaml',
    line: 3,
    says: /base\.yaml not found/,
  },
  {
    name: 'directory without a compose file',
    files: { 'empty/README.md': 'hi\n' },
    args: ['empty'],
    names: 'empty',
    says: /no compose file/,
  },
];

/** Write a case's files into `caseDir` (created), ready for `preflight check <args>` run from there. */
export function writeCaseFiles(caseDir: string, c: BadCase): void {
  mkdirSync(caseDir, { recursive: true });
  for (const [name, content] of Object.entries(c.files)) {
    mkdirSync(dirname(join(caseDir, name)), { recursive: true });
    writeFileSync(join(caseDir, name), content);
  }
}

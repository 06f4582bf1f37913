import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { check } from '../../src/commands/check.js';
import { meta, ruleMeta } from '../support/catalogue.js';
import { SECTIONS, type Finding, type Report } from '../../src/findings/types.js';
import { ruleDocsUrl } from '../../src/report/docs-url.js';
import { escapeData, escapeProperty, findRepoRoot, renderGithub } from '../../src/report/github.js';
import { REPORT_FORMATS } from '../../src/report/index.js';
import '../../src/rules/index.js';
import { runBuiltCli } from '../support/cli.js';

function finding(over: Partial<Finding>): Finding {
  return {
    ruleId: 'restart-policy',
    severity: 'warning',
    section: 'restart',
    message: 'm',
    file: 'compose.yaml',
    line: 4,
    column: 3,
    ...over,
  };
}

const base: Report = {
  tool: { name: 'preflight', version: '0.1.0' },
  targets: [],
  score: { overall: 100, sections: Object.fromEntries(SECTIONS.map((s) => [s, 100])) as Report['score']['sections'] },
  findings: [],
  suppressed: [],
};

/** Parse `::cmd k=v,k=v::data` the way the runner does: split on the first `::` after the name, then `,` and `=`. */
function parseCommand(line: string) {
  const m = /^::([a-z]+) ([^:]*)::(.*)$/.exec(line);
  assert.ok(m, `a workflow command: ${line}`);
  const decode = (s: string) =>
    s.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const props = Object.fromEntries(
    m[2]!.split(',').map((kv) => {
      const i = kv.indexOf('=');
      return [kv.slice(0, i), decode(kv.slice(i + 1))];
    }),
  );
  return { command: m[1]!, props, data: decode(m[3]!) };
}

describe('--format github (workflow annotations)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'preflight-gh-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('escapes data (%, CR, LF) and properties (also : and ,) as the Actions toolkit does', () => {
    assert.equal(escapeData('50% a\r\nb: c, d'), '50%25 a%0D%0Ab: c, d');
    assert.equal(escapeProperty('50% a\r\nb: c, d'), '50%25 a%0D%0Ab%3A c%2C d');
  });

  it('one command per finding, severities mapped to error, warning and notice, suppressed ones left out', () => {
    const out = renderGithub(
      {
        ...base,
        findings: [
          finding({ severity: 'error', endLine: 4, endColumn: 9 }),
          finding({ severity: 'warning' }),
          finding({ severity: 'info' }),
        ],
        suppressed: [{ ...finding({}), suppression: { kind: 'inline', reason: 'r' } }],
      },
      { meta, cwd: tmp, repoRoot: tmp },
    );
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.deepEqual(
      lines.map((l) => parseCommand(l).command),
      ['error', 'warning', 'notice'],
    );
    const first = parseCommand(lines[0]!);
    assert.deepEqual(first.props, {
      file: 'compose.yaml',
      line: '4',
      col: '3',
      endLine: '4',
      endColumn: '9',
      title: `restart-policy: ${ruleMeta('restart-policy')!.title}`,
    });
    assert.equal(first.data, `m\nFix: ${ruleMeta('restart-policy')!.fixHint}\nDocs: ${ruleDocsUrl('restart-policy')}`);
  });

  it('a message or service cannot start another command or break the properties', () => {
    const evil = 'x\n::error file=/etc/passwd::owned, 100%: done\r';
    const out = renderGithub(
      { ...base, findings: [finding({ message: evil, service: 'a,b:c', file: 'dir,1/x:y.yml' })] },
      { meta, cwd: tmp, repoRoot: tmp },
    );
    assert.equal(out.split('\n').filter(Boolean).length, 1, 'still one line');
    const c = parseCommand(out.trimEnd());
    assert.equal(c.props.file, 'dir,1/x:y.yml');
    assert.equal(c.props.title!.startsWith('restart-policy (a,b:c)'), true);
    assert.ok(c.data.startsWith(evil));
  });

  it('paths are relative to the repository root, whatever directory it runs in', () => {
    const repo = join(tmp, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    mkdirSync(join(repo, 'deploy', 'app'), { recursive: true });
    assert.equal(findRepoRoot(join(repo, 'deploy', 'app')), repo);
    const report = {
      ...base,
      findings: [finding({ file: 'app/compose.yaml' }), finding({ file: join(repo, 'x.yml') })],
    };
    const files = renderGithub(report, { meta, cwd: join(repo, 'deploy') })
      .trimEnd()
      .split('\n')
      .map((l) => parseCommand(l).props.file);
    assert.deepEqual(files, ['deploy/app/compose.yaml', 'x.yml']);
  });

  it('a finding inside an embedded compose string annotates the manifest and names the position in the message', () => {
    const out = renderGithub(
      { ...base, findings: [finding({ file: 'app-compose.json#docker_compose_file', line: 7, column: 9 })] },
      { meta, cwd: tmp, repoRoot: tmp },
    );
    const c = parseCommand(out.trimEnd());
    assert.equal(c.props.file, 'app-compose.json');
    assert.equal(c.props.line, undefined);
    assert.ok(c.data.startsWith('docker_compose_file 7:9: m'));
  });

  it('check --format github on the bundled example: one annotation per finding, paths from the repository root', () => {
    assert.ok(REPORT_FORMATS.includes('github'));
    const r = runBuiltCli(['check', 'examples/shop', '--format', 'github']);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    const report = check(['examples/shop']);
    assert.equal(lines.length, report.findings.length);
    lines.forEach((l, i) => {
      const c = parseCommand(l);
      const f = report.findings[i]!;
      assert.equal(c.props.file, 'examples/shop/docker-compose.yml');
      assert.equal(c.props.line, String(f.line));
      assert.equal(c.command, { error: 'error', warning: 'warning', info: 'notice' }[f.severity]);
    });
  });
});

#!/usr/bin/env node
// Compares `preflight check --format json` of the same inputs at two git revisions, to show that a
// refactoring changed no finding (issue 12: "the corpus reports are identical before and after").
// Each revision is checked out into a temporary worktree, built, and run; the reports are compared
// with the tool version, timings and absolute paths left out.
//
//   node scripts/compare-reports.mjs <old-rev> <new-rev> [check args…]   (default args: -r ../shared/corpus)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [oldRev, newRev, ...rest] = process.argv.slice(2);
if (!oldRev || !newRev) {
  process.stderr.write('usage: node scripts/compare-reports.mjs <old-rev> <new-rev> [check args…]\n');
  process.exit(2);
}
const repo = resolve(new URL('..', import.meta.url).pathname);
const args = rest.length ? rest : ['-r', resolve(repo, '..', 'shared', 'corpus')];

function reportAt(rev) {
  const dir = mkdtempSync(join(tmpdir(), `preflight-${rev.replace(/\W/g, '')}-`));
  try {
    execFileSync('git', ['-C', repo, 'worktree', 'add', '--detach', dir, rev], { stdio: 'ignore' });
    symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
    execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: 'ignore' });
    const r = spawnSync(
      process.execPath,
      ['--', join(dir, 'bin', 'preflight.js'), 'check', ...args, '--format', 'json'],
      {
        cwd: repo,
        encoding: 'utf8',
        maxBuffer: 512 * 1024 * 1024,
      },
    );
    if (r.status !== 0 && r.status !== 1) throw new Error(`${rev}: exit ${r.status}: ${r.stderr.split('\n')[0]}`);
    const report = JSON.parse(r.stdout);
    delete report.tool;
    return report;
  } finally {
    spawnSync('git', ['-C', repo, 'worktree', 'remove', '--force', dir], { stdio: 'ignore' });
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}

const a = reportAt(oldRev);
const b = reportAt(newRev);
const key = (f) => `${f.ruleId} ${f.file}:${f.line}:${f.column} [${f.service ?? ''}] ${f.severity} ${f.message}`;
const only = (x, y) => x.filter((k) => !y.includes(k));
const fa = [...a.findings, ...a.suppressed].map(key);
const fb = [...b.findings, ...b.suppressed].map(key);
const lost = only(fa, fb);
const added = only(fb, fa);
process.stdout.write(
  `${oldRev}: ${a.findings.length} findings, ${a.suppressed.length} suppressed, ${a.targets.length} targets\n` +
    `${newRev}: ${b.findings.length} findings, ${b.suppressed.length} suppressed, ${b.targets.length} targets\n`,
);
for (const k of lost) process.stdout.write(`- ${k}\n`);
for (const k of added) process.stdout.write(`+ ${k}\n`);
const same = !lost.length && !added.length && JSON.stringify(a.score) === JSON.stringify(b.score);
process.stdout.write(same ? 'identical\n' : 'DIFFERENT\n');
process.exit(same ? 0 : 1);

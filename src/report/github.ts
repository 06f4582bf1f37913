import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Finding, Report, Severity } from '../findings/types.js';
import { ruleDocsUrl } from './docs-url.js';
import { fixText, type MetaLookup } from './rule-meta.js';

/**
 * GitHub Actions workflow commands, one per finding
 * (https://docs.github.com/actions/reference/workflow-commands-for-github-actions):
 * `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`. GitHub shows them as
 * annotations on the file; paths must be relative to the repository root. Suppressed findings are
 * not annotated.
 */
export interface GithubOptions {
  meta: MetaLookup;
  /** Directory the findings' relative file names are relative to (default: the working directory). */
  cwd?: string;
  /**
   * The repository root paths are made relative to (default: the nearest `.git` above `cwd`, else `GITHUB_WORKSPACE`,
   * else `cwd`).
   */
  repoRoot?: string;
}

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = {
  error: 'error',
  warning: 'warning',
  info: 'notice',
};

export function renderGithub(report: Report, opts: GithubOptions): string {
  const meta = opts.meta;
  const cwd = opts.cwd ?? process.cwd();
  const root = opts.repoRoot ?? findRepoRoot(cwd) ?? process.env.GITHUB_WORKSPACE ?? cwd;
  // A project that could not be loaded is an error annotation at the place its error names.
  const loadErrors = report.targets.flatMap((t) =>
    t.error
      ? [
          annotation(
            {
              ruleId: 'input-error',
              severity: 'error',
              section: 'platform',
              message: t.error.message,
              file: t.error.file ?? t.files[0] ?? t.dir,
              line: t.error.line ?? 1,
              column: t.error.column ?? 1,
            },
            meta,
            cwd,
            root,
          ) + '\n',
        ]
      : [],
  );
  return loadErrors.join('') + report.findings.map((f) => annotation(f, meta, cwd, root) + '\n').join('');
}

function annotation(f: Finding, meta: MetaLookup, cwd: string, root: string): string {
  const hash = f.file.indexOf('#');
  const embedded = hash > 0;
  const props: [string, string | number][] = [['file', repoPath(embedded ? f.file.slice(0, hash) : f.file, cwd, root)]];
  // Lines inside an embedded compose string (app-compose.json#docker_compose_file) are not lines of
  // the manifest: annotate the file, and say where in the string in the message.
  if (!embedded) {
    props.push(['line', Math.max(1, f.line)], ['col', Math.max(1, f.column)]);
    if (f.endLine !== undefined) props.push(['endLine', Math.max(f.line, f.endLine)]);
    if (f.endColumn !== undefined && (f.endLine ?? f.line) === f.line) props.push(['endColumn', f.endColumn]);
  }
  const title = meta(f.ruleId)?.title;
  props.push(['title', `${f.ruleId}${f.service !== undefined ? ` (${f.service})` : ''}${title ? `: ${title}` : ''}`]);
  const lines = [embedded ? `${f.file.slice(hash + 1)} ${f.line}:${f.column}: ${f.message}` : f.message];
  if (f.related?.length)
    lines.push(
      `Also at: ${f.related.map((r) => `${r.file}:${r.line}${r.service ? ` (${r.service})` : ''}`).join(', ')}`,
    );
  const fix = fixText(f, meta);
  if (fix) lines.push(`Fix: ${fix}`);
  if (meta(f.ruleId)) lines.push(`Docs: ${ruleDocsUrl(f.ruleId)}`);
  return (
    `::${COMMAND[f.severity]} ${props.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',')}:` +
    `:${escapeData(lines.join('\n'))}`
  );
}

/** The message part of a workflow command: `%`, CR and LF are encoded (GitHub's toolkit `escapeData`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value: as data, plus `:` and `,`, which delimit properties (the toolkit's `escapeProperty`). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function repoPath(file: string, cwd: string, root: string): string {
  const abs = isAbsolute(file) ? file : resolve(cwd, file);
  const rel = relative(root, abs);
  return (rel || '.').split(sep).join('/');
}

/** The nearest directory at or above `dir` that holds `.git` (a directory, or a worktree's file). */
export function findRepoRoot(dir: string): string | undefined {
  let at = resolve(dir);
  for (;;) {
    if (existsSync(join(at, '.git'))) return at;
    const up = dirname(at);
    if (up === at) return undefined;
    at = up;
  }
}

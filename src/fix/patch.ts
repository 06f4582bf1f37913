import { formatPatch, structuredPatch, type StructuredPatch } from 'diff';
import type { TextEdit } from '../findings/types.js';
import type { AppliedFix } from './apply.js';

export interface FileChange {
  file: string;
  before: string;
  after: string;
  /** The fix creates the file (`.preflight.yml` for a deployment setting). */
  created: boolean;
  /**
   * `before` and `after` with secret values masked, line for line (commands/sources.ts): what the
   * printed diff shows. Without it the diff shows the texts as they are.
   */
  masked?: { before: string; after: string };
  /** The edits of `before` that make `after` (offsets into `before`). */
  edits: TextEdit[];
}

/**
 * One unified diff per changed file, `git apply`/`patch -p1` compatible, each preceded by `#` lines
 * naming the fixes in it; a fix that changes what the app does at run time says so there.
 */
export function unifiedPatch(
  changes: readonly FileChange[],
  applied: readonly AppliedFix[],
  notes: readonly string[] = [],
): string {
  let out = '';
  for (const c of changes) {
    const noted = notes.filter((n) => n.startsWith(`${c.file}: `)).map((n) => `# note: ${n}\n`);
    const header = applied
      .filter((a) => a.files.includes(c.file))
      .map(
        (a) =>
          `# ${a.ruleId}: ${a.description}` +
          `${a.changesBehaviour ? ` [changes behaviour: ${a.changesBehaviour}]` : ''}` +
          `${a.pass && a.pass > 1 ? ` (pass ${a.pass})` : ''}\n`,
      )
      .join('')
      .concat(noted.join(''));
    const patch = structuredPatch(
      c.created ? '/dev/null' : `a/${patchPath(c.file)}`,
      `b/${patchPath(c.file)}`,
      c.before,
      c.after,
      undefined,
      undefined,
      { context: 3 },
    );
    if (c.masked) maskHunks(patch.hunks, c.masked);
    // jsdiff starts with a `====` separator line; patch tools need only the ---/+++ headers.
    out += header + formatPatch(patch).replace(/^=+\n/, '');
  }
  return out;
}

/** The path under `a/` and `b/` (an absolute one loses its leading slash, as git writes it). */
function patchPath(file: string): string {
  return file.replace(/^\/+/, '');
}

/**
 * Each line of each hunk replaced by the same line of the masked text (context and removed lines
 * from the masked original, added lines from the masked edit): the hunks keep their shape and
 * line numbers, and no secret value is printed. A hunk whose lines hold a secret then no longer
 * applies with `patch`; `--write` applies the real edit (docs/decisions.md).
 */
function maskHunks(hunks: StructuredPatch['hunks'], masked: { before: string; after: string }): void {
  const before = masked.before.split('\n');
  const after = masked.after.split('\n');
  for (const h of hunks) {
    let oldLine = h.oldStart - 1;
    let newLine = h.newStart - 1;
    h.lines = h.lines.map((l) => {
      const sign = l[0];
      if (sign === ' ') {
        newLine++;
        return ` ${before[oldLine++] ?? l.slice(1)}`;
      }
      if (sign === '-') return `-${before[oldLine++] ?? l.slice(1)}`;
      if (sign === '+') return `+${after[newLine++] ?? l.slice(1)}`;
      return l;
    });
  }
}

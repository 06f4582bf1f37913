import { createTwoFilesPatch } from 'diff';
import type { AppliedFix } from './apply.js';

export interface FileChange {
  file: string;
  before: string;
  after: string;
  /** The fix creates the file (`.preflight.yml` for a deployment setting). */
  created: boolean;
}

/**
 * One unified diff per changed file, `git apply`/`patch -p1` compatible, each preceded by `#` lines
 * naming the fixes in it; a fix that changes what the app does at run time says so there.
 */
export function unifiedPatch(changes: readonly FileChange[], applied: readonly AppliedFix[]): string {
  let out = '';
  for (const c of changes) {
    const header = applied
      .filter((a) => a.files.includes(c.file))
      .map(
        (a) =>
          `# ${a.ruleId}: ${a.description}${a.changesBehaviour ? ` [changes behaviour: ${a.changesBehaviour}]` : ''}\n`,
      )
      .join('');
    const patch = createTwoFilesPatch(
      c.created ? '/dev/null' : `a/${patchPath(c.file)}`,
      `b/${patchPath(c.file)}`,
      c.before,
      c.after,
      undefined,
      undefined,
      { context: 3 },
    );
    // jsdiff starts with a `====` separator line; patch tools need only the ---/+++ headers.
    out += header + patch.replace(/^=+\n/, '');
  }
  return out;
}

/** The path under `a/` and `b/` (an absolute one loses its leading slash, as git writes it). */
function patchPath(file: string): string {
  return file.replace(/^\/+/, '');
}

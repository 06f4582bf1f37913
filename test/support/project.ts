import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { loadProject, resolveTargets, type LoadOptions, type Project } from '../../src/compose/project.js';

/** A scratch directory for one test file, removed when the file's tests end. */
export function scratchDir(prefix: string): {
  root: string;
  project(name: string, files: Record<string, string>): string;
} {
  const root = mkdtempSync(join(tmpdir(), `preflight-${prefix}-`));
  after(() => rmSync(root, { recursive: true, force: true }));
  return {
    root,
    /** Write `files` (relative path → text) into `root/name` and return that directory. */
    project(name, files) {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, rel)), { recursive: true });
        writeFileSync(join(dir, rel), text);
      }
      return dir;
    },
  };
}

/** Load the project in `dir` as `preflight check` would, with file names shown relative to `dir`. */
export function load(
  dir: string,
  opts: Omit<LoadOptions, 'cwd'> & { paths?: string[]; withOverride?: boolean } = {},
): Project {
  const [target] = resolveTargets(opts.paths ?? ['.'], {
    files: opts.files,
    withOverride: opts.withOverride,
    cwd: dir,
  });
  return loadProject(target!, { ...opts, cwd: dir });
}

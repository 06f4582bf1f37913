import { createHash } from 'node:crypto';
import type { DiscoveredProject } from '../compose/discover.js';
import { resolve } from 'node:path';
import { loadProject, type Project } from '../compose/project.js';
import type { Catalogue } from '../findings/catalogue.js';
import type { ProjectRef } from './journal.js';

/**
 * A drill's compose project as its journal records it: where to load it from again (a resumed run
 * reloads it in a new process), and fingerprints that say whether it changed meanwhile. Env values
 * are never recorded, only their names.
 */
export function projectRef(project: Project, opts: { cwd?: string; strictRequired: boolean }): ProjectRef {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const target: DiscoveredProject = project.manifest
    ? { dir: project.dir, files: [resolve(cwd, project.manifest.file)], kind: 'app-compose' }
    : { dir: project.dir, files: project.composeFiles.map((f) => resolve(cwd, f)), kind: 'compose' };
  return {
    target,
    cwd,
    // The env files it read, `.env` included when it was picked up by default: a reload reads the same.
    ...(project.envFiles.length ? { envFiles: project.envFiles } : {}),
    strictRequired: opts.strictRequired,
    fingerprint: fingerprintOf(project),
  };
}

/** Load the project of a ref again (a resumed run), the way it was loaded when the run started. */
export function reloadProject(ref: ProjectRef, catalogue?: Catalogue): Project {
  return loadProject(ref.target, {
    cwd: ref.cwd,
    ...(ref.envFiles ? { envFiles: ref.envFiles } : {}),
    strictRequired: ref.strictRequired,
    ...(catalogue ? { catalogue } : {}),
  });
}

function fingerprintOf(project: Project): ProjectRef['fingerprint'] {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const { drill, rules, exemptions, deployment } = project.config;
  return {
    sources: Object.fromEntries([...project.sources].map(([name, src]) => [name, sha(src.text)]).sort()),
    envNames: [...project.env.keys()].sort(),
    config: sha(JSON.stringify({ drill: drill ?? null, rules, exemptions, deployment: deployment ?? null })),
  };
}

/** Why the project loaded now is not the one the run started with, or undefined when it is. */
export function changedSince(ref: ProjectRef, project: Project): string | undefined {
  const now = fingerprintOf(project);
  const was = ref.fingerprint;
  for (const [file, hash] of Object.entries(was.sources))
    if (now.sources[file] !== hash) return `${file} changed since the run started`;
  for (const file of Object.keys(now.sources))
    if (!(file in was.sources)) return `${file} is new since the run started`;
  if (now.envNames.join('\n') !== was.envNames.join('\n'))
    return 'the variables of the env file changed since the run started (names differ)';
  if (now.config !== was.config) return 'the settings of .preflight.yml changed since the run started';
  return undefined;
}

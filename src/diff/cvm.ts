/**
 * `preflight diff --cvm ID NEW`: OLD is what the CVM runs now, read through Phala Cloud
 * (`fetchDeployedEnv`, the one client). The deployed app-compose.json goes into a private temp
 * directory named after the CVM, so findings read `cvm-<id>/app-compose.json#docker_compose_file`,
 * and is loaded like any app-compose.json; its `allowed_envs` is then the deployed secret set.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadProject, resolveTargets } from '../compose/project.js';
import { UsageError } from '../util/errors.js';
import { fetchDeployedEnv, type CloudOptions } from '../secrets/cloud.js';
import { diffProjects, type DiffOptions, type DiffResult } from './index.js';

export interface CvmDiffOptions extends DiffOptions, CloudOptions {}

/** Diff the app a CVM runs now (OLD) against NEW (a compose project or app-compose.json). */
export async function diffCvm(cvm: string, newPath: string, opts: CvmDiffOptions = {}): Promise<DiffResult> {
  if (!cvm.trim()) throw new UsageError('--cvm needs a CVM id');
  const cwd = opts.cwd ?? process.cwd();
  // NEW is resolved first: a typo in its path should not cost a round trip to the cloud.
  const [newTarget] = resolveTargets([newPath], { cwd });
  const { catalogue } = opts;
  const newP = loadProject(newTarget!, { cwd, catalogue, envFiles: opts.newEnvFile ? [opts.newEnvFile] : undefined });

  const deployed = await fetchDeployedEnv(cvm, { apiKey: opts.apiKey, baseURL: opts.baseURL });
  const root = mkdtempSync(join(tmpdir(), 'preflight-cvm-')); // mode 0700: only this user reads it
  try {
    const dirName = cvmDirName(cvm);
    const dir = join(root, dirName);
    mkdirSync(dir, { mode: 0o700 });
    const manifest = join(dir, 'app-compose.json');
    writeFileSync(manifest, JSON.stringify(deployed.appCompose, null, 2) + '\n', { mode: 0o600 });
    // Loaded from the temp parent so its files are named `cvm-<id>/…`; everything the report needs
    // (source texts included) is held in memory, so the directory can go right after.
    const oldP = loadProject(
      { dir, files: [manifest], kind: 'app-compose' },
      { cwd: root, catalogue, envFiles: opts.oldEnvFile ? [resolve(cwd, opts.oldEnvFile)] : undefined },
    );
    const result = diffProjects(oldP, newP, { ...opts, cwd });
    // The temp path means nothing to the reader; the CVM's name does.
    result.report.targets[0] = { ...result.report.targets[0]!, dir: dirName };
    return result;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * A file-system-safe directory name for a CVM id (ids are names, UUIDs or `app_…` hashes): one path
 * component, since `/` is replaced and the `cvm-` prefix keeps it from being `.` or `..`.
 */
export function cvmDirName(cvm: string): string {
  return `cvm-${cvm.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

/**
 * `preflight secrets plan` end to end: load the compose project (or app-compose.json) with the new
 * secret set, read what is deployed (lockfile or Phala Cloud), plan, and write the lock when asked
 * and the plan does not block.
 */
import { InputError, UsageError } from '../util/errors.js';
import { loadProject, resolveTargets, interpolateString, type VarRef } from '../compose/index.js';
import { readSecretInput, validatedVars } from './input.js';
import { fetchDeployedEnv, type CloudOptions } from './cloud.js';
import { resolve } from 'node:path';
import { checkOutputTarget } from '../util/write-file.js';
import { buildLockfile, isLockfile, keyFileFor, loadLockKey, readLockfile, writeLockfile } from './lockfile.js';
import type { Catalogue } from '../findings/catalogue.js';
import { applyPolicy } from '../findings/policy.js';
import { planSecrets, type PreviousSet, type SecretPlan } from './plan.js';

export interface PlanRequest extends CloudOptions {
  /** Compose directory/files or an app-compose.json (default: current directory). */
  paths?: string[];
  files?: string[];
  envFile: string;
  previous?: string;
  cvm?: string;
  allowDrop?: string[];
  writeLock?: string;
  /** Let `writeLock` replace a file that is not a Preflight lockfile. */
  force?: boolean;
  cwd?: string;
  /** Rule ids `.preflight.yml` may name (every command's). */
  catalogue?: Catalogue;
}

export interface PlanOutcome {
  plan: SecretPlan;
  composeFiles: string[];
  lockWritten?: string;
  warnings: string[];
}

export async function runSecretsPlan(req: PlanRequest): Promise<PlanOutcome> {
  if (!req.envFile) throw new UsageError('give the new secret set with --env-file FILE');
  if (req.previous && req.cvm) throw new UsageError('give --previous LOCKFILE or --cvm ID, not both');
  const input = readSecretInput({ envFile: req.envFile });
  const vars = validatedVars(input);

  const [target] = resolveTargets(req.paths ?? [], { files: req.files, cwd: req.cwd });
  if (!target) throw new UsageError('no compose project given');
  // The new secret set is what the CVM interpolates with (the local .env is not shipped).
  const project = loadProject(target, { envFiles: [req.envFile], cwd: req.cwd, catalogue: req.catalogue });
  const cwd = req.cwd ?? process.cwd();
  const lockInputs = [
    resolve(cwd, req.envFile),
    ...[...project.sources.keys()].filter((f) => !f.includes('#')).map((f) => resolve(cwd, f)),
    ...(project.config.file ? [resolve(cwd, project.config.file)] : []),
  ];
  // Refused before the deployed set is fetched: the lock may not replace an input, go through a
  // link, or replace a file that is not a lockfile (without --force).
  if (req.writeLock) {
    checkOutputTarget(req.writeLock, { inputs: lockInputs, force: req.force, isOwn: isLockfile });
    checkOutputTarget(keyFileFor(req.writeLock), { inputs: lockInputs, isOwn: () => true });
  }

  let previous: PreviousSet | undefined;
  if (req.previous) {
    const { lock, text } = readLockfile(req.previous);
    const key = loadLockKey(req.previous, false, (w) => input.warnings.push(w));
    previous = {
      source: `lockfile ${req.previous}`,
      envKeys: lock.env_keys,
      lock: { file: req.previous, text, lock, key },
    };
    if (!key)
      input.warnings.push(
        `no lock key beside ${req.previous} (${req.previous}.key): changed values cannot be told from unchanged ones`,
      );
  } else if (req.cvm) {
    const deployed = await fetchDeployedEnv(req.cvm, req);
    let envKeys = deployed.envKeys;
    if (envKeys.length === 0) {
      // No allowed_envs recorded: fall back to what the deployed compose references.
      envKeys = referencedIn(deployed.composeText);
      if (envKeys.length)
        input.warnings.push(
          `cvm ${req.cvm} records no allowed_envs; using the ${envKeys.length} variable(s) its compose ` +
            `references as the deployed set`,
        );
    }
    previous = { source: `cvm ${req.cvm}`, envKeys };
  }

  const planned = planSecrets({
    variables: project.variables,
    vars,
    envFile: req.envFile,
    origin: input.origin,
    previous,
    allowDrop: req.allowDrop,
  });
  // `.preflight.yml` severities, `off` and exemptions decide what blocks, as for every command.
  const { findings, suppressed } = applyPolicy(project.config, planned.findings);
  const plan: SecretPlan = { ...planned, findings, suppressed, blocking: findings.some((f) => f.severity === 'error') };

  let lockWritten: string | undefined;
  if (req.writeLock && !plan.blocking) {
    const key = loadLockKey(req.writeLock, true, (w) => input.warnings.push(w))!;
    writeLockfile(req.writeLock, buildLockfile(vars, key), { inputs: lockInputs, force: req.force });
    lockWritten = req.writeLock;
  }
  for (const name of req.allowDrop ?? []) {
    if (!plan.dropped.some((d) => d.name === name))
      input.warnings.push(`--allow-drop ${name}: ${name} is not dropped by this plan`);
  }
  return { plan, composeFiles: project.composeFiles, lockWritten, warnings: input.warnings };
}

function referencedIn(composeText: string): string[] {
  try {
    return [
      ...new Set(interpolateString(composeText, () => undefined).refs.map((r: Pick<VarRef, 'name'>) => r.name)),
    ].sort();
  } catch {
    throw new InputError('the deployed compose file has an invalid ${…} reference');
  }
}

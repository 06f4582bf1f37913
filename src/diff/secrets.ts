import { resolve } from 'node:path';
import type { Project } from '../compose/project.js';
import type { Finding } from '../findings/types.js';
import { readSecretInput, type SecretInput } from '../secrets/input.js';
import { planSecrets, type PreviousSet, type SecretPlan } from '../secrets/plan.js';

/** Where the two secret sets of an upgrade come from (names only are needed; values are never shown). */
export interface SecretSets {
  /** The new set (`--env-file`): what NEW will get, as a whole. */
  newEnvFile?: string;
  /** The deployed set (`--old-env-file`). */
  oldEnvFile?: string;
}

/** The findings `diff` takes from the secrets plan (the one implementation of the full-replacement rule). */
const PLAN_RULES = new Set(['secret-missing', 'secret-dropped']);

/**
 * Run the secrets plan (src/secrets/plan.ts) for the upgrade: NEW's `${VAR}` references against
 * the new set, and the new set against the deployed one. Without a known new set there is nothing
 * to plan. Sets default to the manifests' `allowed_envs` (key names) when no env file is given.
 */
export function planUpgradeSecrets(
  oldP: Project,
  newP: Project,
  sets: SecretSets,
  cwd: string,
): { plan?: SecretPlan; findings: Finding[]; note?: string } {
  let input: SecretInput | undefined;
  // Files are read from cwd but named as the user gave them (no absolute paths in findings).
  const read = (file: string): SecretInput => {
    const r = readSecretInput({ envFile: resolve(cwd, file), lookup: () => undefined });
    for (const o of r.origin.values()) if (o.file) o.file = file;
    return r;
  };
  if (sets.newEnvFile) input = read(sets.newEnvFile);
  else {
    const keys = allowedEnvs(newP);
    if (keys) input = { vars: keys.map((key) => ({ key, value: '' })), origin: new Map(), warnings: [] };
  }
  if (!input)
    return {
      findings: [],
      note: 'no new secret set (--env-file, or allowed_envs in NEW app-compose.json): secrets not planned',
    };

  let previous: PreviousSet | undefined;
  if (sets.oldEnvFile) {
    const old = read(sets.oldEnvFile);
    previous = { source: `old env file ${sets.oldEnvFile}`, envKeys: [...new Set(old.vars.map((v) => v.key))] };
  } else {
    const keys = allowedEnvs(oldP);
    if (keys) previous = { source: `allowed_envs of ${oldP.manifest?.file ?? 'OLD'}`, envKeys: keys };
  }
  const plan = planSecrets({
    variables: newP.variables,
    vars: input.vars,
    envFile: sets.newEnvFile ?? newP.manifest?.file,
    origin: input.origin,
    previous,
  });
  return { plan, findings: plan.findings.filter((f) => PLAN_RULES.has(f.ruleId)) };
}

/** `allowed_envs` written in an app-compose.json (not a default). */
function allowedEnvs(p: Project): string[] | undefined {
  const v = p.manifest?.json.allowed_envs;
  return Array.isArray(v) ? v.map(String) : undefined;
}

/**
 * The secret-set plan for an upgrade (issue 3): what the new compose needs, what the new set
 * gives, and what the deployed set had. An update of secrets replaces the whole set, so a key left
 * out is gone (dropped); a required reference without a value breaks the app (missing). Both block.
 * Pure logic: plan-run.ts does the reading and writing.
 */
import { findingAt } from '../findings/build.js';
import { SECRET_PLAN_RULES } from './rules.js';
import type { Finding, SuppressedFinding } from '../findings/types.js';
import type { VarRef } from '../compose/index.js';
import { isSecretLikeName } from '../knowledge/secret-detect.js';
import { valueMac, keyId, lineOfKey, type Lockfile } from './lockfile.js';
import type { EnvVar } from './limits.js';

export interface InventoryItem {
  name: string;
  /** No default (`${X}`, `$X`) or a `:?`/`?` guard somewhere. */
  required: boolean;
  /** Has a `:?`/`?` guard somewhere. */
  guarded: boolean;
  secretLike: boolean;
  provided: boolean;
  /** Where it is first referenced. */
  file: string;
  line: number;
  column: number;
  references: number;
}

export type KeyStatus = 'added' | 'changed' | 'unchanged' | 'unknown';

export interface PreviousSet {
  /** `lockfile <path>` or `cvm <id>`. */
  source: string;
  envKeys: string[];
  /** Present for a lockfile; missing (or keyed differently) means changes cannot be told. */
  lock?: { file: string; text: string; lock: Lockfile; key?: Buffer };
}

export interface PlanInput {
  variables: readonly VarRef[];
  /** The new secret set and where each key was given. */
  vars: readonly EnvVar[];
  envFile?: string;
  origin?: ReadonlyMap<string, { file?: string; line?: number }>;
  previous?: PreviousSet;
  allowDrop?: readonly string[];
}

export interface SecretPlan {
  inventory: InventoryItem[];
  required: string[];
  optional: string[];
  secretLike: string[];
  provided: string[];
  missing: string[];
  dropped: Array<{ name: string; allowed: boolean }>;
  /** Only with a previous set: status of every new key. */
  changes?: Record<string, KeyStatus>;
  unreferenced: string[];
  allowedEnvs: { before?: string[]; after: string[]; added: string[]; removed: string[]; changes: boolean | 'unknown' };
  previousSource?: string;
  blocking: boolean;
  findings: Finding[];
  /** Findings `.preflight.yml` exempts, with the reason (empty until the configuration is applied). */
  suppressed: SuppressedFinding[];
}

const REQUIRED_MODIFIERS = new Set(['', ':?', '?']);
/**
 * `localeCompare`'s order (the default locale's collation), without building a collator per comparison; built
 * when two names are first sorted, not when the module loads: every `check` imports this module, and the first
 * collator of a process costs ~20 ms of CPU (docs/decisions.md "Start-up: no collator unless two files").
 */
let byLocale: Intl.Collator | undefined;

export function inventory(variables: readonly VarRef[], provided: ReadonlySet<string>): InventoryItem[] {
  const byName = new Map<string, InventoryItem>();
  for (const ref of variables) {
    let item = byName.get(ref.name);
    if (!item) {
      item = {
        name: ref.name,
        required: false,
        guarded: false,
        secretLike: isSecretLikeName(ref.name),
        provided: provided.has(ref.name),
        file: ref.loc.file,
        line: ref.loc.line,
        column: ref.loc.column,
        references: 0,
      };
      byName.set(ref.name, item);
    }
    item.references++;
    if (REQUIRED_MODIFIERS.has(ref.modifier)) item.required = true;
    if (ref.modifier === ':?' || ref.modifier === '?') item.guarded = true;
  }
  const items = [...byName.values()];
  if (items.length < 2) return items;
  const collator = (byLocale ??= new Intl.Collator());
  return items.sort((a, b) => collator.compare(a.name, b.name));
}

export function planSecrets(input: PlanInput): SecretPlan {
  const newKeys = [...new Set(input.vars.map((v) => v.key))];
  const provided = new Set(newKeys);
  const items = inventory(input.variables, provided);
  const referenced = new Set(items.map((i) => i.name));
  const findings: Finding[] = [];
  const envFile = input.envFile ?? '(new secret set)';
  const where = (name: string) => {
    const o = input.origin?.get(name);
    return { file: o?.file ?? envFile, line: o?.line ?? 1, column: 1 };
  };

  const missing = items.filter((i) => i.required && !i.provided);
  for (const i of missing) {
    findings.push(
      findingAt(
        SECRET_PLAN_RULES['secret-missing'],
        i,
        `${i.name} is referenced without a default${i.guarded ? ' (guarded with :?)' : ''} but is not in the ` +
          `new secret set: the app would get an empty value${i.guarded ? ' or fail to start' : ''}`,
      ),
    );
  }

  const prev = input.previous;
  const allowDrop = new Set(input.allowDrop ?? []);
  const dropped = (prev?.envKeys ?? [])
    .filter((k) => !provided.has(k))
    .map((name) => ({ name, allowed: allowDrop.has(name) }));
  for (const d of dropped) {
    const at = prev?.lock
      ? { file: prev.lock.file, line: lineOfKey(prev.lock.text, d.name), column: 1 }
      : where(d.name);
    const rule = SECRET_PLAN_RULES['secret-dropped'];
    findings.push(
      findingAt(
        { ...rule, severity: d.allowed ? 'info' : rule.severity },
        at,
        d.allowed
          ? `${d.name} is deployed now and left out of the new set (allowed with --allow-drop): the update removes it`
          : `${d.name} is deployed now (${prev!.source}) but missing from the new set: an update replaces the ` +
              `whole set, so it would be gone. Add it, or confirm it is unused (secrets plan --allow-drop ${d.name})`,
      ),
    );
  }

  const unreferenced = newKeys.filter((k) => !referenced.has(k));
  for (const name of unreferenced) {
    findings.push(
      findingAt(
        SECRET_PLAN_RULES['secret-unreferenced'],
        where(name),
        `${name} is in the new secret set but no \${${name}} in the compose file uses it (a typo?); values ` +
          `reach containers only through references`,
      ),
    );
  }

  let changes: Record<string, KeyStatus> | undefined;
  if (prev) {
    changes = {};
    const before = new Set(prev.envKeys);
    const lock = prev.lock;
    const canCompare = !!lock?.key && keyId(lock.key) === lock.lock.key_id;
    for (const v of input.vars) {
      if (!before.has(v.key)) changes[v.key] = 'added';
      else if (!canCompare) changes[v.key] = 'unknown';
      else changes[v.key] = valueMac(lock!.key!, v.key, v.value) === lock!.lock.values[v.key] ? 'unchanged' : 'changed';
    }
  }

  const after = [...newKeys].sort();
  const before = prev ? [...new Set(prev.envKeys)].sort() : undefined;
  const allowedEnvs = {
    before,
    after,
    added: before ? after.filter((k) => !before.includes(k)) : after,
    removed: before ? before.filter((k) => !after.includes(k)) : [],
    changes: before ? before.join('\n') !== after.join('\n') : ('unknown' as const),
  };

  const blocking = findings.some((f) => f.severity === 'error');
  return {
    inventory: items,
    required: items.filter((i) => i.required).map((i) => i.name),
    optional: items.filter((i) => !i.required).map((i) => i.name),
    secretLike: items.filter((i) => i.secretLike).map((i) => i.name),
    provided: newKeys,
    missing: missing.map((i) => i.name),
    dropped,
    changes,
    unreferenced,
    allowedEnvs,
    previousSource: prev?.source,
    blocking,
    suppressed: [],
    findings,
  };
}

/** A readable table and summary. Names and statuses only; never a value. */
export function renderPlanText(plan: SecretPlan, title: string): string {
  const names = [
    ...new Set([...plan.inventory.map((i) => i.name), ...plan.provided, ...plan.dropped.map((d) => d.name)]),
  ].sort();
  const inv = new Map(plan.inventory.map((i) => [i.name, i]));
  const rows = names.map((name) => {
    const i = inv.get(name);
    const d = plan.dropped.find((x) => x.name === name);
    const status = plan.missing.includes(name)
      ? d && !d.allowed
        ? 'MISSING, DROPPED'
        : 'MISSING'
      : d
        ? d.allowed
          ? 'dropped (allowed)'
          : 'DROPPED'
        : plan.unreferenced.includes(name)
          ? `unreferenced${plan.changes?.[name] ? `, ${plan.changes[name]}` : ''}`
          : i && !i.provided
            ? 'default used'
            : (plan.changes?.[name] ?? 'provided');
    return [
      name,
      i ? `${i.file}:${i.line}` : '-',
      i ? (i.required ? (i.guarded ? 'required (:?)' : 'required') : 'optional') : '-',
      i?.secretLike || (!i && isSecretLikeName(name)) ? 'yes' : '',
      status,
    ];
  });
  const header = ['VARIABLE', 'REFERENCED AT', 'NEED', 'SECRET-LIKE', 'STATUS'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  const lines = [title, '', fmt(header), ...rows.map(fmt), ''];
  const a = plan.allowedEnvs;
  if (a.changes === 'unknown')
    lines.push(
      `allowed_envs: ${a.after.length} key(s); no deployed set given (--previous or --cvm), so changes are unknown`,
    );
  else if (a.changes) {
    lines.push(
      `allowed_envs changes (${[...a.added.map((k) => `+${k}`), ...a.removed.map((k) => `-${k}`)].join(' ')}): ` +
        `the compose hash changes; send the new key list with the update`,
    );
  } else lines.push('allowed_envs: unchanged');
  const counts = plan.changes ? Object.values(plan.changes) : [];
  if (plan.changes) {
    const n = (s: KeyStatus) => counts.filter((c) => c === s).length;
    lines.push(
      `values: ${n('added')} added, ${n('changed')} changed, ${n('unchanged')} ` +
        `unchanged${n('unknown') ? `, ${n('unknown')} unknown (no matching lock key)` : ''}`,
    );
  }
  lines.push('');
  for (const f of plan.findings)
    lines.push(`${f.severity.padEnd(7)} ${f.ruleId.padEnd(19)} ${f.file}:${f.line}  ${f.message}`);
  for (const f of plan.suppressed)
    lines.push(`exempt  ${f.ruleId.padEnd(19)} ${f.file}:${f.line}  ${f.message} (${f.suppression.reason})`);
  lines.push(plan.blocking ? 'plan BLOCKS: fix the errors above before deploying' : 'plan OK');
  return lines.join('\n') + '\n';
}

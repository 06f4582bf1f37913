import type { RuleMeta } from '../../findings/catalogue.js';
import { drillRuleMetas, type DrillRuleTable } from '../rules.js';
import type { Finding, Severity } from '../../findings/types.js';
import { maskSecrets } from '../checks.js';
import type { VolumeDiff } from './compare.js';

/**
 * The upgrade drill's own checks, next to the restart drill's (src/drills/checks.ts), which it
 * reports with the same ids (drill-not-ready, drill-lost-writes, …).
 */
export const UPGRADE_RULES = {
  'upgrade-files-changed': {
    section: 'volumes',
    severity: 'error',
    title: 'The upgrade deleted, truncated or rewrote files on a volume, or left a volume unmounted',
    rationale:
      'A flawed new version can wipe or misread existing data; files changed that no migration is expected to ' +
      'change are the first sign.',
    fixHint:
      'Find what in NEW changes these files; list expected migration rewrites under ' +
      'drill.upgrade.expect_changes in .preflight.yml.',
  },
  'upgrade-rollback-failed': {
    section: 'upgrades',
    severity: 'error',
    title: 'OLD does not run correctly on the data NEW left behind',
    rationale:
      'If NEW has to be rolled back, OLD restarts on the upgraded data; a one-way migration makes the rollback ' +
      'fail too.',
    fixHint:
      'Make migrations backward compatible (expand, then contract in a later release), or take a backup before ' +
      'the upgrade and document restoring it as the rollback.',
  },
  'upgrade-data-error': {
    section: 'upgrades',
    severity: 'warning',
    title: 'NEW logged errors that name its data (cannot read, unsupported format, corrupt…)',
    rationale: 'An app may come up healthy while failing to read parts of the old data; its logs say so first.',
    fixHint:
      'Read the quoted log lines; migrate the data before switching versions. Patterns: drill.upgrade.data_errors.',
  },
} as const satisfies DrillRuleTable;
export type UpgradeRuleId = keyof typeof UPGRADE_RULES;

export const UPGRADE_DRILL_RULE_METAS: readonly RuleMeta[] = drillRuleMetas(UPGRADE_RULES, 'docs/upgrades.md');

type Where = { file: string; line: number; column: number };

export function upgradeFinding(
  ruleId: UpgradeRuleId,
  message: string,
  where: Where,
  service?: string,
  severity?: Severity,
): Finding {
  const r = UPGRADE_RULES[ruleId];
  return {
    ruleId,
    severity: severity ?? r.severity,
    section: r.section,
    message,
    ...where,
    ...(service ? { service } : {}),
  };
}

export function filesChanged(d: VolumeDiff, where: Where): Finding | undefined {
  const list = (xs: string[]) => xs.slice(0, 5).join(', ') + (xs.length > 5 ? `, … (${xs.length})` : '');
  if (d.orphaned) {
    if (d.before.files === 0) return undefined;
    return upgradeFinding(
      'upgrade-files-changed',
      `NEW does not mount volume ${d.key} (${d.volume}): its ${d.before.files} file(s), ${d.before.bytes} bytes ` +
        `written by OLD are orphaned`,
      where,
    );
  }
  const bad = [
    d.deleted.length ? `deleted: ${list(d.deleted)}` : '',
    d.shrunk.length ? `shrunk: ${list(d.shrunk)}` : '',
    d.rewritten.length ? `rewritten: ${list(d.rewritten)}` : '',
  ].filter(Boolean);
  if (!bad.length) return undefined;
  const severity: Severity = d.deleted.length || d.shrunk.length ? 'error' : 'warning';
  return upgradeFinding(
    'upgrade-files-changed',
    `the upgrade changed files on volume ${d.key} (${d.volume}) that no expect_changes entry allows ` +
      `— ${bad.join('; ')}`,
    where,
    undefined,
    severity,
  );
}

/** Log lines naming data errors, with every known secret value and provider-pattern secret masked. */
export function dataErrorLines(
  log: string,
  patterns: readonly RegExp[],
  env: ReadonlyMap<string, string>,
  max = 3,
): string[] {
  const out: string[] = [];
  for (const line of log.split('\n')) {
    if (!patterns.some((p) => p.test(line))) continue;
    out.push(maskSecrets(line.trim(), env).slice(0, 300));
    if (out.length >= max) break;
  }
  return out;
}

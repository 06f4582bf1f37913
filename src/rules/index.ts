import { registerRuleMeta } from '../findings/catalog.js';
import type { Rule } from './types.js';
import { composeInvalid } from './compose-invalid.js';
import { restartPolicy } from './restart-policy.js';
import { statefulNoVolume } from './stateful-no-volume.js';
import { suppressionWithoutReason } from './suppression-without-reason.js';

/** Every rule, in report order within its section. Adding a rule: its module, and one line here. */
export const RULES: readonly Rule[] = [
  // restart
  restartPolicy,
  // volumes
  statefulNoVolume,
  // platform
  composeInvalid,
  suppressionWithoutReason,
];

registerRuleMeta(
  RULES.map(({ id, section, severity, title, rationale, fixHint, docsUrl }) => ({ id, section, severity, title, rationale, fixHint, docsUrl, source: 'check' as const })),
);

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

export type { Rule, RuleContext, RuleReport } from './types.js';

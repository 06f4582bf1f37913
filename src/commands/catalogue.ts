import { DIFF_RULE_META } from '../diff/rules.js';
import { RESTART_DRILL_RULE_METAS } from '../drills/rules.js';
import { UPGRADE_DRILL_RULE_METAS } from '../drills/upgrade/checks.js';
import { Catalogue } from '../findings/catalogue.js';
import { ROLLOUT_RULE_METAS } from '../rollout/rules.js';
import { CHECK_RULE_METAS } from '../rules/index.js';
import { SECRET_PLAN_RULE_METAS } from '../secrets/rules.js';

let catalogue: Catalogue | undefined;

/**
 * Preflight's catalogue: every rule id any command reports (check, diff, secrets plan, the
 * drills), in report order. One `.preflight.yml` configures all of them, so every command loads
 * the configuration against this whole catalogue, not only its own ids.
 */
export function preflightCatalogue(): Catalogue {
  catalogue ??= new Catalogue([
    ...CHECK_RULE_METAS,
    ...DIFF_RULE_META,
    ...SECRET_PLAN_RULE_METAS,
    ...RESTART_DRILL_RULE_METAS,
    ...UPGRADE_DRILL_RULE_METAS,
    ...ROLLOUT_RULE_METAS,
  ]);
  return catalogue;
}

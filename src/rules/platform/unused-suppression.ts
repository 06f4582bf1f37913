import type { Exemption, PreflightConfig } from '../../config/index.js';
import { findingAt } from '../../findings/build.js';
import type { Finding, Severity } from '../../findings/types.js';
import { nodeAt, type Location } from '../../yaml/located.js';
import { inlineDirectives, type InlineDirective, type SuppressionUse } from '../suppress.js';
import type { Rule } from '../types.js';

/**
 * Suppressions that match nothing, as ESLint reports unused `eslint-disable` directives: an inline
 * directive naming a rule id Preflight does not have (or one only a command that does not read
 * inline directives reports: secrets plan, the drills, rollout), an exemption
 * naming a service no compose file defines, and, with `--report-unused-suppressions` (on by default
 * when `CI` is set), a directive or exemption that suppressed no finding in this run. The unknown
 * ids are found by `check`; what a suppression matched is only known once every rule ran, so the
 * engine (inline directives, per project) and the check command (exemptions, per configuration
 * file, across every project that reads it) call the functions below.
 */
export const unusedSuppression: Rule = {
  id: 'unused-suppression',
  section: 'platform',
  severity: 'warning',
  title: 'Suppression that matches nothing',
  rationale:
    'A `# preflight-ignore` or an exemption that matches no finding silences nothing today, and may silence a ' +
    'real finding later, where its reason does not apply: a typo in a rule id or service name, a rule that was ' +
    "fixed, a service that was renamed. Like ESLint's `--report-unused-disable-directives`, which CI runs use.",
  fixHint:
    'Correct the rule id or service name (`preflight rules` lists the ids), or remove the suppression if the ' +
    'finding it was for is gone.',
  example: {
    bad: `services:
  # preflight-ignore restart-polcy -- a one-shot job: runs the migrations, then exits
  migrate:
    image: ghcr.io/acme/shop:1.4.2
`,
    good: `services:
  # preflight-ignore restart-policy -- a one-shot job: runs the migrations, then exits
  migrate:
    image: ghcr.io/acme/shop:1.4.2
`,
  },
  check(ctx) {
    const catalogue = ctx.project.catalogue;
    if (!catalogue) return;
    for (const d of [...inlineDirectives(ctx.project).values()].flat()) {
      for (const id of d.rules) {
        const meta = catalogue.get(id);
        // check and diff read inline directives (diff on the new side's files).
        if (meta?.source === 'check' || meta?.source === 'diff') continue;
        ctx.report({
          loc: directiveLoc(d),
          message: meta
            ? `preflight-ignore ${id}: that rule is reported by \`preflight ${meta.source}\`, which does not read ` +
              `inline directives; use an exemption in .preflight.yml`
            : `preflight-ignore names unknown rule "${id}"; it suppresses nothing (\`preflight rules\` lists the ids)`,
        });
      }
    }
  },
};

/**
 * Inline directives of one project that suppressed nothing, for each rule id the run checked
 * (a rule that is off, or another command's, is not counted). Directives without a reason or with
 * an unknown id are left to suppression-without-reason and the rule's own check.
 */
export function unusedInlineFindings(use: SuppressionUse, ran: ReadonlySet<string>, severity: Severity): Finding[] {
  const out: Finding[] = [];
  for (const d of use.directives) {
    if (!d.reason) continue;
    const matched = use.inline.get(d);
    const unused = d.rules.filter((id) => ran.has(id) && !matched?.has(id));
    if (!unused.length) continue;
    const what = unused.length === 1 ? `${unused[0]} finding` : `finding of ${unused.join(', ')}`;
    out.push(
      findingAt(
        { ...unusedSuppression, severity },
        directiveLoc(d),
        `preflight-ignore ${unused.join(',')} suppressed nothing: there is no ${what} on this line or the next`,
      ),
    );
  }
  return out;
}

/** One project that read a configuration file: its services, what it suppressed, the rules it ran. */
export interface ExemptionUse {
  services: ReadonlySet<string>;
  use: SuppressionUse;
  ran: ReadonlySet<string>;
}

/**
 * Exemptions of one configuration file that match nothing across every project of the run that
 * reads it: a service none of them defines (always), or, with `reportUnused`, an exemption of a
 * rule they ran that suppressed no finding.
 */
export function exemptionFindings(
  config: PreflightConfig,
  projects: readonly ExemptionUse[],
  opts: { reportUnused: boolean; severity: Severity },
): Finding[] {
  const out: Finding[] = [];
  const rule = { ...unusedSuppression, severity: opts.severity };
  config.exemptions.forEach((e: Exemption, i) => {
    const where = (field: string) => exemptionLoc(config, i, field);
    if (e.service !== undefined && !projects.some((p) => p.services.has(e.service!))) {
      out.push(
        findingAt(
          rule,
          where('service'),
          `exemption of ${e.rule} names service "${e.service}", which no compose file checked with this ` +
            `configuration defines; it suppresses nothing`,
        ),
      );
      return;
    }
    if (!opts.reportUnused) return;
    const ran = projects.some((p) => p.ran.has(e.rule));
    if (!ran || projects.some((p) => p.use.exemptions.has(e))) return;
    out.push(
      findingAt(
        rule,
        where('rule'),
        `exemption of ${e.rule}${e.service ? ` for service "${e.service}"` : ''} suppressed nothing: no such ` +
          `finding in this run`,
      ),
    );
  });
  return out;
}

function directiveLoc(d: InlineDirective): Location {
  return {
    file: d.file,
    line: d.line,
    column: d.column,
    endLine: d.line,
    endColumn: d.column,
    offset: 0,
    endOffset: 0,
  };
}

function exemptionLoc(config: PreflightConfig, index: number, field: string): Location {
  const found = nodeAt(config.tree, ['exemptions', index, field]);
  const loc = found.node?.loc ?? found.nearest?.loc;
  const file = config.file ?? '.preflight.yml';
  return loc ?? { file, line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, endOffset: 0 };
}

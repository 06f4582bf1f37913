import type { RuleMeta } from '../findings/catalogue.js';
import { SECTIONS } from '../findings/types.js';
import { TOOL_NAME, VERSION } from '../util/version.js';
import { PLAIN, type Style } from './style.js';

/** A rule as `preflight rules` and `preflight explain` print it (commands/rules.ts builds it). */
export type DescribedRule = RuleMeta & { docsUrl: string; seeAlso?: string };

export const RULE_LIST_FORMATS = ['text', 'json'] as const;
export type RuleListFormat = (typeof RULE_LIST_FORMATS)[number];

const severityColour = (style: Style, severity: string) =>
  severity === 'error' ? style.red : severity === 'warning' ? style.yellow : style.blue;

/** The rule list: a table per checklist section (text), a JSON array, or a Markdown table. */
export function renderRuleList(rules: readonly DescribedRule[], format: RuleListFormat, style = PLAIN): string {
  if (format === 'json') return json({ rules });
  if (!rules.length) return 'no rule matches\n';
  const idWidth = Math.max(...rules.map((r) => r.id.length));
  const out: string[] = [];
  for (const section of SECTIONS) {
    const inSection = rules.filter((r) => r.section === section);
    if (!inSection.length) continue;
    out.push(style.bold(section));
    for (const r of inSection)
      out.push(
        `  ${r.id.padEnd(idWidth)}  ${severityColour(style, r.severity)(r.severity.padEnd(7))} ` +
          ` ${r.source.padEnd(7)}  ${r.title}${r.optIn ? ' (opt-in)' : ''}`,
      );
    out.push('');
  }
  out.push(
    style.dim(
      `${rules.length} rule${rules.length === 1 ? '' : 's'}; \`preflight explain <id>\` says why and how to fix`,
    ),
  );
  return out.join('\n') + '\n';
}

/** One rule in full: what it finds, why, the fix, the example (the snippet that fires and its fixed form). */
export function renderRuleExplanation(rule: DescribedRule, format: RuleListFormat, style = PLAIN): string {
  if (format === 'json') return json({ rule });
  const heading = style.bold;
  const block = (code: string) =>
    code
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => `    ${l}`);
  const out = [
    `${style.bold(rule.id)}  ${severityColour(style, rule.severity)(rule.severity)}`,
    '',
    rule.title,
    '',
    rule.optIn
      ? `Section: ${rule.section} · reported by: preflight ${rule.source} · opt-in: reported only with \`rules: ` +
        `{ ${rule.id}: ${rule.severity} }\` in .preflight.yml`
      : `Section: ${rule.section} · reported by: preflight ${rule.source} · default severity: ${rule.severity}`,
    '',
    heading('Why'),
    rule.rationale,
    '',
    heading('Fix'),
    rule.fixHint,
    '',
  ];
  const example = rule.example;
  if (example) {
    const file = example.file ?? 'docker-compose.yml';
    for (const [name, text] of Object.entries(example.beside ?? {}))
      out.push(heading(`Example: with this ${name}`), ...block(text), '');
    for (const [name, text] of Object.entries(example.removedByFix ?? {}))
      out.push(heading(`Example: and this ${name}`), ...block(text), '');
    out.push(heading(`Example: this ${file} draws the finding`), ...block(example.bad), '');
    if (example.repeat)
      out.push(`(with the line "${example.repeat.line.trim()}" written ${example.repeat.times} times)`, '');
    out.push(
      heading(example.removedByFix ? `Fixed (${Object.keys(example.removedByFix).join(', ')} removed)` : 'Fixed'),
      ...block(example.good),
      '',
    );
  }
  out.push(`Docs: ${rule.docsUrl}`);
  if (rule.seeAlso) out.push(`See also: ${rule.seeAlso}`);
  out.push(
    style.dim(
      `Severity or exemptions: .preflight.yml \`rules: { ${rule.id}: error|warning|info|off }\`; one finding: ` +
        `\`# preflight-ignore ${rule.id} -- <reason>\``,
    ),
  );
  return out.join('\n') + '\n';
}

/** JSON output names the tool (as every JSON report does), so `-o` may later replace its own file. */
function json(body: object): string {
  return JSON.stringify({ tool: { name: TOOL_NAME, version: VERSION }, ...body }, null, 2) + '\n';
}

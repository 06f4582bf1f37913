import { inventory } from '../../secrets/plan.js';
import { refLocation } from '../lib/secrets.js';
import type { Rule } from '../types.js';
import type { FixContext, FixOutcome, FixTarget } from '../fix-types.js';

export const requiredEnvUnguarded: Rule = {
  id: 'required-env-unguarded',
  section: 'secrets',
  severity: 'warning',
  title: 'Secret-like variable referenced without a `:?` guard',
  rationale:
    'Secret updates replace the whole set, and names missing from `allowed_envs` are skipped (checklist: "Partial updates will result in dropped variables"; docs/platform.md#secrets). An unguarded `${DB_PASSWORD}` then becomes an empty string, and a bare `- DB_PASSWORD` is simply missing, so the app boots with no password instead of failing.',
  fixHint: 'Guard the reference: `${DB_PASSWORD:?DB_PASSWORD is required}`; compose then refuses to start without it.',
  fix: fixRequiredEnvUnguarded,
  check(ctx) {
    // The same inventory `preflight secrets plan` reads: a `:?`/`?` guard on any reference stops
    // compose for the whole project, so one guard covers every reference of the name.
    for (const item of inventory(ctx.project.variables, new Set())) {
      if (!item.secretLike || item.guarded || !item.required) continue;
      const refs = ctx.project.variables.filter((r) => r.name === item.name && r.modifier === '');
      const first = refs[0]!;
      const more = refs.length > 1 ? ` (and ${refs.length - 1} more reference${refs.length > 2 ? 's' : ''})` : '';
      const who = first.service ? `service "${first.service}" references` : 'the compose file references';
      ctx.report({
        service: first.service,
        loc: refLocation(ctx.project, first),
        message: `${who} \${${item.name}}${more} without a :? guard; if the secret is dropped it becomes an empty string instead of failing the boot`,
      });
    }
  },
};

/** `${NAME:?NAME is required}` at the first reference: one guard stops compose for the whole project. */
function fixRequiredEnvUnguarded(ctx: FixContext, { loc }: FixTarget): FixOutcome {
  const source = ctx.project.sources.get(loc.file)?.text ?? '';
  // The location covers `${NAME` (or `$NAME`); the closing brace follows it.
  const braced = source.startsWith('${', loc.offset);
  const text = source.slice(loc.offset, loc.endOffset + (braced && source[loc.endOffset] === '}' ? 1 : 0));
  const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(text);
  if (!m || (braced && !text.endsWith('}')))
    return ctx.refuse(`the reference at ${loc.file}:${loc.line} is not written as \${NAME}`);
  const name = m[1]!;
  ctx.replaceText(loc, text, `\${${name}:?${name} is required}`);
  return {
    description: `guard \${${name}}: \${${name}:?${name} is required}`,
    changesBehaviour: `compose refuses to start the app when ${name} is unset or empty, instead of running with an empty value`,
  };
}

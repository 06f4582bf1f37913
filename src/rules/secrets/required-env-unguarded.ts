import { inventory } from '../../secrets/plan.js';
import { distinctRefs, refLocation, relatedRefs, sayReferences } from '../lib/secrets.js';
import type { Rule } from '../types.js';
import type { FixContext, FixOutcome, FixTarget } from '../fix-types.js';

export const requiredEnvUnguarded: Rule = {
  id: 'required-env-unguarded',
  section: 'secrets',
  severity: 'warning',
  title: 'Secret-like variable referenced without a `:?` guard',
  rationale:
    'Secret updates replace the whole set, and names missing from `allowed_envs` are skipped (checklist: ' +
    '"Partial updates will result in dropped variables"; docs/platform.md#secrets). An unguarded ' +
    '`${DB_PASSWORD}` then becomes an empty string, and a bare `- DB_PASSWORD` is simply missing, so the app ' +
    'boots with no password instead of failing. A variable the project ships empty (`DB_PASSWORD=` in its ' +
    '`.env`) or defaults to `""` is optional by design and left alone: a guard would stop the boot.',
  fixHint: 'Guard the reference: `${DB_PASSWORD:?DB_PASSWORD is required}`; compose then refuses to start without it.',
  fix: fixRequiredEnvUnguarded,
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    environment:
      DB_PASSWORD: \${DB_PASSWORD}
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    environment:
      DB_PASSWORD: \${DB_PASSWORD:?DB_PASSWORD is required}
`,
  },
  check(ctx) {
    // The same inventory `preflight secrets plan` reads: a `:?`/`?` guard on any reference stops
    // compose for the whole project, so one guard covers every reference of the name.
    for (const item of inventory(ctx.project.variables, new Set())) {
      if (!item.secretLike || item.guarded || !item.required) continue;
      // Shipped empty in the project's .env: the app is meant to run without it.
      if (ctx.project.env.get(item.name) === '') continue;
      // A top-level secret's `environment:` cannot carry a guard; only its other references can.
      const refs = distinctRefs(
        ctx.project.variables.filter(
          (r) => r.name === item.name && r.modifier === '' && r.via !== 'secret-environment',
        ),
      );
      const first = refs[0];
      if (!first) continue;
      const name = item.name;
      ctx.report({
        service: first.service,
        loc: refLocation(ctx.project, first),
        messageId: first.via === 'pass-through' ? 'passThrough' : 'unguarded',
        message:
          `${sayReferences(name, refs)} without a :? guard; if the secret is dropped ` +
          `it ${first.via === 'pass-through' ? 'is missing from the container' : 'becomes an empty string'} ` +
          `instead of failing the boot`,
        hint:
          first.via === 'pass-through'
            ? `Write the value with a guard: \`${name}: \${${name}:?${name} is required}\`; compose then refuses ` +
              `to start without it.`
            : `Guard one reference: \`\${${name}:?${name} is required}\`; compose then refuses to start without ` +
              `it (one guard covers every reference).`,
        related: relatedRefs(ctx.project, refs),
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
  const lineStart = source.lastIndexOf('\n', loc.offset - 1) + 1;
  // A bare pass-through list item (`- HF_TOKEN`) becomes `- HF_TOKEN=${HF_TOKEN:?…}`.
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(text) && /^\s*-\s+$/.test(source.slice(lineStart, loc.offset))) {
    ctx.replaceText(loc, text, `${text}=\${${text}:?${text} is required}`);
    return {
      description: `guard the pass-through of ${text}: ${text}=\${${text}:?${text} is required}`,
      changesBehaviour:
        `compose refuses to start the app when ${text} is unset or empty, instead of leaving it out of the ` +
        `container`,
    };
  }
  const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(text);
  if (!m || (braced && !text.endsWith('}')))
    return ctx.refuse(`the reference at ${loc.file}:${loc.line} is not written as \${NAME}`);
  const name = m[1]!;
  ctx.replaceText(loc, text, `\${${name}:?${name} is required}`);
  return {
    description: `guard \${${name}}: \${${name}:?${name} is required}`,
    changesBehaviour:
      `compose refuses to start the app when ${name} is unset ` + `or empty, instead of running with an empty value`,
  };
}

import { inventory } from '../../secrets/plan.js';
import { ENV_LIMITS, printableKey } from '../../secrets/limits.js';
import { knownAllowedEnvs, refLocation } from '../lib/secrets.js';
import type { Rule } from '../types.js';

export const envNameInvalid: Rule = {
  id: 'env-name-invalid',
  section: 'secrets',
  severity: 'error',
  title: 'Variable name or count the CVM rejects at boot',
  rationale:
    `The guest refuses to boot when the decrypted set has over ${ENV_LIMITS.maxItems} entries (kept or not), or ` +
    `when a variable it keeps (one named in allowed_envs, which a referenced variable must be) has a name that ` +
    `does not match ${ENV_LIMITS.namePattern.source} or is over ${ENV_LIMITS.maxNameBytes} bytes ` +
    `(docs/platform.md#secrets).`,
  fixHint:
    `Rename the variable to letters, digits and underscores (not starting with a digit), at ` +
    `most ${ENV_LIMITS.maxNameBytes} bytes, and keep the set at ${ENV_LIMITS.maxItems} variables or fewer.`,
  example: {
    file: '.preflight.yml',
    beside: {
      'docker-compose.yml': `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
`,
    },
    bad: `deployment:
  allowed_envs: [API_KEY, MY-TOKEN]
`,
    good: `deployment:
  allowed_envs: [API_KEY, MY_TOKEN]
`,
  },
  check(ctx) {
    const items = inventory(ctx.project.variables, new Set());
    for (const item of items) {
      const problem = nameProblem(item.name);
      if (!problem) continue;
      const ref = ctx.project.variables.find((r) => r.name === item.name)!;
      ctx.report({
        service: ref.service,
        loc: refLocation(ctx.project, ref),
        message: `the compose file references ${printableKey(item.name)}, ${problem}`,
      });
    }
    if (items.length > ENV_LIMITS.maxItems) {
      const ref = ctx.project.variables.find((r) => r.name === items[ENV_LIMITS.maxItems]!.name)!;
      ctx.report({
        loc: refLocation(ctx.project, ref),
        message:
          `the compose file references ${items.length} variables; the CVM accepts at most ${ENV_LIMITS.maxItems} ` +
          `and fails to boot with more`,
      });
    }
    const allowed = knownAllowedEnvs(ctx.project);
    if (!allowed) return;
    for (const name of new Set(allowed.names)) {
      const problem = nameProblem(name);
      if (problem) ctx.report({ loc: allowed.loc, message: `allowed_envs lists ${printableKey(name)}, ${problem}` });
    }
    const distinct = new Set(allowed.names).size;
    if (distinct > ENV_LIMITS.maxItems) {
      ctx.report({
        loc: allowed.loc,
        message:
          `allowed_envs lists ${distinct} variables; the CVM accepts at most ${ENV_LIMITS.maxItems} and fails to ` +
          `boot with more`,
      });
    }
  },
};

/** Why the CVM rejects a variable name, or undefined when it accepts it. */
function nameProblem(name: string): string | undefined {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > ENV_LIMITS.maxNameBytes)
    return `a name of ${bytes} bytes; the CVM accepts at most ${ENV_LIMITS.maxNameBytes} and fails to boot`;
  if (!ENV_LIMITS.namePattern.test(name))
    return `which is not a valid name for the CVM (must match ${ENV_LIMITS.namePattern.source}); it fails to boot`;
  return undefined;
}

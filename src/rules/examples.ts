import type { RuleExample } from '../findings/catalogue.js';

/**
 * One example per check rule for `preflight explain` and docs/rules.md: `bad` is a compose file that
 * draws the rule's finding, `good` the same file fixed. src/rules/examples.test.ts runs every one
 * through the rule, so an example cannot drift from what the rule does.
 */
const EXAMPLES: Record<string, RuleExample> = {
  'restart-policy': {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
`,
  },
};

export function ruleExample(id: string): RuleExample | undefined {
  return Object.hasOwn(EXAMPLES, id) ? EXAMPLES[id] : undefined;
}

/** Ids with an example (the test checks each against its rule). */
export function exampleIds(): string[] {
  return Object.keys(EXAMPLES);
}

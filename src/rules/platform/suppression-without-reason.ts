import { inlineDirectives } from '../suppress.js';
import type { Rule } from '../types.js';

export const suppressionWithoutReason: Rule = {
  id: 'suppression-without-reason',
  section: 'platform',
  severity: 'warning',
  title: 'preflight-ignore without a reason',
  rationale:
    'A silenced finding must say why, so the next reader can judge whether it still holds. A directive without ' +
    'a reason suppresses nothing.',
  fixHint: 'Write `# preflight-ignore <rule-id> -- <reason>`.',
  example: {
    bad: `services:
  migrate:
    # preflight-ignore restart-policy
    image: ghcr.io/acme/shop:1.4.2
`,
    good: `services:
  migrate:
    # preflight-ignore restart-policy -- runs the migrations once at boot, then exits
    image: ghcr.io/acme/shop:1.4.2
`,
  },
  check(ctx) {
    for (const [, list] of inlineDirectives(ctx.project)) {
      for (const d of list) {
        if (d.reason) continue;
        ctx.report({
          loc: { file: d.file, line: d.line, column: 1, endLine: d.line, endColumn: 1, offset: 0, endOffset: 0 },
          message: `preflight-ignore ${d.rules.join(',')} needs a reason after "--"; nothing was suppressed`,
        });
      }
    }
  },
};

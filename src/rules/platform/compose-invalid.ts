import type { Rule } from '../types.js';

export const composeInvalid: Rule = {
  id: 'compose-invalid',
  section: 'platform',
  severity: 'error',
  title: 'Compose file does not follow the compose specification',
  rationale:
    'The CVM runs `docker compose up` on exactly this file; a key Compose rejects stops the whole app from starting, and a key it ignores does nothing. Checked against the vendored compose-spec JSON schema.',
  fixHint:
    'Correct the key or value the message names; see https://github.com/compose-spec/compose-spec/blob/main/spec.md.',
  check(ctx) {
    for (const p of ctx.project.schemaProblems) {
      const service = /^\/services\/([^/]+)/.exec(p.path)?.[1];
      ctx.report({ loc: p.loc, message: p.message, ...(service ? { service } : {}) });
    }
  },
};

import type { Rule } from '../types.js';

export const profileNotStarted: Rule = {
  id: 'profile-not-started',
  section: 'platform',
  severity: 'info',
  title: 'Service under a compose profile: the CVM never starts it',
  rationale:
    'The CVM starts the app with a plain `docker compose up --remove-orphans -d --build`, with no `--profile` (docs/platform.md#boot-sequence, step 8): services that only run under a profile never start there.',
  fixHint:
    "Remove `profiles:` from services the deployment needs; keep profiles for local-only tools, or set COMPOSE_PROFILES in the deployment's environment if the CVM should start them.",
  check(ctx) {
    for (const s of ctx.project.inactiveServices) {
      ctx.report({
        service: s.name,
        loc: s.loc,
        message: `service "${s.name}" only runs under profile${s.profiles.length > 1 ? 's' : ''} ${s.profiles.join(', ')}; the CVM's plain \`docker compose up\` never starts it`,
      });
    }
  },
};

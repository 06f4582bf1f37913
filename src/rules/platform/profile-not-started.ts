import type { Rule } from '../types.js';

export const profileNotStarted: Rule = {
  id: 'profile-not-started',
  section: 'platform',
  severity: 'info',
  title: 'Service under a compose profile: the CVM never starts it',
  rationale:
    'The CVM starts the app with a plain `docker compose up --remove-orphans -d --build`, with no `--profile` ' +
    '(docs/platform.md#boot-sequence, step 8): services that only run under a profile never start there.',
  fixHint:
    'Remove `profiles:` from services the deployment needs; keep profiles for local-only tools, or set ' +
    "COMPOSE_PROFILES in the deployment's environment if the CVM should start them.",
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
  adminer:
    image: adminer:4.8.1
    profiles: [debug]
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
`,
  },
  check(ctx) {
    // One finding per profile (a `dev` profile on six services is one choice, written six times):
    // every service's draft points at the first service of its profile list, so the engine merges
    // them and lists each service as a related location, after exemptions applied per service.
    const first = new Map<string, (typeof ctx.project.inactiveServices)[number]>();
    for (const s of ctx.project.inactiveServices) {
      const profiles = s.profiles.join(', ');
      const at = first.get(profiles) ?? s;
      first.set(profiles, at);
      const under = `profile${s.profiles.length > 1 ? 's' : ''} ${profiles}`;
      ctx.report({
        service: s.name,
        loc: at.loc,
        messageId: 'profileOnly',
        // Inactive services are gone from the model, so each draft says where its own service is.
        related: [{ file: s.loc.file, line: s.loc.line, column: s.loc.column, service: s.name }],
        message: (who) =>
          `${who} only ${who.v('runs', 'run')} under ${under}; the CVM's plain \`docker compose up\` never ` +
          `starts ${who.v('it', 'them')}`,
      });
    }
  },
};

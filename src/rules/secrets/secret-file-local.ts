import type { Rule } from '../types.js';

export const secretFileLocal: Rule = {
  id: 'secret-file-local',
  section: 'secrets',
  severity: 'error',
  title: 'Top-level secret read from a local file that is not shipped into the CVM',
  rationale:
    'Only app-compose.json is shipped into the CVM (docs/platform.md#shipped-files): a `secrets:` entry with ' +
    '`file:` points at a file that is not there, so the services using it fail to start. The checklist asks for ' +
    'secrets to be sent as encrypted environment variables, decrypted only inside the TEE.',
  fixHint:
    "Use `environment: NAME` as the secret's source (`secrets: { db-password: { environment: DB_PASSWORD } }`) " +
    'and send DB_PASSWORD as an encrypted secret (`preflight secrets encrypt`).',
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    secrets:
      - stripe_key
secrets:
  stripe_key:
    file: ./secrets/stripe_key.txt
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    secrets:
      - stripe_key
secrets:
  stripe_key:
    environment: STRIPE_KEY
`,
  },
  check(ctx) {
    const users = (secret: string) =>
      ctx.services
        .filter(
          ([, svc]) =>
            (svc.secrets ?? []).some((s) => s.source === secret) ||
            (svc.build?.secrets ?? []).some((s) => secretSource(s) === secret),
        )
        .map(([n]) => n);
    for (const [secret, def] of Object.entries(ctx.model.secrets ?? {})) {
      if (!def || typeof def.file !== 'string') continue;
      const used = users(secret);
      const by = used.length ? `, used by ${used.map((n) => `"${n}"`).join(', ')}` : '';
      ctx.report({
        valuePath: ['secrets', secret, 'file'],
        message: `secret "${secret}" is read from the local file ${def.file}${by}, which is not shipped into the CVM`,
      });
    }
  },
};

function secretSource(s: unknown): string | undefined {
  if (typeof s === 'string') return s;
  if (s && typeof s === 'object' && typeof (s as { source?: unknown }).source === 'string')
    return (s as { source: string }).source;
  return undefined;
}

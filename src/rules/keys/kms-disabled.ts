import { effectiveKeyProvider } from '../../compose/deployment.js';
import { mountsGuestAgent } from '../lib/mounts.js';
import type { Rule } from '../types.js';

/** Deployment fields that choose the key provider, most specific first (where a finding points). */
const KEY_PROVIDER_FIELDS = ['key_provider', 'kms_enabled', 'local_key_provider_enabled'];

export const kmsDisabled: Rule = {
  id: 'kms-disabled',
  section: 'keys',
  severity: 'error',
  title: 'The app uses the guest agent for keys but the deployment has no stable key provider',
  rationale:
    'The checklist relies on TEE-managed keys that are "stable across restarts and upgrades". Only the KMS ' +
    "gives that: GetKey derives from the app's key, which the KMS derives from its root and the app id, so the " +
    'same path gives the same key after restarts, upgrades and on every replica ' +
    "(docs/platform.md#key-derivation). With `kms_enabled: false` (dstack's default in app-compose.json, " +
    'docs/platform.md#manifest) or a `local`/`tpm`/`none` key provider, keys are tied to one machine or, with ' +
    '`none`, drawn anew at every boot, and data sealed with them becomes unreadable.',
  fixHint:
    'Set `kms_enabled: true` (and `key_provider: kms` if you set one) in app-compose.json or under ' +
    '`deployment:` in .preflight.yml.',
  example: {
    file: '.preflight.yml',
    beside: {
      'docker-compose.yml': `services:
  app:
    image: ghcr.io/acme/attest:0.3.0
    volumes:
      - /var/run/dstack.sock:/var/run/dstack.sock
`,
    },
    bad: `deployment:
  kms_enabled: false
`,
    good: `deployment:
  kms_enabled: true
`,
  },
  check(ctx) {
    const users = ctx.services.filter(([, svc]) => mountsGuestAgent(svc)).map(([name]) => name);
    if (users.length === 0) return;
    const provider = effectiveKeyProvider(ctx.deployment);
    if (provider === 'kms') return;
    const written = KEY_PROVIDER_FIELDS.find((f) => ctx.project.deployment.locations[f]);
    const who =
      users.length === 1 ? `service "${users[0]}" uses` : `services ${users.map((u) => `"${u}"`).join(', ')} use`;
    const outcome =
      provider === 'none'
        ? 'there is no key provider, so derived keys are not stable across restarts'
        : `the key provider is "${provider}", so derived keys are bound to one machine and differ on replicas and ` +
          `after a move`;
    ctx.report({
      loc: ctx.deploymentLocation(written),
      severity: provider === 'none' ? 'error' : 'warning',
      message: `${who} the guest agent for keys, but ${outcome}`,
    });
  },
};

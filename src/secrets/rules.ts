import type { RuleMeta } from '../findings/catalogue.js';

/**
 * The checks of the secrets plan (`secrets plan`, and `diff`, which takes its findings from the
 * plan): the full-replacement rule of secret updates.
 */
export const SECRET_PLAN_RULES = {
  'secret-missing': {
    id: 'secret-missing',
    section: 'secrets',
    severity: 'error',
    title: 'The compose file needs a variable the new secret set does not provide',
    rationale:
      'An upgrade replaces the encrypted environment as a whole (docs/platform.md#secrets: PATCH ' +
      '/cvms/{id}/envs sends one blob): a variable the compose references but the new set lacks is empty in the ' +
      'app, or stops it at boot with a `:?` guard, exactly as in production.',
    fixHint: 'Add the variable to the new env file (and to allowed_envs), or give it a default in the compose file.',
    source: 'secrets',
    docsUrl: 'docs/secrets.md',
  },
  'secret-dropped': {
    id: 'secret-dropped',
    section: 'upgrades',
    severity: 'error',
    title: 'A variable deployed now is left out of the new secret set',
    rationale:
      'The checklist: "if you update any secret, you must provide the full variable list again. The platform ' +
      'replaces all secrets during an upgrade. Partial updates will result in dropped variables."',
    fixHint: 'Carry the key over to the new env file, or confirm it is no longer used and pass --allow-drop KEY.',
    source: 'secrets',
    docsUrl: 'docs/secrets.md',
  },
  'secret-unreferenced': {
    id: 'secret-unreferenced',
    section: 'secrets',
    severity: 'warning',
    title: 'A variable of the new secret set is referenced nowhere in the compose file',
    rationale:
      'Values reach containers only through `${VAR}` references in the compose file (docs/platform.md#secrets); ' +
      'a key nothing references does nothing, and is most often a typo of one that is referenced.',
    fixHint: 'Reference it where it is needed (`KEY: ${KEY:?}`), fix the name, or drop it from the set.',
    source: 'secrets',
    docsUrl: 'docs/secrets.md',
  },
} as const satisfies Record<string, RuleMeta>;

export const SECRET_PLAN_RULE_METAS: readonly RuleMeta[] = Object.values(SECRET_PLAN_RULES);

import { writtenImage } from '../lib/image.js';
import { knownAllowedEnvs } from '../lib/secrets.js';
import type { Rule } from '../types.js';

/** `${IMAGE}` or `$IMAGE`: the variable is the whole reference. */
const WHOLE_REFERENCE = /^\$\{[^}]*\}$|^\$[A-Za-z_]\w*$/;

export const imageFromVariable: Rule = {
  id: 'image-from-variable',
  section: 'upgrades',
  severity: 'warning',
  title: 'Image named (wholly or partly) by a variable the encrypted env sets',
  rationale:
    'Inside the CVM, `${VAR}` in the compose file expands from the decrypted env, which is encrypted, replaced ' +
    'wholesale on every update and not part of the compose hash (docs/platform.md#secrets, #compose-hash). An ' +
    'image, tag or digest taken from a variable is therefore chosen by whoever sends the env, and the attested ' +
    'compose does not say which image runs; a `${VAR:-default}` default only applies when the env leaves the ' +
    'variable out. A variable that `allowed_envs` (part of the attested manifest) does not list can never come ' +
    'from the env, so its default is fixed and is not reported.',
  fixHint:
    'Write the image literally in the compose file, ideally pinned by digest (`image: ' +
    'ghcr.io/acme/app:1.4.2@sha256:…`), and change it with a compose update; if a variable must stay, leave it ' +
    'out of `allowed_envs` so its default is what runs.',
  example: {
    bad: `services:
  web:
    image: \${APP_IMAGE}
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
`,
  },
  check(ctx) {
    const allowed = knownAllowedEnvs(ctx.project)?.names;
    for (const [name, svc] of ctx.services) {
      // A service built here runs what its build makes (build-in-cvm); the image only names the result.
      if (svc.build) continue;
      // A variable unset here interpolates to an empty image; the text as written is what matters.
      if (svc.image === undefined) continue;
      const image = writtenImage(ctx.project, name, svc.image || '(unset)');
      if (!image?.refs.length) continue;
      const fromEnv = [...new Set(image.refs.map((r) => r.name))].filter((v) => !allowed || allowed.includes(v));
      if (!fromEnv.length) continue;
      const vars = fromEnv.map((v) => `\${${v}}`).join(', ');
      const whole = WHOLE_REFERENCE.test(image.written.trim());
      const defaulted = image.refs.some((r) => fromEnv.includes(r.name) && (r.modifier === ':-' || r.modifier === '-'));
      ctx.report({
        service: name,
        valuePath: ['services', name, 'image'],
        messageId: whole ? 'wholeImage' : 'partOfImage',
        message: (who) =>
          `${who} ${who.v('takes', 'take')} ` +
          (whole ? `${who.v('its', 'their')} image` : `part of ${who.v('its', 'their')} image (${image.written})`) +
          ` from ${vars}, which the encrypted env sets` +
          (defaulted ? ' (the default applies only when it does not)' : '') +
          ': the attested compose does not fix which image runs',
      });
    }
  },
};

import { socketMounts } from '../lib/mounts.js';
import type { Rule } from '../types.js';

export const legacyTappdSocket: Rule = {
  id: 'legacy-tappd-socket',
  section: 'keys',
  severity: 'warning',
  title: "Mounts the legacy tappd.sock instead of the guest agent's dstack.sock",
  rationale:
    "The checklist's TEE-managed keys come from the dstack guest agent. `/var/run/tappd.sock` serves the legacy " +
    "`Tappd` API (`/prpc/Tappd.*`); the current API (`GetKey`, `GetQuote`, `Info`) and today's " +
    '`@phala/dstack-sdk` `DstackClient` use `/var/run/dstack.sock` (docs/platform.md#guest-agent).',
  fixHint:
    'Mount `/var/run/dstack.sock:/var/run/dstack.sock` and move the client to the current API (`DstackClient` ' +
    'in `@phala/dstack-sdk`, `dstack-sdk` for Python).',
  example: {
    bad: `services:
  app:
    image: ghcr.io/acme/attest:0.3.0
    volumes:
      - /var/run/tappd.sock:/var/run/tappd.sock
`,
    good: `services:
  app:
    image: ghcr.io/acme/attest:0.3.0
    volumes:
      - /var/run/dstack.sock:/var/run/dstack.sock
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      for (const m of socketMounts(svc)) {
        if (m.socket.kind !== 'tappd') continue;
        ctx.report({
          service: name,
          path: ['services', name, 'volumes', m.index],
          message: (who) =>
            `${who} ${who.v('mounts', 'mount')} ${m.source}, the legacy guest-agent API; use /var/run/dstack.sock`,
        });
      }
    }
  },
};

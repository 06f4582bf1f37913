import { socketLockMounts } from '../lib/mounts.js';
import type { Rule } from '../types.js';

export const socketLockMount: Rule = {
  id: 'socket-lock-mount',
  section: 'keys',
  severity: 'error',
  title: "Mounts a socket's .sock.lock file instead of the socket",
  rationale:
    "A `.sock.lock` file is the lock the guest agent's listener keeps beside its unix socket, not the socket: a " +
    'container that mounts it has nothing to connect to, so key derivation and quotes fail at run time ' +
    '(docs/platform.md#guest-agent).',
  fixHint: 'Mount the socket itself, e.g. `/var/run/dstack.sock:/var/run/dstack.sock`.',
  example: {
    bad: `services:
  app:
    image: ghcr.io/acme/attest:0.3.0
    volumes:
      - /var/run/dstack.sock.lock:/var/run/dstack.sock
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
      for (const m of socketLockMounts(svc)) {
        const socket = m.source.slice(0, -'.lock'.length);
        ctx.report({
          service: name,
          path: ['services', name, 'volumes', m.index],
          message: (who) =>
            `${who} ${who.v('mounts', 'mount')} ${m.source}, a lock file, not the socket; mount ${socket}`,
        });
      }
    }
  },
};

import { DANGEROUS_CAPABILITIES, UNCONFINED_SECURITY_OPTS, normalizeCapability } from '../../knowledge/privileges.js';
import type { Rule } from '../types.js';

export const privileged: Rule = {
  id: 'privileged',
  section: 'keys',
  severity: 'warning',
  title: 'Privileged container, host-level capability, host device or unconfined security profile',
  rationale:
    "The checklist's promise is that TEE-managed keys and decrypted secrets are usable only inside the TEE by " +
    'your app. Inside the CVM, a privileged container (or one with SYS_ADMIN, SYS_PTRACE, SYS_MODULE…, host ' +
    'devices, or AppArmor/seccomp off) can reach the guest OS, the disk key, the guest agent and every other ' +
    "container's memory and secrets.",
  fixHint:
    'Drop `privileged: true`; add only the narrow capabilities the process needs (e.g. NET_BIND_SERVICE); keep ' +
    'the default AppArmor and seccomp profiles; pass a single device only when the workload needs it.',
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    privileged: true
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      if (svc.privileged === true) {
        ctx.report({
          service: name,
          path: ['services', name, 'privileged'],
          messageId: 'privileged',
          message: (who) =>
            `${who} ${who.v('runs', 'run')} privileged: ${who.v('it has', 'each has')} full control of the ` +
            `guest OS and every other container`,
        });
      }
      (svc.cap_add ?? []).forEach((raw, i) => {
        const cap = normalizeCapability(String(raw));
        const why = DANGEROUS_CAPABILITIES[cap];
        if (why)
          ctx.report({
            service: name,
            valuePath: ['services', name, 'cap_add', i],
            messageId: 'capability',
            message: (who) => `${who} ${who.v('adds', 'add')} capability ${cap}: ${why}`,
          });
      });
      (svc.devices ?? []).forEach((d, i) => {
        const shown =
          typeof d === 'string'
            ? d.split(':')[0]
            : typeof d === 'object' && d && 'source' in d
              ? String((d as { source: unknown }).source)
              : 'a device';
        ctx.report({
          service: name,
          valuePath: ['services', name, 'devices', i],
          messageId: 'device',
          message: (who) => `${who} ${who.v('maps', 'map')} host device ${shown} into the container`,
        });
      });
      (svc.security_opt ?? []).forEach((opt, i) => {
        const hit = UNCONFINED_SECURITY_OPTS.find((u) => u.pattern.test(String(opt).trim()));
        if (hit)
          ctx.report({
            service: name,
            valuePath: ['services', name, 'security_opt', i],
            messageId: 'securityOpt',
            message: (who) => `${who} ${who.v('sets', 'set')} security_opt ${String(opt).trim()}, which ${hit.what}`,
          });
      });
    }
  },
};

import { isRestartPolicy } from '../../compose/semantics.js';
import type { FixContext, FixOutcome, FixTarget } from '../fix-types.js';
import { isOneShot } from '../lib/services.js';
import type { Rule } from '../types.js';

const KEEPS_RUNNING = new Set(['always', 'unless-stopped', 'on-failure']);

export const restartPolicy: Rule = {
  id: 'restart-policy',
  section: 'restart',
  severity: 'warning',
  title: 'Long-running service without a restart policy',
  rationale:
    'The checklist asks apps to survive being stopped and started at any time. A container that exits (crash, ' +
    'OOM, a dependency not ready yet) stays down in the CVM until the next upgrade or reboot, because nobody is ' +
    'there to run `docker start`.',
  fixHint:
    'Set `restart: unless-stopped` on long-running services (`always` also works, but brings the old version ' +
    'back at the start of every upgrade: restart-serves-old-version); one-shot jobs may keep `no`.',
  fix: fixRestartPolicy,
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      if (isOneShot(ctx.model, name, svc)) continue;
      if (typeof svc.restart === 'string' && !isRestartPolicy(svc.restart)) continue; // compose-invalid reports it
      const policy =
        svc.restart ??
        (svc.deploy?.restart_policy?.condition ? mapDeployCondition(svc.deploy.restart_policy.condition) : undefined);
      if (policy && (KEEPS_RUNNING.has(policy) || policy.startsWith('on-failure'))) continue;
      ctx.report({
        service: name,
        path: svc.restart !== undefined ? ['services', name, 'restart'] : ['services', name],
        message: (who) =>
          `${who} ${who.v('has', 'have')} ${policy ? `restart: ${policy}` : 'no restart policy'};` +
          ` ${who.v('it stays', 'they stay')} down after a crash until the CVM restarts`,
      });
    }
  },
};

function mapDeployCondition(c: string): string {
  return c === 'any' ? 'always' : c === 'on-failure' ? 'on-failure' : 'no';
}

/** `restart: unless-stopped` where the service writes its policy, else added to it. */
function fixRestartPolicy(ctx: FixContext, { report }: FixTarget): FixOutcome {
  const name = report.service!;
  const svc = ctx.project.model.services?.[name];
  if (svc?.restart === undefined && svc?.deploy?.restart_policy?.condition)
    ctx.refuse('the policy is deploy.restart_policy.condition; set it to any or on-failure by hand');
  ctx.service(name).set(['restart'], 'unless-stopped');
  return {
    description: `set restart: unless-stopped on service "${name}"`,
    changesBehaviour: 'Docker restarts the container whenever it exits, unless it was stopped by hand',
  };
}

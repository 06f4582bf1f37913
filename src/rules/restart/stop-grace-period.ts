import { parseComposeDuration } from '../../compose/duration.js';
import type { FixContext, FixOutcome, FixTarget } from '../fix-types.js';
import { formatDuration } from '../lib/healthcheck.js';
import { statefulService } from '../lib/stateful.js';
import type { Rule } from '../types.js';

/** Docker's default stop timeout (`docker stop -t`), which compose uses when stop_grace_period is unset. */
const DOCKER_DEFAULT_STOP_MS = 10_000;

export const stopGracePeriod: Rule = {
  id: 'stop-grace-period',
  section: 'restart',
  severity: 'warning',
  title: 'Stateful service stopped with the 10 s default grace period',
  rationale:
    'Every upgrade restarts the whole CVM (checklist: "The entire CVM and all containers in your Compose will ' +
    'reboot during an upgrade"). A database that cannot flush and checkpoint within 10 s is SIGKILLed and starts ' +
    'the next boot with crash recovery, or with a torn write.',
  fixHint: 'Give stateful services time to shut down cleanly, e.g. `stop_grace_period: 1m`.',
  fix: fixStopGracePeriod,
  example: {
    bad: `services:
  db:
    image: postgres:16.4
    restart: unless-stopped
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
`,
    good: `services:
  db:
    image: postgres:16.4
    restart: unless-stopped
    stop_grace_period: 1m
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      const stateful = statefulService(svc);
      if (!stateful || stateful.entry.quickShutdown) continue;
      const set = svc.stop_grace_period !== undefined;
      const ms = set ? parseComposeDuration(svc.stop_grace_period) : DOCKER_DEFAULT_STOP_MS;
      // undefined: a duration Compose refuses (compose-invalid reports it).
      if (ms === undefined || ms > DOCKER_DEFAULT_STOP_MS) continue;
      ctx.report({
        service: name,
        path: set ? ['services', name, 'stop_grace_period'] : ['services', name],
        message: (who) =>
          set
            ? `${who} (${stateful.entry.product}) ${who.v('has', 'have')} ` +
              `stop_grace_period ${formatDuration(ms)}; ${who.v('it is', 'they are')} killed ` +
              `before ${who.v('it', 'they')} can shut down cleanly`
            : `${who} (${stateful.entry.product}) ${who.v('has', 'have')} no stop_grace_period, ` +
              `so ${who.v('it is', 'they are')} killed 10s after SIGTERM, possibly mid-write`,
      });
    }
  },
};

/** The grace period the fix hint names: a minute covers a checkpoint of the data stores in the table. */
const FIXED_GRACE_PERIOD = '1m';

function fixStopGracePeriod(ctx: FixContext, { report }: FixTarget): FixOutcome {
  const name = report.service!;
  ctx.service(name).set(['stop_grace_period'], FIXED_GRACE_PERIOD);
  return {
    description: `set stop_grace_period: ${FIXED_GRACE_PERIOD} on service "${name}"`,
    changesBehaviour:
      `a stop (every CVM restart and upgrade) waits up to ${FIXED_GRACE_PERIOD} for a clean shutdown before ` +
      `SIGKILL`,
  };
}

import { debugLogging } from '../lib/debug-logging.js';
import type { Rule } from '../types.js';
import type { FixContext, FixOutcome } from '../fix-types.js';

export const publicLogs: Rule = {
  id: 'public-logs',
  section: 'logs',
  severity: 'warning',
  title: 'Container logs are public (the Phala Cloud default)',
  rationale:
    'The checklist: "By default, Phala Cloud treats logs as public." With `public_logs: true` the guest agent ' +
    "serves every container's output to anyone at `/logs/<container>` (docs/platform.md#logs-and-sysinfo). " +
    'Anything an app prints — request data, user ids, stack traces, a token in an error — is published; with ' +
    'debug or verbose logging on, that is most of what passes through it.',
  fixHint:
    'Set `public_logs: false` (Advanced settings on Phala Cloud, app-compose.json, or `deployment:` in ' +
    '.preflight.yml) and add a private log viewer or forwarder (Dozzle behind auth, Vector, Fluent Bit…); never ' +
    'run debug logging in production.',
  fix: fixPublicLogs,
  example: {
    file: '.preflight.yml',
    beside: {
      'docker-compose.yml': `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
`,
    },
    bad: `deployment:
  public_logs: true
`,
    good: `deployment:
  public_logs: false
`,
  },
  check(ctx) {
    if (!ctx.deployment.public_logs) return;
    const debug = ctx.services.flatMap(([name, svc]) => {
      const d = debugLogging(svc);
      return d ? [`"${name}" (${d.evidence})`] : [];
    });
    const source = ctx.project.deployment.locations.public_logs
      ? 'public_logs is true'
      : 'public_logs is on (the Phala Cloud default)';
    if (debug.length === 0) {
      ctx.report({
        loc: ctx.deploymentLocation('public_logs'),
        message: `${source}: anyone can read every container's logs`,
      });
      return;
    }
    const shown = debug.length > 3 ? `${debug.slice(0, 3).join(', ')} and ${debug.length - 3} more` : debug.join(', ');
    ctx.report({
      loc: ctx.deploymentLocation('public_logs'),
      severity: 'error',
      message:
        `${source} and debug logging is on in ${debug.length === 1 ? 'service' : 'services'} ${shown}: anyone can ` +
        `read the verbose output`,
    });
  },
};

/**
 * `public_logs: false` where the deployment is written (app-compose.json or .preflight.yml, created when there is
 * none).
 */
function fixPublicLogs(ctx: FixContext): FixOutcome {
  const file = ctx.setDeployment('public_logs', false);
  const declared = file.endsWith('.json')
    ? ''
    : ' (.preflight.yml describes the deployment: deploy with public logs off)';
  return {
    description: `set public_logs: false in ${file}${declared}`,
    changesBehaviour:
      'the guest agent stops serving container logs at /logs; read them through a private viewer or forwarder',
  };
}

import { healthcheckState } from '../lib/healthcheck.js';
import type { Healthcheck } from '../../compose/types.js';
import type { Rule } from '../types.js';

/** Shells whose `-c SCRIPT` we read as the probe's script (`["CMD", "sh", "-c", "…"]`). */
const SHELLS = /^(?:\/(?:usr\/)?bin\/)?(?:sh|bash|ash|dash)$/;
/** A probe that is only a command which always succeeds. */
const ALWAYS_SUCCEEDS = /^(?:(?:\/(?:usr\/)?bin\/)?true|exit(?:\s+0)?|:)$/;
/**
 * A script whose last step always exits 0 whatever came before: `… || exit 0`, `… || true`,
 * `…; exit 0` (also on a new line). `&&` is not here: `probe && exit 0` fails when the probe does.
 */
const ENDS_SUCCEEDING = /(?:\|\||;|\n)\s*(?:(?:\/(?:usr\/)?bin\/)?true|exit\s+0|exit|:)\s*;?\s*$/;

/** `ending` is what makes it succeed (`|| exit 0`), never the rest of the script: it may hold a secret. */
export type Ineffective = { kind: 'neverFails'; ending: string } | { kind: 'neverPasses'; command: string };

/** The script the probe runs: CMD-SHELL's, or a `CMD` that calls a shell with `-c`. */
function probeScript(test: string[]): string | undefined {
  if (test[0] === 'CMD-SHELL') return test.slice(1).join(' ');
  if (test[0] === 'CMD' && test[1] && SHELLS.test(test[1]) && test[2] === '-c') return test[3];
  if (test[0] === 'CMD' && test.length === 2) return test[1];
  return undefined;
}

/** Why a written healthcheck test can never fail or never pass, if it cannot. */
export function ineffectiveProbe(hc: Healthcheck): Ineffective | undefined {
  const test = hc.test ?? [];
  // `test: NONE` (string form) and `["CMD-SHELL", "NONE"]` run `/bin/sh -c NONE`, a command that does
  // not exist; `["CMD", "NONE"]` execs it. Only `["NONE"]` disables the check (healthcheck-disabled).
  if ((test[0] === 'CMD-SHELL' || test[0] === 'CMD') && test.length === 2 && test[1]!.trim() === 'NONE')
    return { kind: 'neverPasses', command: 'NONE' };
  const script = probeScript(test)?.trim();
  if (script === undefined) return undefined;
  // `set -e` makes a failing step end the script before the final `exit 0`.
  if (/\bset\s+-[a-z]*e/.test(script)) return undefined;
  if (ALWAYS_SUCCEEDS.test(script)) return { kind: 'neverFails', ending: script };
  const ending = ENDS_SUCCEEDING.exec(script)?.[0];
  if (ending) return { kind: 'neverFails', ending: ending.replace(/\s+/g, ' ').trim() };
  return undefined;
}

export const healthcheckIneffective: Rule = {
  id: 'healthcheck-ineffective',
  section: 'restart',
  severity: 'warning',
  title: 'Healthcheck that can never fail, or never pass',
  rationale:
    'After every CVM restart or upgrade all services start at once and `depends_on: condition: service_healthy` ' +
    'is what orders them (docs/platform.md#boot-sequence). A probe ending in `|| exit 0`, `|| true` or `; exit ' +
    '0` reports healthy while the service is down, so dependents start against it and a broken upgrade looks ' +
    'healthy; `test: NONE` in string form (or `["CMD-SHELL", "NONE"]`) runs a command named NONE, which fails ' +
    'every time, so the service is never healthy and anything waiting for it never starts. Only `test: ["NONE"]` ' +
    'or `disable: true` disable a healthcheck (healthcheck-disabled).',
  fixHint:
    'Let the probe fail: drop the trailing `|| exit 0` / `|| true` / `; exit 0` (use `|| exit 1` to map any ' +
    'failure to unhealthy). To disable the check, write `test: ["NONE"]` or `disable: true`.',
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    healthcheck:
      test: ["CMD-SHELL", "curl -f http://localhost:8080/healthz || true"]
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    healthcheck:
      test: ["CMD-SHELL", "curl -f http://localhost:8080/healthz || exit 1"]
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      if (healthcheckState(svc) !== 'defined') continue;
      const found = ineffectiveProbe(svc.healthcheck!);
      if (!found) continue;
      const waiting = ctx.services
        .filter(([other, s]) => other !== name && s.depends_on?.[name]?.condition === 'service_healthy')
        .map(([other]) => `"${other}"`);
      const waits = waiting.length ? `, and ${waiting.join(', ')} ${waiting.length > 1 ? 'wait' : 'waits'} for it` : '';
      ctx.report({
        service: name,
        valuePath: ['services', name, 'healthcheck', 'test'],
        messageId: found.kind,
        ...(found.kind === 'neverPasses' && waiting.length ? { severity: 'error' as const } : {}),
        message:
          found.kind === 'neverFails'
            ? (who) =>
                `${who} ${who.v('has a healthcheck', 'have a healthcheck')} that always exits 0 (it ends in ` +
                `\`${found.ending}\`): ${who.v('it is', 'they are')} reported healthy even when down${waits}`
            : (who) =>
                `${who} ${who.v('has', 'have')} healthcheck test NONE as a shell command, which runs a command ` +
                `named NONE and always fails: ${who.v('it is', 'they are')} never healthy${waits}; write test: ` +
                `["NONE"] or disable: true to disable the check`,
      });
    }
  },
};

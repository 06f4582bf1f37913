import { isOneShot } from '../lib/services.js';
import { argWords, pid1Of, scriptShape, type ArgWord } from '../lib/shell.js';
import type { Rule } from '../types.js';

export const shellPid1: Rule = {
  id: 'shell-pid1',
  section: 'restart',
  severity: 'warning',
  title: 'Command runs through a shell that does not forward SIGTERM',
  rationale:
    'The checklist asks for graceful shutdown handlers so a restart or upgrade does not corrupt data. When `sh ' +
    '-c "a && b"` is PID 1, the shell receives SIGTERM and ignores it (PID 1 has no default signal handlers); ' +
    'the app never hears it and is SIGKILLed when the stop grace period ends, at every CVM restart and upgrade.',
  fixHint:
    'Start the long-running command with `exec` (`sh -c "migrate && exec node server.js"`), or set `init: true` ' +
    'so an init process forwards signals.',
  example: {
    bad: `services:
  worker:
    image: ghcr.io/acme/worker:2.0.1
    command: sh -c "python migrate.py && python worker.py"
`,
    good: `services:
  worker:
    image: ghcr.io/acme/worker:2.0.1
    command: sh -c "python migrate.py && exec python worker.py"
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      if (svc.init === true || isOneShot(ctx.model, name, svc)) continue;
      // Compose replaces the image's CMD when `entrypoint` is set; without it, `command` goes to the image's
      // ENTRYPOINT, which (docker-entrypoint.sh style) ends in `exec "$@"`, so the command still becomes PID 1.
      const argv: ArgWord[] =
        svc.entrypoint != null && (!Array.isArray(svc.entrypoint) || svc.entrypoint.length > 0)
          ? [...argWords(svc.entrypoint, 'entrypoint'), ...argWords(svc.command, 'command')]
          : argWords(svc.command, 'command');
      const pid1 = pid1Of(argv);
      if (pid1.kind !== 'shell-script') continue;
      const shape = scriptShape(pid1.script.word);
      if (shape.execsLast || shape.traps || shape.singleSimpleCommand || shape.commands.length === 0) continue;
      const where = [
        'services',
        name,
        pid1.script.key,
        ...(pid1.script.index !== undefined ? [pid1.script.index] : []),
      ];
      const last = shape.commands[shape.commands.length - 1]!;
      const why =
        shape.lastSeparator === '|'
          ? ' (the last command is in a pipeline)'
          : last === 'wait'
            ? ' (the script waits on background jobs)'
            : '';
      ctx.report({
        service: name,
        valuePath: where,
        message: (who) =>
          `${who} ${who.v('runs its', 'run their')} ${pid1.script.key} through \`${pid1.shell} -c\` without ` +
          `\`exec\`${why}, so the app never receives SIGTERM and is killed at every restart`,
      });
    }
  },
};

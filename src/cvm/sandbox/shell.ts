import type { CvmOs, ScriptLine } from '../types.js';

/** Where the sandbox container finds the boot shell and the script (mounted read-only). */
export const SHELL_DIR = '/opt/preflight';
export const SCRIPT_PATH = `${SHELL_DIR}/pre_launch_script`;
export const BOOT_SHELL_PATH = `${SHELL_DIR}/app-compose.sh`;
/** Marks a `dstack-util notify-host` line in the script's output. */
export const NOTIFY_MARK = '\x1epf-notify';

/**
 * The part of dstack's `app-compose.sh` that runs before `compose up` (docs/platform.md#boot-sequence,
 * step 7): the pre-launch script is `source`d, so its `exit`, `set` options and exports act on the
 * boot shell itself. On main the shell runs under `set -euo pipefail`; v0.5.11 sets no option.
 *
 * Around that, what the drill needs to read the outcome, on file descriptor 3 (the script's own
 * output goes to stderr, the boot log): each failing command of the script (ERR trap), the line it
 * was on when the shell ended (DEBUG trap), and, when the script returned, the environment
 * `compose up` then runs with. The traps only record; they change no exit status.
 */
export function bootShell(os: CvmOs): string {
  return [
    '#!/bin/bash',
    `# Written by preflight: dstack ${os} app-compose.sh up to \`compose up\`, with recording traps.`,
    'exec 3>&1 1>&2',
    `__pf_script=${SCRIPT_PATH}`,
    '__pf_line=0 __pf_n=0',
    `__pf_debug() { [[ "\${FUNCNAME[1]:-}" == __pf_* || "$BASH_COMMAND" == __pf_* ]] && return; ` +
      `__pf_n=$((__pf_n + 1)); if [[ "\${BASH_SOURCE[1]:-}" == "$__pf_script" && "$BASH_COMMAND" != 'source ` +
      `"$__pf_script"' ]]; then __pf_line=\${BASH_LINENO[0]}; fi; }`,
    `__pf_err() { local rc=$?; if [[ "\${BASH_SOURCE[1]:-}" == "$__pf_script" ]]; then printf 'pf-err %s %s ` +
      `%s\\n' "$rc" "\${BASH_LINENO[0]}" "$__pf_n" >&3; fi; }`,
    `__pf_exit() { local rc=$?; trap - DEBUG ERR; printf 'pf-exit %s %s\\n' "$rc" "$__pf_line" >&3; }`,
    'trap __pf_exit EXIT',
    'trap __pf_err ERR',
    'trap __pf_debug DEBUG',
    'set -o errtrace -o functrace',
    ...(os === 'main' ? ['set -euo pipefail'] : []),
    'cd /dstack',
    'echo "Running pre-launch script"',
    'dstack-util notify-host -e "boot.progress" -d "pre-launch" || true',
    'source "$__pf_script"',
    'trap - DEBUG ERR EXIT',
    "printf 'pf-done\\n' >&3",
    'env -0 >&3',
    '',
  ].join('\n');
}

/** The sandbox's `dstack-util` (and legacy `tdxctl`): notify-host is recorded, the rest does nothing. */
export const DSTACK_UTIL_STUB = `#!/bin/sh
# Preflight's stand-in in the pre-launch sandbox: notify-host is recorded in the boot log.
if [ "$1" = notify-host ]; then
  shift; e=; d=
  while [ $# -gt 0 ]; do case "$1" in -e) e=$2; shift 2;; -d) d=$2; shift 2;; *) shift;; esac; done
  printf '\\036pf-notify\\t%s\\t%s\\n' "$e" "$d" >&2
fi
exit 0
`;

export interface ShellOutcome {
  /** The script returned to the boot shell (the boot goes on to \`compose up\`). */
  done: boolean;
  exitCode: number;
  /** Line of the script the shell was on when it ended (0: none). */
  lastLine: number;
  /** Failing commands the ERR trap saw (a failure inside a function is reported where it happened). */
  failures: { code: number; line: number }[];
  /** The environment after the script (values in memory only). */
  env?: Map<string, string>;
}

/** Read what the boot shell wrote on descriptor 3. */
export function parseShellReport(out: Buffer): ShellOutcome {
  const text = out.toString('utf8');
  const doneAt = text.indexOf('pf-done\n');
  const head = doneAt >= 0 ? text.slice(0, doneAt) : text;
  const failures: ShellOutcome['failures'] = [];
  let prevN = -2;
  let exitCode = -1;
  let lastLine = 0;
  for (const l of head.split('\n')) {
    const err = /^pf-err (\d+) (\d+) (\d+)$/.exec(l);
    if (err) {
      // A failure inside a function is reported again at each caller, with only the trap's own
      // DEBUG step between; one inside a command substitution again at the line that used it.
      const f = { code: Number(err[1]), line: Number(err[2]) };
      const n = Number(err[3]);
      const prev = failures[failures.length - 1];
      const again = prev && prev.code === f.code && (n === prevN + 1 || prev.line === f.line);
      if (!again) failures.push(f);
      prevN = n;
      continue;
    }
    const ex = /^pf-exit (\d+) (\d+)$/.exec(l);
    if (ex) {
      exitCode = Number(ex[1]);
      lastLine = Number(ex[2]);
    }
  }
  if (doneAt < 0) return { done: false, exitCode, lastLine, failures };
  const env = new Map<string, string>();
  for (const entry of text.slice(doneAt + 'pf-done\n'.length).split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return { done: true, exitCode: 0, lastLine, failures, env };
}

/** Bash's own error line for the script (`…/pre_launch_script: line 12: X: unbound variable`). */
export function shellErrorLine(log: string): { line: number; message: string } | undefined {
  const re = new RegExp(`${SCRIPT_PATH.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: line (\\d+): (.+)`, 'g');
  let last: { line: number; message: string } | undefined;
  for (const m of log.matchAll(re)) last = { line: Number(m[1]), message: m[2]!.trim() };
  return last;
}

/** Line `n` of the script, trimmed and shortened, for messages (masked by the caller). */
export function scriptLine(script: string, n: number): ScriptLine | undefined {
  if (n <= 0) return undefined;
  const text = script.split('\n')[n - 1];
  if (text === undefined) return undefined;
  const t = text.trim();
  return { line: n, text: t.length > 160 ? `${t.slice(0, 160)}…` : t };
}

import { knownAllowedEnvs } from '../lib/secrets.js';
import { assignedNames, codeLines, importsNames, nounsetLine, variableUses, type CodeLine } from '../lib/pre-launch.js';
import type { Rule, RuleContext } from '../types.js';

/**
 * Names set before the script is sourced: the shell's own, systemd's for a service, and what
 * dstack main's app-compose.sh assigns before it sources the script (docs/platform.md#boot-sequence).
 */
const SET_BEFORE = new Set([
  'PATH',
  'HOME',
  'PWD',
  'IFS',
  'PPID',
  'UID',
  'EUID',
  'GROUPS',
  'HOSTNAME',
  'HOSTTYPE',
  'MACHTYPE',
  'OSTYPE',
  'SHELLOPTS',
  'BASHOPTS',
  'BASH',
  'BASHPID',
  'BASH_VERSION',
  'BASH_VERSINFO',
  'BASH_SOURCE',
  'BASH_LINENO',
  'BASH_REMATCH',
  'FUNCNAME',
  'LINENO',
  'RANDOM',
  'SECONDS',
  'SHLVL',
  'OPTIND',
  'OPTERR',
  'PS4',
  'PIPESTATUS',
  'INVOCATION_ID',
  'JOURNAL_STREAM',
  'SYSTEMD_EXEC_PID',
  'HOST_SHARED_DIR',
  'SYS_CONFIG_FILE',
  'APP_COMPOSE_FILE',
  'COMPOSE_FILE',
  'NERDCTL_NAMESPACE',
  'ACTION',
  'CFG_PCCS_URL',
  'PCCS_URL',
  'runner',
  'snapshotter',
]);

/** Words that say a check is about what may run (an identity, a measurement, a credential). */
const GATE_WORDS = new RegExp(
  [
    ...['hash', 'digest', 'token', 'signature', String.raw`sha\d*sum`, 'md5sum', 'b2sum', 'checksum', 'attest'],
    ...['measure', 'rtmr', 'mr_?td', 'app_?id', 'compose', 'licen[cs]e', 'allow'],
  ].join('|'),
  'i',
);
/** A comparison of two values, or a checksum tool checking a list. */
const COMPARISON = /!=|\s-ne\s|==|\s=\s|sum\s+(?:-c|--check)\b|\bcmp\s|\bdiff\s/;
const DOWNLOAD = /\b(?:curl|wget)\b/;
const REGISTRY_LOGIN = /\bdocker\s+login\b|\becr\s+get-login|\bDSTACK_(?:DOCKER|AWS)_/;

export const preLaunchUnsafe: Rule = {
  id: 'pre-launch-unsafe',
  section: 'restart',
  severity: 'warning',
  title: 'pre_launch_script that can stop the boot, or that cannot do what it is meant to',
  rationale:
    'The pre-launch script is sourced by the boot script after dockerd has started ' +
    '(docs/platform.md#pre-launch-script). On dstack main that shell runs under `set -euo pipefail` (v0.5.11 ' +
    'sets no option), so a `$VAR` that is not set ends the boot with "unbound variable"; a script that sets `-u` ' +
    'itself does so on every version. Containers with `restart: always`, `unless-stopped` or `on-failure` may ' +
    'already be running when it runs (dockerd restores them at boot, docs/platform.md#boot-sequence step 6), so ' +
    'an `exit 1` on a hash or token mismatch cannot keep the app from starting: dstack says not to build gates ' +
    "on it, `init_script` runs before dockerd. A custom script replaces Phala Cloud's default one, and with it " +
    'the registry login the `DSTACK_DOCKER_*` / `DSTACK_AWS_*` variables are for ' +
    '(docs/platform.md#boot-sequence).',
  fixHint:
    'Give every variable a default (`${VAR:-}`) or test it with `[ -n "${VAR:-}" ]`; move checks that must stop ' +
    'the app into `init_script`; in a custom script, log in to your registry yourself (`echo ' +
    '"$DSTACK_DOCKER_PASSWORD" | docker login -u "$DSTACK_DOCKER_USERNAME" --password-stdin`) or start from ' +
    "Phala's default script.",
  example: {
    file: 'app-compose.json',
    bad: `{
  "manifest_version": 2,
  "name": "shop",
  "runner": "docker-compose",
  "docker_compose_file": "services:\\n  web:\\n    image: ghcr.io/acme/shop:1.4.2\\n    restart: unless-stopped\\n",
  "pre_launch_script": "#!/bin/bash\\nset -u\\nmkdir -p \\"/dstack/persistent/$APP_DIR\\"\\n"
}
`,
    good: `{
  "manifest_version": 2,
  "name": "shop",
  "runner": "docker-compose",
  "docker_compose_file": "services:\\n  web:\\n    image: ghcr.io/acme/shop:1.4.2\\n    restart: unless-stopped\\n",
  "pre_launch_script": "#!/bin/bash\\nset -u\\nmkdir -p \\"/dstack/persistent/\${APP_DIR:-shop}\\"\\n"
}
`,
  },
  check(ctx) {
    const script = ctx.deployment.pre_launch_script;
    if (!script?.trim()) return;
    const lines = codeLines(script);
    const loc = ctx.deploymentLocation('pre_launch_script');
    unsetVariables(ctx, lines, loc);
    gates(ctx, lines, loc);
    registryLogin(ctx, script, loc);
  },
};

type Loc = ReturnType<RuleContext['deploymentLocation']>;

/** Names the guest passes to the app (allowed_envs when known, else the env files' keys); undefined: unknown. */
function envNames(ctx: RuleContext): Set<string> | undefined {
  const allowed =
    knownAllowedEnvs(ctx.project) ?? (ctx.deployment.allowed_envs ? { names: ctx.deployment.allowed_envs } : undefined);
  if (allowed) return new Set(allowed.names);
  if (ctx.project.envFiles.length) return new Set(ctx.project.env.keys());
  return undefined;
}

function unsetVariables(ctx: RuleContext, lines: CodeLine[], loc: Loc): void {
  const env = envNames(ctx);
  if (!env || importsNames(lines)) return;
  const own = nounsetLine(lines);
  const mv = ctx.deployment.manifest_version;
  const mainOnly = typeof mv === 'string' || (typeof mv === 'number' && mv >= 3) || ctx.deployment.requirements;
  const assigned = assignedNames(lines);
  const uses = variableUses(lines);
  const careful = new Set(uses.filter((u) => u.guarded).map((u) => u.name));
  const unset = new Map<string, number>();
  for (const u of uses) {
    if (u.guarded || careful.has(u.name) || assigned.has(u.name) || SET_BEFORE.has(u.name) || env.has(u.name)) continue;
    if (!unset.has(u.name)) unset.set(u.name, u.line);
  }
  if (unset.size === 0) return;
  const first = Math.min(...unset.values());
  const byScript = own !== undefined && own < first;
  const when = byScript
    ? `the script turns on set -u (line ${own})`
    : "dstack main sources the script under set -euo pipefail (v0.5.11 sets no option, so there it expands to '')";
  const list = [...unset].map(([name, line]) => `$${name} (line ${line})`);
  ctx.report({
    loc,
    severity: byScript || mainOnly ? 'warning' : 'info',
    message:
      `pre_launch_script reads ${list.join(', ')}, which nothing sets (not in the env the guest passes, not ` +
      `assigned in the script): ${when}, so the boot stops with "unbound variable" at the first of them it reaches`,
  });
}

function gates(ctx: RuleContext, lines: CodeLine[], loc: Loc): void {
  // Policies dockerd acts on at boot: always, unless-stopped after an unclean stop, on-failure after a
  // non-zero exit, which a power cut is for every running container (docs/platform.md#boot-sequence, step 6).
  const early = ctx.services.filter(([, s]) =>
    /^(?:always|unless-stopped|on-failure(?::\d+)?)$/.test(s.restart?.trim() ?? ''),
  );
  if (early.length === 0) return; // nothing runs before compose up: an exit here does stop the app
  for (let i = 0; i < lines.length; i++) {
    const exit = /\bexit\s+([1-9]\d*)\b/.exec(lines[i]!.code);
    if (!exit) continue;
    const condition = governingCondition(lines, i);
    if (!condition || REGISTRY_LOGIN.test(condition.code)) continue;
    if (!COMPARISON.test(condition.code) || !GATE_WORDS.test(condition.code)) continue;
    const from = Math.max(0, lines.indexOf(condition) - 10);
    // A download's integrity check.
    if (lines.slice(from, lines.indexOf(condition) + 1).some((l) => DOWNLOAD.test(l.code))) continue;
    const who = early.map(([n, svc]) => `"${n}" (restart: ${svc.restart!.trim()})`).join(', ');
    ctx.report({
      loc,
      message:
        `pre_launch_script line ${lines[i]!.line} runs \`exit ${exit[1]}\` when the check on ` +
        `line ${condition.line} fails, but it cannot stop the app: dockerd may already have restarted ${who} when ` +
        `the script runs; put the check in init_script, which runs before dockerd`,
    });
  }
}

/**
 * The line whose condition decides whether line `i` runs: itself (`cond || exit 1`), or the nearest `if`/`elif` above.
 */
function governingCondition(lines: CodeLine[], i: number): CodeLine | undefined {
  const here = lines[i]!;
  if (/\b(?:if|elif)\b|\|\||&&/.test(here.code)) return here;
  for (let j = i - 1; j >= Math.max(0, i - 8); j--) {
    const code = lines[j]!.code;
    if (/\bfi\b|\bdone\b/.test(code)) return undefined;
    if (/\b(?:if|elif)\b/.test(code)) return lines[j];
    if (/\|\||&&/.test(code) && /\{\s*$/.test(code)) return lines[j];
  }
  return undefined;
}

function registryLogin(ctx: RuleContext, script: string, loc: Loc): void {
  const names = new Set([...(ctx.deployment.allowed_envs ?? []), ...ctx.project.env.keys()]);
  const login = [...names].filter((n) => /^DSTACK_(?:DOCKER|AWS)_/.test(n)).sort();
  if (login.length === 0) return;
  if (codeLines(script).some(({ code }) => REGISTRY_LOGIN.test(code))) return;
  ctx.report({
    loc,
    message:
      `the env carries ${login.join(', ')}, but this custom pre_launch_script never logs in to a registry: only ` +
      `Phala Cloud's default script uses them, so private images cannot be pulled`,
  });
}

import type { Command } from 'commander';
import type { CheckWorkerJob, StartCheckWorker, WorkerResult } from '../commands/check-parallel.js';
import { InputError, UsageError } from '../util/errors.js';
import { VERSION } from '../util/version.js';

/** A command's module: registers its flags and action on the program. */
export type SetExit = (code: number) => void;
export type RegisterCommand = (program: Command, setExit: SetExit, context: CommandContext) => void;

/** What the launcher gives the commands. */
export interface CommandContext {
  /** Starts a worker thread of `check -r` on several threads (src/launcher/check-worker.ts). */
  startCheckWorker?: StartCheckWorker;
}

interface CommandEntry {
  /** The one-line description the overall help shows (the command's own file repeats it). */
  summary: string;
  load: () => Promise<RegisterCommand>;
  /**
   * A run that ends in well under a second (an audit of files): V8's optimising compiler would cost more
   * than it earns. See `tuneForShortRun`.
   */
  shortRun?: true;
}

/**
 * The commands, each loaded only when it runs: `check` does not pay for the drill engine, the Phala
 * Cloud SDK or the agent, and `--version` or the overall help loads none of them (the help lists
 * the summaries below). Start-up time is a target of `npm run bench` (docs/decisions.md).
 */
const COMMANDS: Record<string, CommandEntry> = {
  check: {
    summary: 'static production audit of a compose app for a confidential VM',
    load: async () => (await import('./check.js')).registerCheck,
    shortRun: true,
  },
  fix: {
    summary: 'fix findings by editing the compose file (a unified diff; --write applies it)',
    load: async () => (await import('./fix.js')).registerFix,
    shortRun: true,
  },
  rules: {
    summary: 'list the rules (filter by section, command or severity)',
    load: async () => (await import('./rules.js')).registerRules,
  },
  explain: {
    summary: 'what a rule finds, why it matters, how to fix it, with an example',
    load: async () => (await import('./rules.js')).registerExplain,
  },
  secrets: {
    summary: 'encrypt secrets for a CVM; plan a secret-set change for an upgrade',
    load: async () => (await import('./secrets.js')).registerSecrets,
  },
  diff: {
    summary: 'what an upgrade from OLD to NEW puts at risk: volumes, data directories, versions, secrets, keys',
    load: async () => (await import('./diff.js')).registerDiff,
    shortRun: true,
  },
  drill: {
    summary: 'rehearse CVM restarts and upgrades on a local Docker engine',
    load: async () => (await import('./drill.js')).registerDrill,
  },
  rollout: {
    summary: 'health-gated rolling upgrades of a fleet of CVMs (Phala Cloud, or a local rehearsal fleet)',
    load: async () => (await import('./rollout.js')).registerRollout,
  },
  agent: {
    summary: 'local stand-in of the dstack guest agent (/var/run/dstack.sock, tappd.sock); quotes are SIMULATED',
    load: async () => (await import('./agent.js')).registerAgent,
  },
};

export interface MainOptions {
  /**
   * Leave V8's flags as they are: the launcher is going to save a code cache at the end of this run (V8
   * refuses a cache made under other flags, src/launcher/compile-cache.ts), or a worker thread it started
   * sets them once it has loaded its own (launcher/check-worker.ts).
   */
  keepV8Flags?: boolean;
  /** Starts a worker thread of `check -r` (the launcher's runs the bundle, launcher/check-worker.ts). */
  startCheckWorker?: StartCheckWorker;
}

/**
 * Entry point of the `preflight` command. Each command lives in its own file and only parses flags
 * and prints; it returns the exit code, as ESLint's: 0 no finding at the failing level, 1 findings
 * (or a failed drill, or more warnings than --max-warnings), 2 usage or input error.
 */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  // `--version` alone needs no argument parser: it answers before commander loads.
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const name = commandName(argv);
  const { Command } = await import('commander');
  let exitCode = 0;
  const program = new Command();
  program
    .name('preflight')
    .description('Production audit, drills and rollouts for Docker Compose apps in confidential VMs')
    .version(VERSION)
    .option('--no-color', 'no ANSI colours in the output (NO_COLOR=1 does the same)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const setExit = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };

  try {
    if (name) {
      (await COMMANDS[name]!.load())(program, setExit, { startCheckWorker: options.startCheckWorker });
      if (COMMANDS[name]!.shortRun && !options.keepV8Flags) await tuneForShortRun();
    } else for (const [n, c] of Object.entries(COMMANDS)) program.command(n).description(c.summary);
    // `--no-color` anywhere on the line: the renderers read NO_COLOR (report/style.ts), as every
    // tool that honours https://no-color.org does; the flag, said last, also beats FORCE_COLOR.
    program.hook('preAction', () => {
      if (program.opts().color !== false) return;
      process.env.NO_COLOR = '1';
      process.env.FORCE_COLOR = '0';
    });
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    return reportError(err);
  }
}

/**
 * Caps V8 at its baseline compiler (Sparkplug) for the rest of this process. In a run of a few hundred
 * milliseconds TurboFan compiles ~90 of the YAML parser's and the rules' functions on a second thread
 * and finishes few of them in time to matter; on 2 cores that cost more than it saved (docs/decisions.md
 * "Start-up: no optimising compiler for short runs"). Long-running commands (drill, rollout, agent) keep
 * it. Called once the command's modules are loaded: a V8 flag changed at run time makes V8 reject the code
 * cache Node ships for its own modules, so a built-in loaded after this compiles from source (3-4× slower).
 * `node:v8` is imported here, not at the top, because `--version` should not load it.
 */
async function tuneForShortRun(): Promise<void> {
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString('--max-opt=1');
}

/** The command a command line runs (`preflight help check` runs check's help), if it names one. */
function commandName(argv: string[]): string | undefined {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const first = words[0] === 'help' ? words[1] : words[0];
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? first : undefined;
}

/**
 * A worker thread's job of `check -r` (commands/check-parallel.ts), for the launcher to run in the bundle;
 * loaded on call, so no other command loads the check.
 */
export async function runCheckJob(job: CheckWorkerJob): Promise<WorkerResult[]> {
  return (await import('../commands/check-parallel.js')).runCheckJob(job);
}

export function reportError(err: unknown): number {
  const code = commanderCode(err);
  if (code !== undefined) {
    // commander already printed its message; --help, `help` and --version exit 0. Help printed
    // because a subcommand is missing (`preflight secrets`) is commander's error help (stderr, exit
    // code 1): a usage error, 2.
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return 0;
    if (code === 'commander.help') return (err as { exitCode?: number }).exitCode === 0 ? 0 : 2;
    return 2;
  }
  if (err instanceof InputError) {
    // One line per problem (an env file with three bad lines says all three at once).
    for (const p of err.problems) process.stderr.write(`preflight: ${firstLine(p.message)}\n`);
    return 2;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`preflight: ${firstLine(err.message)}\n`);
    return 2;
  }
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`preflight: internal error: ${firstLine(msg)}\n`);
  if (process.env.PREFLIGHT_DEBUG) process.stderr.write(String(err instanceof Error ? err.stack : err) + '\n');
  return 2;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 500);
}

/** A CommanderError's code (`commander.*`): commander is loaded lazily, so it is matched by its code. */
function commanderCode(err: unknown): string | undefined {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('commander.') ? code : undefined;
}

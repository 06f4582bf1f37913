import { Command, CommanderError } from 'commander';
import { InputError, UsageError } from '../util/errors.js';
import { VERSION } from '../util/version.js';

/**
 * The commands, each loaded only when it runs (or for the overall help): `check` should not pay
 * for the drill engine, the Phala Cloud SDK or the agent at start-up.
 */
const COMMANDS: Record<string, () => Promise<RegisterCommand>> = {
  check: async () => (await import('./check.js')).registerCheck,
  secrets: async () => (await import('./secrets.js')).registerSecrets,
  diff: async () => (await import('./diff.js')).registerDiff,
  drill: async () => (await import('./drill.js')).registerDrill,
  agent: async () => (await import('./agent.js')).registerAgent,
  rollout: async () => (await import('./rollout.js')).registerRollout,
  fix: async () => (await import('./fix.js')).registerFix,
};

/**
 * Entry point of the `preflight` command. Each command lives in its own file and only parses flags
 * and prints; it returns the exit code (0 ok, 1 findings/failed checks, 2 usage or input error).
 */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command();
  program
    .name('preflight')
    .description('Production audit, drills and rollouts for Docker Compose apps in confidential VMs')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const setExit = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };

  try {
    const named = argv[2] !== undefined && Object.hasOwn(COMMANDS, argv[2]) ? [argv[2]] : Object.keys(COMMANDS);
    for (const name of named) (await COMMANDS[name]!())(program, setExit);
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    return reportError(err);
  }
}

export type SetExit = (code: number) => void;
export type RegisterCommand = (program: Command, setExit: SetExit) => void;

export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed its message; --help and --version exit 0.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
      return 0;
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

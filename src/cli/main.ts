import { Command, CommanderError } from 'commander';
import { InputError, UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import { registerCheck } from './check.js';
import { registerFix } from './fix.js';
import { registerSecrets } from './secrets.js';
import { registerDiff } from './diff.js';
import { registerDrill } from './drill.js';
import { registerAgent } from './agent.js';

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
  const commands: RegisterCommand[] = [registerCheck, registerFix, registerSecrets, registerDiff, registerDrill, registerAgent];
  for (const register of commands) register(program, setExit);

  try {
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
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return 2;
  }
  if (err instanceof InputError || err instanceof UsageError) {
    process.stderr.write(`preflight: ${err.message}\n`);
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

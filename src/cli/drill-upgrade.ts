import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DRILL_REPORT_FORMATS, runDrill } from '../commands/drill.js';
import { CVM_OS_VERSIONS, type CvmOs, DEFAULT_CVM_OS } from '../cvm/index.js';
import { createProgress } from '../drills/progress.js';
import { UsageError } from '../util/errors.js';
import type { SetExit } from './main.js';
import { argumentInputs } from '../commands/sources.js';
import { drillFormat, finishDrill } from './drill-output.js';
import { checkReportDestination, type ReportDestination } from './output.js';

interface UpgradeFlags {
  from: string;
  to: string;
  envFile?: string;
  nextEnvFile?: string;
  rollback?: boolean;
  format: string;
  output?: string;
  runDir: string;
  quiet?: boolean;
  force?: boolean;
  os?: string;
}

/** `preflight drill upgrade`: parses flags and prints; the drill lives in src/drills/upgrade. */
export function registerDrillUpgrade(drill: Command, setExit: SetExit, defaultRunRoot: string): void {
  drill
    .command('upgrade')
    .description(
      'rehearse an upgrade from OLD to NEW on sample data: seed, fingerprint volumes, upgrade as the CVM does, ' +
        'verify (and roll back)',
    )
    .requiredOption('--from <old>', 'the deployed app: compose directory or file, or app-compose.json')
    .requiredOption('--to <new>', 'the upgrade: compose directory or file, or app-compose.json')
    .option('--env-file <file>', 'the secrets OLD runs with')
    .option(
      '--next-env-file <file>',
      'the secrets NEW gets, as a whole (default: --env-file); a variable missing here is missing in the app',
    )
    .option('--rollback', 'after verifying NEW, go back to OLD on the upgraded data and verify again')
    .option('--os <version>', OS_HELP)
    .option('--format <format>', DRILL_REPORT_FORMATS.join(' | '), 'text')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--force', 'let -o replace a file that is not a Preflight report')
    .option('--run-dir <dir>', 'where run directories (journal, history) go', defaultRunRoot)
    .option('--quiet', 'no progress output')
    .action(async (flags: UpgradeFlags) => {
      const format = drillFormat('drill upgrade', flags.format);
      const destination: ReportDestination = {
        file: flags.output,
        format,
        what: 'upgrade drill report',
        inputs: argumentInputs([flags.from, flags.to, flags.envFile, flags.nextEnvFile]),
        force: flags.force,
      };
      checkReportDestination(destination);
      const result = await runDrill({
        kind: 'upgrade',
        from: flags.from,
        to: flags.to,
        envFile: flags.envFile,
        nextEnvFile: flags.nextEnvFile,
        rollback: flags.rollback,
        os: parseOs('drill upgrade', flags.os),
        runRoot: resolve(flags.runDir),
        progress: createProgress(process.stderr, flags.quiet),
        handleSignals: true,
      });
      finishDrill({ drill: 'upgrade', report: result.report }, result, format, destination, setExit);
    });
}

export const OS_HELP =
  `whose boot scripts the CVM ` + `follows: ${CVM_OS_VERSIONS.join(' | ')} (default: drill.os, else ${DEFAULT_CVM_OS})`;

/** `--os`: one of the dstack versions the local CVM knows (src/cvm/types.ts). */
export function parseOs(command: string, value: string | undefined): CvmOs | undefined {
  if (value === undefined) return undefined;
  if (!(CVM_OS_VERSIONS as readonly string[]).includes(value))
    throw new UsageError(`${command}: --os must be ${CVM_OS_VERSIONS.join(' or ')}, got "${value}"`);
  return value as CvmOs;
}

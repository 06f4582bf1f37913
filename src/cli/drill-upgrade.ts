import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runDrill } from '../commands/drill.js';
import { UsageError } from '../util/errors.js';
import { createProgress } from '../drills/progress.js';
import { renderUpgradeText } from '../drills/upgrade/report.js';
import type { SetExit } from './main.js';
import { argumentInputs } from '../commands/sources.js';
import { checkReportDestination, writeReport, type ReportDestination } from './output.js';

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
}

/** `preflight drill upgrade`: parses flags and prints; the drill lives in src/drills/upgrade. */
export function registerDrillUpgrade(drill: Command, setExit: SetExit, defaultRunRoot: string): void {
  drill
    .command('upgrade')
    .description(
      'rehearse an upgrade from OLD to NEW on sample data: seed, fingerprint volumes, upgrade as the CVM does, verify (and roll back)',
    )
    .requiredOption('--from <old>', 'the deployed app: compose directory or file, or app-compose.json')
    .requiredOption('--to <new>', 'the upgrade: compose directory or file, or app-compose.json')
    .option('--env-file <file>', 'the secrets OLD runs with')
    .option(
      '--next-env-file <file>',
      'the secrets NEW gets, as a whole (default: --env-file); a variable missing here is missing in the app',
    )
    .option('--rollback', 'after verifying NEW, go back to OLD on the upgraded data and verify again')
    .option('--format <format>', 'text | json', 'text')
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--force', 'let --output replace a file that is not a Preflight report')
    .option('--run-dir <dir>', 'where run directories (journal, history) go', defaultRunRoot)
    .option('--quiet', 'no progress output')
    .action(async (flags: UpgradeFlags) => {
      if (!['text', 'json'].includes(flags.format))
        throw new UsageError(`drill upgrade: --format must be text or json, got "${flags.format}"`);
      const destination: ReportDestination = {
        file: flags.output,
        format: flags.format,
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
        runRoot: resolve(flags.runDir),
        progress: createProgress(process.stderr, flags.quiet),
        handleSignals: true,
      });
      const text =
        flags.format === 'json' ? JSON.stringify(result.report, null, 2) + '\n' : renderUpgradeText(result.report);
      writeReport(text, destination);
      setExit(result.failed ? 1 : 0);
    });
}

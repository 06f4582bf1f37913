import { Option, type Command } from 'commander';
import { errorsOnly, exitVerdict } from '../findings/gate.js';
import type { FailOn } from '../findings/order.js';
import type { Report } from '../findings/types.js';
import { UsageError } from '../util/errors.js';
import type { SetExit } from './main.js';

/** The flags of a command whose report is findings (check, diff), named as ESLint names them. */
export interface FindingsFlags {
  failOn: FailOn;
  quiet?: boolean;
  maxWarnings?: number;
}

export function addFindingsOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity')
        .choices(['error', 'warning', 'info', 'never'])
        .default('error'),
    )
    .option('--max-warnings <n>', 'exit 1 when there are more than n warnings (-1: no limit)', parseMaxWarnings)
    .option('-q, --quiet', 'report errors only (--max-warnings still counts every warning)');
}

function parseMaxWarnings(v: string): number {
  if (!/^(-1|\d+)$/.test(v.trim()))
    throw new UsageError(`--max-warnings: "${v}" is not a whole number (0 or more, or -1 for no limit)`);
  return Number(v);
}

/** The report as the command prints it (`--quiet`: errors only). */
export function shownReport(report: Report, flags: FindingsFlags): Report {
  return flags.quiet ? errorsOnly(report) : report;
}

/** Sets the exit code from the whole report; says so on stderr when the warnings alone fail it (as ESLint). */
export function finishFindings(report: Report, flags: FindingsFlags, setExit: SetExit): void {
  const policy = { failOn: flags.failOn, maxWarnings: flags.maxWarnings };
  const verdict = exitVerdict(shownReport(report, flags).findings, report.findings, policy);
  if (verdict.tooManyWarnings)
    process.stderr.write(
      `preflight: ${verdict.tooManyWarnings.count} warning${verdict.tooManyWarnings.count === 1 ? '' : 's'}, ` +
        `more than --max-warnings ${verdict.tooManyWarnings.max}\n`,
    );
  setExit(verdict.code);
}

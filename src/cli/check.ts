import { Option, type Command } from 'commander';
import { preflightCatalogue } from '../commands/catalogue.js';
import { hasLoadErrors } from '../commands/check.js';
import { checkInParallel, MAX_THREADS, type Concurrency } from '../commands/check-parallel.js';
import { renderReport, REPORT_FORMATS, showsExcerpts, type ReportFormat } from '../report/index.js';
import { styleFor } from '../report/style.js';
import { UsageError } from '../util/errors.js';
import { readStdinText } from '../util/read-stdin.js';
import { addFindingsOptions, finishFindings, shownReport, type FindingsFlags } from './findings-flags.js';
import type { CommandContext, SetExit } from './main.js';
import { writeReport } from './output.js';

interface CheckFlags extends FindingsFlags {
  file?: string[];
  envFile?: string[];
  config?: string;
  profile?: string[];
  recursive?: boolean;
  withOverride?: boolean;
  reportUnusedSuppressions?: boolean;
  format: ReportFormat;
  output?: string;
  force?: boolean;
  concurrency: Concurrency;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerCheck(program: Command, setExit: SetExit, context: CommandContext = {}): void {
  const cmd = program
    .command('check')
    .description('static production audit of a compose app for a confidential VM')
    .argument('[paths...]', 'directories (finds compose.yaml, docker-compose.yml, … or app-compose.json) or files')
    .option('-f, --file <file>', 'compose file, repeatable, merged in order; - reads standard input', collect)
    .option('--env-file <file>', 'variables for interpolation (replaces .env), repeatable', collect)
    .option('-c, --config <file>', 'configuration file (default: .preflight.yml found from the project up)')
    .option('--profile <name>', 'activate a compose profile, repeatable', collect)
    .option('-r, --recursive', 'check every compose project below each directory')
    .option('--with-override', 'merge the *.override.* file beside the compose file (the CVM is deployed one file)')
    .option(
      '--report-unused-suppressions',
      'report preflight-ignore directives and exemptions that suppressed nothing (default when CI is set)',
    )
    .option('--no-report-unused-suppressions', 'do not report unused suppressions, even when CI is set')
    .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--force', 'let -o replace a file that is not a Preflight report')
    .option(
      '--concurrency <n>',
      `threads checking projects with -r: a number up to ${MAX_THREADS}, auto (one per core, from 32 projects), or off`,
      parseConcurrency,
      'auto',
    );
  addFindingsOptions(cmd).action(async (paths: string[], flags: CheckFlags) => {
    const stdin = flags.file?.includes('-') ? await readStdinText() : undefined;
    const { report, sources, inputs } = await checkInParallel(
      paths,
      {
        files: flags.file,
        stdin,
        envFiles: flags.envFile,
        configFile: flags.config,
        profiles: flags.profile,
        recursive: flags.recursive,
        withOverride: flags.withOverride,
        reportUnusedSuppressions: flags.reportUnusedSuppressions ?? inCi(process.env.CI),
      },
      {
        concurrency: flags.concurrency,
        excerpts: showsExcerpts(flags.format),
        ...(context.startCheckWorker && { startWorker: context.startCheckWorker }),
      },
    );
    for (const t of report.targets) if (t.error) process.stderr.write(`preflight: ${t.error.message}\n`);
    const style = flags.output ? undefined : styleFor(process.stdout);
    const text = renderReport(shownReport(report, flags), flags.format, {
      maskedSources: sources,
      style,
      catalogue: preflightCatalogue(),
      failOn: flags.failOn,
    });
    writeReport(text, {
      file: flags.output,
      format: flags.format,
      what: 'check report',
      inputs: [...inputs, ...(flags.envFile ?? []), ...(flags.file ?? []).filter((f) => f !== '-')],
      force: flags.force,
    });
    // A project that could not be loaded (with -r the others are still checked) is an input error: exit 2.
    if (hasLoadErrors(report)) setExit(2);
    else finishFindings(report, flags, setExit);
  });
}

function parseConcurrency(value: string): Concurrency {
  if (value === 'auto' || value === 'off') return value;
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (n >= 1 && n <= MAX_THREADS) return n;
  throw new UsageError(`--concurrency: "${value}" is not a number from 1 to ${MAX_THREADS}, auto or off`);
}

/** Whether `CI` says this is a CI run, as CI services set it (`true`, `1`); `false`, `0` or empty say no. */
function inCi(value: string | undefined): boolean {
  return value !== undefined && !/^(|0|false|no)$/i.test(value.trim());
}

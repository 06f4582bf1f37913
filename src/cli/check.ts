import { Option, type Command } from 'commander';
import { preflightCatalogue } from '../commands/catalogue.js';
import { checkDetailed, hasLoadErrors } from '../commands/check.js';
import { failsAt, type FailOn } from '../findings/order.js';
import { renderReport, REPORT_FORMATS, type ReportFormat } from '../report/index.js';
import { styleFor } from '../report/style.js';
import type { SetExit } from './main.js';
import { writeReport } from './output.js';
import { maskedSources, projectInputs } from '../commands/sources.js';

interface CheckFlags {
  file?: string[];
  envFile?: string[];
  config?: string;
  profile?: string[];
  recursive?: boolean;
  withOverride?: boolean;
  reportUnusedSuppressions?: boolean;
  format: ReportFormat;
  output?: string;
  failOn: FailOn;
  force?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerCheck(program: Command, setExit: SetExit): void {
  program
    .command('check')
    .description('static production audit of a compose app for a confidential VM')
    .argument('[paths...]', 'directories (finds compose.yaml, docker-compose.yml, … or app-compose.json) or files')
    .option('-f, --file <file>', 'compose file, repeatable, merged in order', collect)
    .option('--env-file <file>', 'variables for interpolation (replaces .env), repeatable', collect)
    .option('-c, --config <file>', 'configuration file (default: .preflight.yml beside the compose file)')
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
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity')
        .choices(['error', 'warning', 'info', 'never'])
        .default('error'),
    )
    .action((paths: string[], flags: CheckFlags) => {
      const { report, projects } = checkDetailed(paths, {
        files: flags.file,
        envFiles: flags.envFile,
        configFile: flags.config,
        profiles: flags.profile,
        recursive: flags.recursive,
        withOverride: flags.withOverride,
        reportUnusedSuppressions: flags.reportUnusedSuppressions ?? Boolean(process.env.CI),
      });
      for (const t of report.targets) if (t.error) process.stderr.write(`preflight: ${t.error.message}\n`);
      const style = flags.output ? undefined : styleFor(process.stdout);
      const text = renderReport(report, flags.format, {
        maskedSources: maskedSources(projects),
        style,
        catalogue: preflightCatalogue(),
        failOn: flags.failOn,
      });
      writeReport(text, {
        file: flags.output,
        format: flags.format,
        what: 'check report',
        inputs: [...projectInputs(projects), ...(flags.envFile ?? []), ...(flags.file ?? [])],
        force: flags.force,
      });
      setExit(hasLoadErrors(report) ? 2 : failsAt(report.findings, flags.failOn) ? 1 : 0);
    });
}

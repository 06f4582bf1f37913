import { Option, type Command } from 'commander';
import { preflightCatalogue } from '../commands/catalogue.js';
import { type DiffResult, diff, diffCvm } from '../commands/diff.js';
import { UsageError } from '../util/errors.js';
import { renderReport, REPORT_FORMATS, type ReportFormat } from '../report/index.js';
import { styleFor } from '../report/style.js';
import { addFindingsOptions, finishFindings, shownReport, type FindingsFlags } from './findings-flags.js';
import type { SetExit } from './main.js';
import { writeReport } from './output.js';
import { maskedSources, projectInputs } from '../commands/sources.js';

interface DiffFlags extends FindingsFlags {
  cvm?: string;
  envFile?: string;
  oldEnvFile?: string;
  format: ReportFormat;
  output?: string;
  force?: boolean;
}

export function registerDiff(program: Command, setExit: SetExit): void {
  const cmd = program
    .command('diff')
    .description('what an upgrade from OLD to NEW puts at risk: volumes, data directories, versions, secrets, keys')
    .usage('[options] OLD NEW | --cvm ID NEW')
    .argument('[old]', 'the deployed app: a compose directory or file, or an app-compose.json (with --cvm: NEW)')
    .argument('[new]', 'the upgrade: a compose directory or file, or an app-compose.json')
    .option('--cvm <id>', 'OLD is what this CVM runs now, read from Phala Cloud (PHALA_CLOUD_API_KEY or phala login)')
    .option('--env-file <file>', 'the new secret set NEW will get (a full replacement)')
    .option('--old-env-file <file>', 'the secret set deployed now (to find dropped variables)')
    .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--force', 'let -o replace a file that is not a Preflight report');
  addFindingsOptions(cmd).action(async (first: string | undefined, second: string | undefined, flags: DiffFlags) => {
    const sets = { newEnvFile: flags.envFile, oldEnvFile: flags.oldEnvFile };
    let result: DiffResult;
    if (flags.cvm !== undefined) {
      if (!first || second) throw new UsageError('with --cvm ID give only NEW: preflight diff --cvm ID NEW');
      result = await diffCvm(flags.cvm, first, sets);
    } else {
      if (!first || !second) throw new UsageError('give OLD and NEW: preflight diff OLD NEW | --cvm ID NEW');
      result = diff(first, second, sets);
    }
    const style = flags.output ? undefined : styleFor(process.stdout);
    let text = renderReport(shownReport(result.report, flags), flags.format, {
      maskedSources: maskedSources([result.new, result.old]),
      style,
      srcRoot: process.cwd(),
      catalogue: preflightCatalogue(),
    });
    if (flags.format === 'text' && result.notes.length) text += result.notes.map((n) => `note: ${n}\n`).join('');
    writeReport(text, {
      file: flags.output,
      format: flags.format,
      what: 'diff report',
      inputs: [
        ...projectInputs([result.old, result.new]),
        ...[flags.envFile, flags.oldEnvFile].filter((f): f is string => !!f),
      ],
      force: flags.force,
    });
    finishFindings(result.report, flags, setExit);
  });
}

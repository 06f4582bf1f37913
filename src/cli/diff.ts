import { Option, type Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { diffPaths, diffSources } from '../diff/index.js';
import { failsAt, type FailOn } from '../findings/order.js';
import { renderReport, REPORT_FORMATS, type ReportFormat } from '../report/index.js';
import { styleFor } from '../report/style.js';
import type { SetExit } from './main.js';

interface DiffFlags {
  envFile?: string;
  oldEnvFile?: string;
  format: ReportFormat;
  output?: string;
  failOn: FailOn;
}

export function registerDiff(program: Command, setExit: SetExit): void {
  program
    .command('diff')
    .description('what an upgrade from OLD to NEW puts at risk: volumes, data directories, versions, secrets, keys')
    .argument('<old>', 'the deployed app: a compose directory or file, or an app-compose.json')
    .argument('<new>', 'the upgrade: a compose directory or file, or an app-compose.json')
    .option('--env-file <file>', 'the new secret set NEW will get (a full replacement)')
    .option('--old-env-file <file>', 'the secret set deployed now (to find dropped variables)')
    .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning', 'info', 'never']).default('error'))
    .action((oldPath: string, newPath: string, flags: DiffFlags) => {
      const result = diffPaths(oldPath, newPath, { newEnvFile: flags.envFile, oldEnvFile: flags.oldEnvFile });
      const style = flags.output ? undefined : styleFor(process.stdout);
      let text = renderReport(result.report, flags.format, { sources: diffSources(result), style, srcRoot: process.cwd() });
      if (flags.format === 'text' && result.notes.length) text += result.notes.map((n) => `note: ${n}\n`).join('');
      if (flags.output) writeFileSync(flags.output, text);
      else process.stdout.write(text);
      setExit(failsAt(result.report.findings, flags.failOn) ? 1 : 0);
    });
}

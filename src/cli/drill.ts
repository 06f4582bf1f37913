import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  type AnyDrillReport,
  cleanDrillRuns,
  DRILL_REPORT_FORMATS,
  drillReport,
  renderDrillReport,
  resumeDrillRun,
  runDrill,
} from '../commands/drill.js';
import { UsageError } from '../util/errors.js';
import { FAULT_KINDS, type FaultKind } from '../drills/faults.js';
import { createProgress } from '../drills/progress.js';
import { drillFormat, finishDrill } from './drill-output.js';
import type { StopMode } from '../cvm/index.js';
import { OS_HELP, parseOs, registerDrillUpgrade } from './drill-upgrade.js';
import type { SetExit } from './main.js';
import { argumentInputs } from '../commands/sources.js';
import { checkReportDestination, writeReport, type ReportDestination } from './output.js';

interface RestartFlags {
  file?: string[];
  envFile?: string;
  faults?: string;
  rounds?: string;
  seed?: string;
  format: string;
  output?: string;
  runDir: string;
  quiet?: boolean;
  force?: boolean;
  stop?: string;
  os?: string;
}

const DEFAULT_RUN_ROOT = '.preflight-drills';

/** `preflight drill restart|resume|report|clean`: parses flags and prints; the drills live in src/drills. */
export function registerDrill(program: Command, setExit: SetExit): void {
  const drill = program.command('drill').description('rehearse CVM restarts on a local Docker engine');
  registerDrillUpgrade(drill, setExit, DEFAULT_RUN_ROOT);
  drill
    .command('restart')
    .description(
      'run the app as a CVM does, inject restarts, kills, power loss and reboots, and check that no ' +
        'acknowledged write is lost',
    )
    .argument('[dir]', 'project directory (compose file and .preflight.yml)')
    .option('-f, --file <file>', 'compose file (repeatable, merged in order)', collect, [])
    .option('--env-file <file>', 'variables for ${VAR} references (the secrets the CVM would get)')
    .option('--faults <list>', `comma-separated faults: ${FAULT_KINDS.join(', ')}`)
    .option('--rounds <n>', 'number of faults to inject (default: each selected fault once)')
    .option('--seed <seed>', 'seed of the fault order and targets (printed in the report)')
    .option(
      '--stop <mode>',
      "how the reboot fault stops the CVM: graceful (Phala's restart) or forced (stopCvm: a power cut)",
    )
    .option('--os <version>', OS_HELP)
    .option('--format <format>', DRILL_REPORT_FORMATS.join(' | '), 'text')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--force', 'let -o replace a file that is not a Preflight report')
    .option('--run-dir <dir>', 'where run directories (journal, history) go', DEFAULT_RUN_ROOT)
    .option('--quiet', 'no progress output')
    .action(async (dir: string | undefined, flags: RestartFlags) => {
      const format = drillFormat('drill restart', flags.format);
      const destination: ReportDestination = {
        file: flags.output,
        format,
        what: 'restart drill report',
        inputs: argumentInputs([dir ?? '.', ...(flags.file ?? []), flags.envFile]),
        force: flags.force,
      };
      checkReportDestination(destination);
      const faults = flags.faults === undefined ? undefined : parseFaults(flags.faults);
      const rounds = flags.rounds === undefined ? undefined : parseRounds(flags.rounds);
      if (flags.stop !== undefined && flags.stop !== 'graceful' && flags.stop !== 'forced')
        throw new UsageError(`drill restart: --stop must be graceful or forced, got "${flags.stop}"`);
      const result = await runDrill({
        kind: 'restart',
        dir,
        files: flags.file,
        envFile: flags.envFile,
        faults,
        rounds,
        seed: flags.seed,
        stop: flags.stop as StopMode | undefined,
        os: parseOs('drill restart', flags.os),
        runRoot: resolve(flags.runDir),
        progress: createProgress(process.stderr, flags.quiet),
        handleSignals: true,
      });
      finishDrill({ drill: 'restart', report: result.report }, result, format, destination, setExit);
    });

  drill
    .command('resume')
    .description('continue a drill whose process was killed, from its first unfinished step (or say why it cannot)')
    .argument('<run>', 'the run directory, or its id under --run-dir')
    .option('--format <format>', DRILL_REPORT_FORMATS.join(' | '), 'text')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--force', 'let -o replace a file that is not a Preflight report')
    .option('--run-dir <dir>', 'where run directories are', DEFAULT_RUN_ROOT)
    .option('--quiet', 'no progress output')
    .action(async (run: string, flags: RunFlags & { quiet?: boolean }) => {
      const format = drillFormat('drill resume', flags.format);
      const destination: ReportDestination = { file: flags.output, format, what: 'drill report', force: flags.force };
      checkReportDestination(destination);
      const result = await resumeDrillRun({
        run,
        runRoot: resolve(flags.runDir),
        progress: createProgress(process.stderr, flags.quiet),
        handleSignals: true,
      });
      const report = (
        result.drill === 'restart'
          ? { drill: 'restart', report: result.report }
          : { drill: 'upgrade', report: result.report }
      ) as AnyDrillReport;
      finishDrill(report, result, format, destination, setExit);
    });

  drill
    .command('report')
    .description("print a past run's report, rebuilt from its journal alone (the same bytes as when it ran)")
    .argument('<run>', 'the run directory, or its id under --run-dir')
    .option('--format <format>', DRILL_REPORT_FORMATS.join(' | '), 'text')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--force', 'let -o replace a file that is not a Preflight report')
    .option('--run-dir <dir>', 'where run directories are', DEFAULT_RUN_ROOT)
    .action(async (run: string, flags: RunFlags) => {
      const format = drillFormat('drill report', flags.format);
      const destination: ReportDestination = { file: flags.output, format, what: 'drill report', force: flags.force };
      checkReportDestination(destination);
      const drill = drillReport({ run, runRoot: resolve(flags.runDir) });
      writeReport(renderDrillReport(drill, format), destination);
      const failed = drill.report.status !== 'passed' || drill.report.findings.some((f) => f.severity !== 'info');
      setExit(failed ? 1 : 0);
    });

  drill
    .command('clean')
    .description('remove containers, volumes and networks left by crashed or killed drills')
    .option('--run-dir <dir>', 'run directories whose unfinished journals to close', DEFAULT_RUN_ROOT)
    .option('--all', 'also remove resources of drills that are still running')
    .action(async (flags: { runDir: string; all?: boolean }) => {
      const r = await cleanDrillRuns({ runRoot: resolve(flags.runDir), all: flags.all });
      process.stdout.write(
        `removed ${r.containers} container(s), ${r.volumes} volume(s), ${r.networks} ` +
          `network(s)${r.drills.length ? ` of ${r.drills.join(', ')}` : ''}\n`,
      );
      if (r.spared.length) process.stdout.write(`left alone (still running): ${r.spared.join(', ')}\n`);
      if (r.closedRuns.length) process.stdout.write(`closed ${r.closedRuns.length} unfinished run journal(s)\n`);
      setExit(0);
    });
}

interface RunFlags {
  format: string;
  output?: string;
  force?: boolean;
  runDir: string;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function parseFaults(s: string): FaultKind[] {
  const list = s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (!list.length) throw new UsageError('drill restart: --faults is empty');
  for (const f of list)
    if (!(FAULT_KINDS as readonly string[]).includes(f))
      throw new UsageError(`drill restart: unknown fault "${f}" (expected ${FAULT_KINDS.join(', ')})`);
  return [...new Set(list)] as FaultKind[];
}

function parseRounds(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new UsageError(`drill restart: --rounds must be an integer from 1 to 1000, got "${s}"`);
  return n;
}

import { type Command, Option } from 'commander';
import { preflightCatalogue } from '../commands/catalogue.js';
import {
  controlRollout,
  followRollout,
  planRollout,
  type RolloutOptions,
  type RolloutPlan,
  resumeRollout,
  rolloutReport,
  runRollout,
  undoRollout,
  ARGV_KEY_WARNING,
  resolveSigner,
} from '../commands/rollout.js';
import type { RolloutReport } from '../findings/rollout.js';
import { REPORT_FORMATS, type ReportFormat, renderReport } from '../report/index.js';
import { renderRolloutHtml } from '../report/html/rollout.js';
import { catalogueLookup } from '../report/rule-meta.js';
import { FanOut, JsonLinesProgress, NotifyProgress, type ProgressSink, TableProgress } from '../rollout/progress.js';
import { renderRolloutText, rolloutFindingsReport } from '../rollout/report.js';
import { UsageError } from '../util/errors.js';
import { VERSION } from '../util/version.js';
import type { SetExit } from './main.js';
import { checkReportDestination, type ReportDestination, writeReport } from './output.js';

interface CommonFlags {
  fleet?: string;
  config?: string;
  runDir: string;
  format: ReportFormat;
  output?: string;
  /** Let -o replace a file that is not a Preflight report (the project's convention for every -o). */
  force?: boolean;
}

const common = (c: Command) =>
  c
    .option('--fleet <file>', 'the rollout settings (the `rollout:` mapping, or a whole .preflight.yml)')
    .option('--config <file>', '.preflight.yml with `rollout:` (default: found from the current folder)')
    .option('--run-dir <dir>', 'where rollout runs are kept', '.preflight/runs')
    .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--force', 'let -o replace a file that is not a Preflight report');

const destination = (f: CommonFlags, what: string): ReportDestination => ({
  file: f.output,
  format: f.format,
  what,
  force: f.force,
});

function options(f: CommonFlags): RolloutOptions {
  return { fleet: f.fleet, config: f.config, runRoot: f.runDir };
}

/** The report in its format: the rollout's own text, JSON and HTML; its findings in SARIF, JUnit and GitHub's. */
function print(report: RolloutReport, f: CommonFlags): void {
  const text =
    f.format === 'json'
      ? `${JSON.stringify(report, null, 2)}\n`
      : f.format === 'html'
        ? renderRolloutHtml(report, { meta: catalogueLookup(preflightCatalogue()) })
        : f.format === 'text'
          ? renderRolloutText(report)
          : renderReport(rolloutFindingsReport(report), f.format, { catalogue: preflightCatalogue() });
  writeReport(text, destination(f, 'rollout report'));
}

function progress(notify?: string): ProgressSink {
  const sinks: ProgressSink[] = [
    process.stderr.isTTY ? new TableProgress(process.stderr) : new JsonLinesProgress(process.stderr),
  ];
  if (notify) {
    if (!/^https?:\/\//.test(notify)) throw new UsageError('--notify takes an http(s):// URL');
    sinks.push(new NotifyProgress(notify));
  }
  return new FanOut(sinks);
}

/**
 * Ctrl-C / SIGTERM stop the process at once, leaving the run without run-end so `rollout resume`
 * continues it (the engine's own handling would end it as `interrupted`, which cannot be resumed).
 * Exit handlers still run: the managed HAProxy is stopped; the stale lock is taken over on resume.
 */
function stopResumably(): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      process.stderr.write(`\npreflight: stopped by ${sig}; \`preflight rollout resume\` continues the rollout\n`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
}

interface RunFlags extends CommonFlags {
  planId?: string;
  load?: string;
  loadUrl?: string;
  notify?: string;
  despiteFindings?: boolean;
}

interface SignerFlags {
  privateKey?: string;
  privateKeyEnv?: string;
  rpcUrl?: string;
}

/** On an on-chain KMS: who registers the compose hash (best with the key in an environment variable). */
const signer = (c: Command) =>
  c
    .option(
      '--private-key <key>',
      'the app owner’s private key itself (visible in the process list: prefer --private-key-env)',
    )
    .option(
      '--private-key-env <name>',
      'environment variable holding the app owner’s private key: on an on-chain KMS the rollout registers the ' +
        'compose hash (and devices) and confirms the upgrade (default: PREFLIGHT_PRIVATE_KEY when set)',
    )
    .option(
      '--rpc-url <url>',
      'JSON-RPC endpoint for those transactions (default: phala.rpc_url, else the chain’s public one)',
    );

const onChainOf = (f: SignerFlags) => {
  const s = resolveSigner({ privateKey: f.privateKey, privateKeyEnv: f.privateKeyEnv, rpcUrl: f.rpcUrl });
  if (!s) return {};
  const { fromCommandLine, ...onChain } = s;
  if (fromCommandLine) process.stderr.write(`${ARGV_KEY_WARNING}\n`);
  return { onChain };
};

const exitOf = (r: RolloutReport) => (r.status === 'passed' ? 0 : r.status === 'running' ? 0 : 1);

export function registerRollout(program: Command, setExit: SetExit): void {
  const rollout = program
    .command('rollout')
    .description('health-gated rolling upgrades of a fleet of CVMs (Phala Cloud, or a local rehearsal fleet)');

  common(
    rollout
      .command('plan')
      .description('dry run: each instance now → target, the order, diff and secrets findings, the plan id'),
  ).action(async (f: CommonFlags) => {
    if (f.format === 'html') throw new UsageError('rollout plan: --format html is for rollout reports (run, status)');
    checkReportDestination(destination(f, 'rollout plan'));
    const plan = await planRollout(options(f));
    const text =
      f.format === 'json'
        ? `${JSON.stringify(plan, null, 2)}\n`
        : f.format === 'text'
          ? planText(plan)
          : renderReport(
              rolloutFindingsReport(
                { tool: { name: 'preflight', version: VERSION }, findings: plan.findings, suppressed: [] },
                plan.checkedSections,
              ),
              f.format,
              { catalogue: preflightCatalogue() },
            );
    writeReport(text, destination(f, 'rollout plan'));
    setExit(plan.blocking ? 1 : 0);
  });

  signer(
    common(
      rollout.command('run').description('roll the target out: drain, upgrade, wait until booted, gates, enable, next'),
    ),
  )
    .option('--plan-id <id>', 'refuse unless the fleet still gives this plan id')
    .option('--load <rps>', 'send this many requests per second through the balancer during the rollout')
    .option('--load-url <url>', 'where the load goes (default: the local fleet’s balancer)')
    .option('--notify <url>', 'POST each state change as JSON to this URL')
    .option('--despite-findings', 'run although the plan has blocking findings')
    .action(async (f: RunFlags & SignerFlags) => {
      const onChain = onChainOf(f);
      const rate = f.load !== undefined ? Number(f.load) : undefined;
      if (rate !== undefined && !(rate > 0 && rate <= 100_000))
        throw new UsageError('--load takes requests per second (1 to 100000)');
      // Before the rollout runs for minutes: a -o target it may not replace is refused now.
      checkReportDestination(destination(f, 'rollout report'));
      stopResumably();
      const r = await runRollout({
        ...options(f),
        planId: f.planId,
        load: rate ? { rate, ...(f.loadUrl ? { url: f.loadUrl } : {}) } : undefined,
        progress: progress(f.notify),
        handleSignals: false,
        despiteFindings: f.despiteFindings,
        ...onChain,
      });
      print(r.report, f);
      setExit(exitOf(r.report));
    });

  common(rollout.command('status').description('the report of a rollout so far (the latest run by default)'))
    .argument('[run]', 'run id or directory')
    .option('-w, --watch', 'follow the run until it ends, then print its report')
    .action(async (run: string | undefined, f: CommonFlags & { watch?: boolean }) => {
      const report = f.watch
        ? await followRollout({ ...options(f), run }, (r) =>
            process.stderr.write(process.stderr.isTTY ? `\x1b[2J\x1b[H${renderRolloutText(r)}` : `${statusLine(r)}\n`),
          )
        : rolloutReport({ ...options(f), run });
      print(report, f);
      setExit(exitOf(report));
    });

  for (const action of ['pause', 'abort'] as const)
    common(
      rollout
        .command(action)
        .description(
          action === 'pause'
            ? 'pause a running rollout after the current batch'
            : 'stop a running rollout; instances mid-upgrade go back to their version',
        ),
    )
      .argument('[run]', 'run id or directory')
      .action(async (run: string | undefined, f: CommonFlags) => {
        const { runDir } = controlRollout({ ...options(f), run, action });
        process.stderr.write(`preflight: asked the rollout in ${runDir} to ${action}\n`);
      });

  signer(
    common(
      rollout
        .command('undo')
        .description('a new rollout putting each instance a run upgraded back on the version it found there'),
    ),
  )
    .argument('[run]', 'run id or directory (default: the latest run)')
    .option('--notify <url>', 'POST each state change as JSON to this URL')
    .action(async (run: string | undefined, f: CommonFlags & SignerFlags & { notify?: string }) => {
      const onChain = onChainOf(f);
      checkReportDestination(destination(f, 'rollout report'));
      stopResumably();
      const r = await undoRollout({
        ...options(f),
        run,
        progress: progress(f.notify),
        handleSignals: false,
        ...onChain,
      });
      print(r.report, f);
      setExit(exitOf(r.report));
    });

  signer(
    common(
      rollout
        .command('resume')
        .description('continue a paused rollout, or one whose process died (checking the fleet first)'),
    ),
  )
    .argument('[run]', 'run id or directory')
    .option('--notify <url>', 'POST each state change as JSON to this URL')
    .action(async (run: string | undefined, f: CommonFlags & SignerFlags & { notify?: string }) => {
      const onChain = onChainOf(f);
      stopResumably();
      const r = await resumeRollout({
        ...options(f),
        run,
        progress: progress(f.notify),
        handleSignals: false,
        ...onChain,
      });
      if (r.signalled) {
        process.stderr.write(`preflight: asked the rollout in ${r.runDir} to resume\n`);
        return;
      }
      print(r.report, f);
      setExit(exitOf(r.report));
    });
}

/** One line per change while `status -w` follows a run off a terminal. */
function statusLine(r: RolloutReport): string {
  const count = (phase: string) => r.instances.filter((i) => i.phase === phase).length;
  const moving = r.instances.filter((i) => !['pending', 'done', 'rolled-back', 'failed'].includes(i.phase));
  return [
    `rollout ${r.runId}: ${r.status}${r.paused ? ` (paused: ${r.paused})` : ''}`,
    `${count('done')}/${r.instances.length} done`,
    ...moving.map((i) => `${i.name} ${i.phase}`),
  ].join(', ');
}

function planText(p: RolloutPlan): string {
  const out = [
    `plan ${p.planId} (${p.backend}): ${p.instances.filter((i) => i.action === 'upgrade').length} ` +
      `of ${p.instances.length} instance(s) to upgrade ` +
      `to ${p.targetVersion.slice(0, 12) || '(read after the first upgrade)'}, at most ${p.maxUnavailable} at a ` +
      `time`,
  ];
  for (const i of p.instances)
    out.push(
      `  ${i.name.padEnd(20)} ${i.version.slice(0, 12)} → ` +
        (i.action === 'skip'
          ? 'already on the target'
          : `${p.targetVersion.slice(0, 12)}  batch ${i.batch}${i.canary ? ' (canary)' : ''}`),
    );
  if (p.onChain)
    out.push(
      `on-chain KMS (${p.onChain.kmsType}): register compose hash ${p.onChain.composeHash} on app ` +
        `contract ${p.onChain.appId} (addComposeHash) before running, and allow each node's device (addDevice) ` +
        `unless the contract allows any; or run with --private-key-env NAME (the owner's key in NAME) and the ` +
        `rollout registers them`,
    );
  for (const f of p.findings) out.push(`${f.severity.padEnd(7)} ${f.ruleId}  ${f.message}`);
  for (const n of p.notes) out.push(`note: ${n}`);
  out.push(
    p.blocking
      ? 'blocking findings: `rollout run` refuses this plan (--despite-findings to override)'
      : `run it with: preflight rollout run --plan-id ${p.planId}`,
  );
  return `${out.join('\n')}\n`;
}

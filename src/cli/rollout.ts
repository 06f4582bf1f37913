import { type Command, Option } from 'commander';
import { preflightCatalogue } from '../commands/catalogue.js';
import {
  controlRollout,
  planRollout,
  type RolloutOptions,
  type RolloutPlan,
  resumeRollout,
  rolloutReport,
  runRollout,
} from '../commands/rollout.js';
import type { RolloutReport } from '../findings/rollout.js';
import { renderRolloutHtml } from '../report/html/rollout.js';
import { catalogueLookup } from '../report/rule-meta.js';
import { FanOut, JsonLinesProgress, NotifyProgress, type ProgressSink, TableProgress } from '../rollout/progress.js';
import { renderRolloutText } from '../rollout/report.js';
import { UsageError } from '../util/errors.js';
import type { SetExit } from './main.js';
import { writeReport } from './output.js';

interface CommonFlags {
  fleet?: string;
  config?: string;
  runDir: string;
  format: 'text' | 'json' | 'html';
  output?: string;
  force?: boolean;
}

const common = (c: Command) =>
  c
    .option('--fleet <file>', 'the rollout settings (the `rollout:` mapping, or a whole .preflight.yml)')
    .option('--config <file>', '.preflight.yml with `rollout:` (default: found from the current folder)')
    .option('--run-dir <dir>', 'where rollout runs are kept', '.preflight/runs')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'html']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout');

function options(f: CommonFlags): RolloutOptions {
  return { fleet: f.fleet, config: f.config, runRoot: f.runDir };
}

function print(report: RolloutReport, f: CommonFlags): void {
  const text =
    f.format === 'json'
      ? `${JSON.stringify(report, null, 2)}\n`
      : f.format === 'html'
        ? renderRolloutHtml(report, { meta: catalogueLookup(preflightCatalogue()) })
        : renderRolloutText(report);
  writeReport(text, { file: f.output, format: f.format, what: 'rollout report', force: f.force });
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
    const plan = await planRollout(options(f));
    const text = f.format === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : planText(plan);
    writeReport(text, { file: f.output, format: f.format, what: 'rollout plan', force: f.force });
    setExit(plan.blocking ? 1 : 0);
  });

  common(
    rollout.command('run').description('roll the target out: drain, upgrade, wait until booted, gates, enable, next'),
  )
    .option('--plan-id <id>', 'refuse unless the fleet still gives this plan id')
    .option('--load <rps>', 'send this many requests per second through the balancer during the rollout')
    .option('--load-url <url>', 'where the load goes (default: the local fleet’s balancer)')
    .option('--notify <url>', 'POST each state change as JSON to this URL')
    .option('--force', 'run although the plan has blocking findings')
    .action(async (f: CommonFlags & { planId?: string; load?: string; loadUrl?: string; notify?: string }) => {
      const rate = f.load !== undefined ? Number(f.load) : undefined;
      if (rate !== undefined && !(rate > 0 && rate <= 100_000))
        throw new UsageError('--load takes requests per second (1 to 100000)');
      stopResumably();
      const r = await runRollout({
        ...options(f),
        planId: f.planId,
        load: rate ? { rate, ...(f.loadUrl ? { url: f.loadUrl } : {}) } : undefined,
        progress: progress(f.notify),
        handleSignals: false,
        force: f.force,
      });
      print(r.report, f);
      setExit(exitOf(r.report));
    });

  common(rollout.command('status').description('the report of a rollout so far (the latest run by default)'))
    .argument('[run]', 'run id or directory')
    .option('-w, --watch', 'print it again every 2 s until the run ends')
    .action(async (run: string | undefined, f: CommonFlags & { watch?: boolean }) => {
      for (;;) {
        const report = rolloutReport({ ...options(f), run });
        if (!f.watch || report.status !== 'running') {
          print(report, f);
          setExit(exitOf(report));
          return;
        }
        process.stdout.write(`\x1b[2J\x1b[H${renderRolloutText(report)}`);
        await new Promise((res) => setTimeout(res, 2000));
      }
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

  common(
    rollout
      .command('resume')
      .description('continue a paused rollout, or one whose process died (checking the fleet first)'),
  )
    .argument('[run]', 'run id or directory')
    .option('--notify <url>', 'POST each state change as JSON to this URL')
    .action(async (run: string | undefined, f: CommonFlags & { notify?: string }) => {
      stopResumably();
      const r = await resumeRollout({ ...options(f), run, progress: progress(f.notify), handleSignals: false });
      if (r.signalled) {
        process.stderr.write(`preflight: asked the rollout in ${r.runDir} to resume\n`);
        return;
      }
      print(r.report, f);
      setExit(exitOf(r.report));
    });
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
        `unless the contract allows any`,
    );
  for (const f of p.findings) out.push(`${f.severity.padEnd(7)} ${f.ruleId}  ${f.message}`);
  for (const n of p.notes) out.push(`note: ${n}`);
  out.push(
    p.blocking
      ? 'blocking findings: `rollout run` refuses this plan (--force to override)'
      : `run it with: preflight rollout run --plan-id ${p.planId}`,
  );
  return `${out.join('\n')}\n`;
}

import { Option, type Command } from 'commander';
import { fix, type FixResult } from '../commands/fix.js';
import { failsAt, type FailOn } from '../findings/order.js';
import { parseDigestFlags, readDigestLock } from '../fix/digests.js';
import type { SetExit } from './main.js';
import { writeReport } from './output.js';
import { VERSION } from '../util/version.js';

interface FixFlags {
  file?: string[];
  envFile?: string[];
  config?: string;
  profile?: string[];
  recursive?: boolean;
  rule?: string[];
  write?: boolean;
  digest?: string[];
  lock?: string;
  format: 'diff' | 'json';
  output?: string;
  force?: boolean;
  failOn: FailOn;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * `preflight fix`: prints the fixes as a unified diff (nothing written) or, with `--write`, writes
 * them. Exit codes as ESLint's `--fix-dry-run`/`--fix`: 0 when what is left after the fixes has no
 * finding at or above `--fail-on`, 1 when it has, 2 for bad input.
 */
export function registerFix(program: Command, setExit: SetExit): void {
  program
    .command('fix')
    .description('fix findings by editing the compose file (a unified diff; --write applies it)')
    .argument('[paths...]', 'directories or files, as for check')
    .option('-f, --file <file>', 'compose file, repeatable, merged in order', collect)
    .option('--env-file <file>', 'variables for interpolation (replaces .env), repeatable', collect)
    .option('-c, --config <file>', 'configuration file (default: .preflight.yml beside the compose file)')
    .option('--profile <name>', 'activate a compose profile, repeatable', collect)
    .option('-r, --recursive', 'fix every compose project below each directory')
    .option('--rule <id>', 'fix only this rule’s findings, repeatable', collect)
    .option('--write', 'write the fixes to the files (default: print the diff, write nothing)')
    .option('--digest <image=sha256:…>', 'the digest to pin an image to (image-no-digest), repeatable', collect)
    .option('--lock <file>', 'image digests, one IMAGE=sha256:… or IMAGE@sha256:… per line')
    .addOption(new Option('--format <format>', 'output format').choices(['diff', 'json']).default('diff'))
    .option('-o, --output <file>', 'write the diff (or JSON) to a file instead of stdout')
    .option('--force', 'let -o replace a file that is not a Preflight report')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding left after the fixes is at or above this severity')
        .choices(['error', 'warning', 'info', 'never'])
        .default('error'),
    )
    .action((paths: string[], flags: FixFlags) => {
      const digests = new Map([
        ...(flags.lock ? readDigestLock(flags.lock) : []),
        ...parseDigestFlags(flags.digest ?? []),
      ]);
      const result = fix(paths, {
        files: flags.file,
        envFiles: flags.envFile,
        configFile: flags.config,
        profiles: flags.profile,
        recursive: flags.recursive,
        ruleIds: flags.rule,
        digests,
        write: flags.write,
      });
      const text =
        flags.format === 'json'
          ? `${JSON.stringify(
              {
                tool: { name: 'preflight', version: VERSION },
                notes: result.notes,
                passes: result.passes,
                stoppedAtMaxPasses: result.stoppedAtMaxPasses,
                applied: result.applied,
                refused: result.refused,
                files: result.changes.map((c) => ({ file: c.file, created: c.created })),
                written: result.written,
                remaining: result.after.findings.length,
                patch: result.patch,
              },
              null,
              2,
            )}\n`
          : flags.write
            ? ''
            : result.patch;
      const inputs = [...result.inputs, ...(flags.file ?? []), ...(flags.lock ? [flags.lock] : [])];
      if (text)
        writeReport(text, { file: flags.output, format: flags.format, what: 'fix', inputs, force: flags.force });
      for (const n of result.notes) process.stderr.write(`preflight: note: ${n}\n`);
      for (const r of result.refused)
        process.stderr.write(`preflight: ${r.file}:${r.line}: ${r.ruleId}: not fixed: ${r.reason}\n`);
      const changing = result.applied.filter((a) => a.changesBehaviour).length;
      const verb = flags.write ? 'applied' : 'to apply (dry run; --write applies them)';
      process.stderr.write(
        `preflight: ${result.applied.length} fix${result.applied.length === 1 ? '' : 'es'} ${verb}` +
          `${changing ? `, ${changing} changing behaviour` : ''}; ${result.refused.length} refused; ` +
          `${passes(result)}; ` +
          `${result.after.findings.length} finding${result.after.findings.length === 1 ? '' : 's'} left\n`,
      );
      setExit(failsAt(result.after.findings, flags.failOn) ? 1 : 0);
    });
}

/** How many passes the fixes took (a fix can make another apply; fix repeats as ESLint does). */
function passes(result: FixResult): string {
  const text = `${result.passes} pass${result.passes === 1 ? '' : 'es'}`;
  return result.stoppedAtMaxPasses ? `${text} (stopped at the limit; fixes still applied, run fix again)` : text;
}

import { Option, type Command } from 'commander';
import type { SetExit } from './main.js';
import { UsageError } from '../util/errors.js';
import { encryptSecrets, planSecrets } from '../commands/secrets.js';
import { renderPlanText } from '../secrets/plan.js';
import { VERSION } from '../util/version.js';
import { checkReportDestination, writeReport } from './output.js';

/**
 * `preflight secrets encrypt|plan`. Flags and printing only; the logic is in src/secrets/.
 * Nothing printed here ever contains a secret value: key names, the encrypted blob, key metadata.
 */
export function registerSecrets(program: Command, setExit: SetExit): void {
  const secrets = program
    .command('secrets')
    .description('encrypt secrets for a CVM; plan a secret-set change for an upgrade');

  secrets
    .command('encrypt')
    .description('encrypt environment variables for a CVM exactly as the platform does (X25519 + AES-256-GCM)')
    .argument('[assignments...]', 'KEY=VALUE pairs (prefer --env-file: arguments show up in process lists)')
    .option('--env-file <file>', 'dotenv file with the variables')
    .option('--pubkey <hex>', "the app's env encryption public key (32 bytes hex)")
    .option('--cvm <id>', 'read the key of this CVM from Phala Cloud (PHALA_CLOUD_API_KEY or phala login)')
    .option('--app-id <id>', 'read the key of this app from Phala Cloud (PHALA_CLOUD_API_KEY or phala login)')
    .option('--kms <id>', 'with --cvm/--app-id: fetch the KMS-signed key from this KMS and verify its signature')
    .option('--kms-signer <hex>', 'with --kms: the KMS signer key (compressed secp256k1) the signature must come from')
    .option('-o, --output <file>', 'write the blob to this file (mode 0600) instead of stdout')
    // `--out` was this option's first name; kept so scripts written against it go on working.
    .addOption(new Option('--out <file>').hideHelp())
    .option('--force', 'overwrite -o if it exists', false)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (assignments: string[], opts: EncryptFlags) => {
      if (opts.kmsSigner && !opts.kms) throw new UsageError('--kms-signer needs --kms');
      const result = await encryptSecrets({
        envFile: opts.envFile,
        assignments,
        pubkey: opts.pubkey,
        cvm: opts.cvm,
        appId: opts.appId,
        kms: opts.kms,
        kmsSigner: opts.kmsSigner,
        out: opts.output ?? opts.out,
        force: opts.force,
      });
      for (const w of result.warnings) process.stderr.write(`preflight: warning: ${w}\n`);
      if (opts.format === 'json') {
        const json = {
          encrypted_env: result.encrypted_env,
          env_keys: result.env_keys,
          public_key: result.public_key,
          verified: result.verified,
          key_source: result.key.source,
          ...(result.key.signer ? { signer: result.key.signer } : {}),
          note: result.key.note,
          ...(result.out ? { out: result.out } : {}),
        };
        process.stdout.write(JSON.stringify(json, null, 2) + '\n');
      } else {
        // The blob alone on stdout (pipeable); what was done goes to stderr.
        if (!result.out) process.stdout.write(result.encrypted_env + '\n');
        const where = result.out ? ` to ${result.out} (mode 0600)` : '';
        process.stderr.write(
          `encrypted ${result.env_keys.length} variable(s)${where} for key ${short(result.public_key)} ` +
            `from ${result.key.source}\n` +
            `  ${result.verified ? 'verified' : 'NOT verified'}: ${result.key.note}\n` +
            `  env_keys / allowed_envs: ${result.env_keys.join(', ')}\n`,
        );
      }
      setExit(0);
    });

  secrets
    .command('plan')
    .description(
      'plan a secret-set change for an upgrade: missing, dropped, changed keys and allowed_envs (exit 1 when it ' +
        'blocks)',
    )
    .argument('[paths...]', 'compose directory or file, or app-compose.json (default: .)')
    .option('-f, --file <file>', 'compose file (repeatable, merged in order)', collect, [])
    .requiredOption('--env-file <file>', 'the new secret set (dotenv)')
    .option('--previous <lockfile>', 'the deployed set, as written by --write-lock')
    .option(
      '--cvm <id>',
      'read the deployed key list and compose from this CVM on Phala Cloud (PHALA_CLOUD_API_KEY or phala login)',
    )
    .option('--allow-drop <key>', 'a deployed key the new set may leave out (repeatable)', collect, [])
    .option(
      '--write-lock <lockfile>',
      'record the new set (names + HMACs) as deployed; only when the plan does not block',
    )
    .option('-o, --output <file>', 'write the plan to a file instead of stdout')
    .option('--force', 'let --write-lock or -o replace a file that is not a Preflight lockfile or report')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (paths: string[], opts: PlanFlags) => {
      const destination = {
        file: opts.output,
        format: opts.format,
        what: 'secrets plan',
        inputs: [opts.envFile, ...opts.file, ...(opts.previous ? [opts.previous] : [])],
        force: opts.force,
      };
      checkReportDestination(destination);
      const outcome = await planSecrets({
        paths,
        files: opts.file,
        envFile: opts.envFile,
        previous: opts.previous,
        cvm: opts.cvm,
        allowDrop: opts.allowDrop,
        writeLock: opts.writeLock,
        force: opts.force,
      });
      for (const w of outcome.warnings) process.stderr.write(`preflight: warning: ${w}\n`);
      const { plan } = outcome;
      if (opts.format === 'json') {
        const { findings, ...rest } = plan;
        const json = {
          tool: { name: 'preflight', version: VERSION },
          compose_files: outcome.composeFiles,
          env_file: opts.envFile,
          ...rest,
          findings,
          lock_written: outcome.lockWritten ?? null,
        };
        writeReport(JSON.stringify(json, null, 2) + '\n', destination);
      } else {
        const title =
          `secrets plan for ${outcome.composeFiles.join(', ')} ` +
          `with ${opts.envFile}${plan.previousSource ? ` against ${plan.previousSource}` : ''}`;
        let text = renderPlanText(plan, title);
        if (outcome.lockWritten)
          text +=
            `lock written to ${outcome.lockWritten} (key in ${outcome.lockWritten}.key, keep it beside the ` +
            `lockfile)\n`;
        else if (opts.writeLock) text += `lock NOT written: the plan blocks\n`;
        writeReport(text, destination);
      }
      setExit(plan.blocking ? 1 : 0);
    });
}

interface PlanFlags {
  file: string[];
  envFile: string;
  previous?: string;
  cvm?: string;
  allowDrop: string[];
  writeLock?: string;
  output?: string;
  force?: boolean;
  format: 'text' | 'json';
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface EncryptFlags {
  envFile?: string;
  pubkey?: string;
  cvm?: string;
  appId?: string;
  kms?: string;
  kmsSigner?: string;
  output?: string;
  out?: string;
  force: boolean;
  format: 'text' | 'json';
}

function short(hex: string): string {
  return `${hex.slice(0, 8)}…${hex.slice(-8)}`;
}

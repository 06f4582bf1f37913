import type { Command } from 'commander';
import { UsageError } from '../util/errors.js';
import { readInputFile } from '../util/read-file.js';
import type { AgentHandle, KeyLogEntry, KeyProvider } from '../agent/index.js';
import { CURRENT_OS_VERSION, startAgent } from '../commands/agent.js';
import type { SetExit } from './main.js';

interface AgentFlags {
  socket?: string;
  tcp?: string;
  appId?: string;
  state?: string;
  keyProvider?: string;
  keyLog?: string;
  osVersion?: string;
  appCompose?: string;
  quiet?: boolean;
}

/** `preflight agent`: serves the simulated guest agent until SIGINT/SIGTERM. */
export function registerAgent(program: Command, setExit: SetExit): void {
  program
    .command('agent')
    .description('local stand-in of the dstack guest agent (/var/run/dstack.sock, tappd.sock); quotes are SIMULATED')
    .option('--socket <path>', 'unix socket to serve on (mount it at /var/run/dstack.sock)')
    .option('--tcp <port>', 'also serve on 127.0.0.1:<port> (0 = any free port)')
    .option('--app-id <hex>', 'app id the keys are derived for (hex, 20 bytes on dstack)')
    .option('--state <file>', 'state file with the root secret (created with mode 0600); without it keys last one run')
    .option(
      '--key-provider <kind>',
      'kms | local | tpm | none (none: a new root each start, like a CVM without KMS); default: what ' +
        '--app-compose declares, else kms',
    )
    .option(
      '--os-version <x.y.z>',
      'dstack OS version to behave as (which methods exist): 0.5.11 still serves EmitEvent',
      CURRENT_OS_VERSION,
    )
    .option('--key-log <file>', 'append every key request (public keys only) to this JSONL file')
    .option('--app-compose <file>', 'app-compose.json whose sha256 Info reports as compose_hash')
    .option('--quiet', 'do not print key requests')
    .action(async (flags: AgentFlags) => {
      setExit(await runAgent(flags));
    });
}

async function runAgent(flags: AgentFlags): Promise<number> {
  if (!flags.socket && flags.tcp === undefined) throw new UsageError('agent: give --socket PATH and/or --tcp PORT');
  if (flags.tcp !== undefined && !/^\d{1,5}$/.test(flags.tcp))
    throw new UsageError(`agent: --tcp must be a port number, got "${flags.tcp}"`);
  if (flags.keyProvider !== undefined && !['kms', 'local', 'tpm', 'none'].includes(flags.keyProvider)) {
    throw new UsageError(`agent: --key-provider must be kms, local, tpm or none, got "${flags.keyProvider}"`);
  }
  let appCompose: string | undefined;
  if (flags.appCompose) {
    appCompose = readInputFile(flags.appCompose, { what: 'app-compose.json' });
  }
  const print = (line: string) => process.stdout.write(line + '\n');
  const agent = await startAgent({
    socketPath: flags.socket,
    tcpPort: flags.tcp === undefined ? undefined : Number(flags.tcp),
    appId: flags.appId,
    statePath: flags.state,
    keyProvider: flags.keyProvider as KeyProvider | undefined,
    keyLogPath: flags.keyLog,
    appCompose,
    osVersion: flags.osVersion,
    onUnsupportedCall: ({ method, why }) => print(`call ${method}: not served by dstack ${flags.osVersion} (${why})`),
    onKeyRequest: flags.quiet ? undefined : (entry) => print(describeKeyRequest(entry)),
  });
  printBanner(agent, flags, print);
  await waitForSignal();
  await agent.close();
  print('preflight agent: stopped' + (agent.socketPath ? `, removed ${agent.socketPath}` : ''));
  return 0;
}

function printBanner(agent: AgentHandle, flags: AgentFlags, print: (line: string) => void): void {
  if (agent.socketPath)
    print(
      `preflight agent: listening on unix:${agent.socketPath} (mode 0666; mount it at /var/run/dstack.sock or ` +
        `/var/run/tappd.sock)`,
    );
  if (agent.tcpUrl) print(`preflight agent: listening on ${agent.tcpUrl} (DSTACK_SIMULATOR_ENDPOINT=${agent.tcpUrl})`);
  print(
    `  dstack OS ${flags.osVersion}, app id ${agent.appId}, key provider ${agent.keyProvider}, root public ` +
      `key ${agent.rootPublicKeyHex}`,
  );
  if (agent.keyProvider === 'none') print('  key provider none: keys change on every start of the agent');
  else if (flags.state)
    print(`  state ${flags.state} (${agent.stateCreated ? 'created' : 'loaded'}): keys stay the same across restarts`);
  else print('  no --state: keys last only until the agent stops');
  print('  quotes and attestations are SIMULATED (not attestation); Ctrl-C or SIGTERM stops');
}

/** One line per key request: public key shortened, never the private key. */
function describeKeyRequest(e: KeyLogEntry): string {
  const pub = e.publicKeyHex.length > 20 ? `${e.publicKeyHex.slice(0, 16)}…` : e.publicKeyHex;
  return (
    `key ${e.endpoint} path=${JSON.stringify(e.path)} ` +
    `purpose=${JSON.stringify(e.purpose)} ${e.algorithm} ${pub}${e.stable ? '' : ' (per-call key)'}`
  );
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

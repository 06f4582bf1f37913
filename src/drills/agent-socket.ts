import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AGENT_SOCKET_TARGETS as AGENT_TARGETS,
  startAgentForDrill,
  type AgentForDrill,
  type KeyLogEntry,
  type KeyProvider,
} from '../agent/index.js';
import { effectiveKeyProvider, type DeploymentSettings } from '../compose/deployment.js';

/** Container paths where apps expect the guest agent (docs/platform.md#guest-agent). */
export const AGENT_SOCKET_TARGETS: readonly string[] = AGENT_TARGETS;

export interface RestartableAgentOptions {
  /** app-compose.json text, for Info's compose_hash. */
  appCompose?: string;
  /** How the deployment's keys behave (drillKeyProvider); default `kms`. */
  keyProvider?: KeyProvider;
  /** Key-log entries already journaled (a resumed run): `takeKeyLog` returns only later ones. */
  keyLogTaken?: number;
}

/**
 * The guest-agent stand-in across a run's CVM boots: restarted on the same socket path at each boot,
 * its key log read phase by phase.
 */
export interface RestartableAgent {
  /** Host path of the socket mounted into the services that ask for the agent. The same across restarts. */
  readonly socketPath: string;
  /** The running agent instance (a new one after each restart). */
  readonly agent: AgentForDrill;
  readonly keyProvider: KeyProvider;
  /**
   * The CVM booted: a new agent on the same socket path. With `kms`/`local` it reloads the run's
   * state file (same keys); with `none` it starts from a fresh root (new keys), as a CVM without a
   * key provider does. Containers must be (re)created after this: a bind mount pins the old socket's inode.
   */
  restart(opts?: { keyProvider?: KeyProvider }): Promise<void>;
  /** Key requests logged since the previous call (across agent restarts; public keys only). */
  takeKeyLog(): KeyLogEntry[];
  close(): Promise<void>;
}

/**
 * How the agent must behave to give the keys the deployment would give: the KMS keeps keys per app
 * across boots and upgrades; the local (and TPM) providers keep them per instance, which a drill's
 * single instance cannot tell apart; without a key provider every boot gets a new root.
 */
export function drillKeyProvider(settings: DeploymentSettings): KeyProvider {
  const p = effectiveKeyProvider(settings);
  return p === 'kms' ? 'kms' : p === 'none' ? 'none' : 'local';
}

/**
 * The guest-agent stand-in for a drill run (src/agent), its state in the run directory so keys stay
 * stable across the faults of one run, as the KMS keeps them across CVM restarts. Started before
 * `compose up`, or Docker would create a directory where the socket should be.
 */
export async function startDrillAgent(runDir: string, opts: RestartableAgentOptions = {}): Promise<RestartableAgent> {
  let dir = join(runDir, 'agent');
  let tempDir: string | undefined;
  // sun_path is short (108 bytes): deep run directories get the agent in a short temp dir, named
  // after the run directory so a resumed run finds the same socket path and key state.
  if (join(dir, 'agent.sock').length > 100)
    dir = tempDir = join(tmpdir(), `pfagent-${createHash('sha256').update(runDir).digest('hex').slice(0, 16)}`);
  mkdirSync(dir, { recursive: true });
  let keyProvider = opts.keyProvider ?? 'kms';
  const start = () => startAgentForDrill({ dir, appCompose: opts.appCompose, keyProvider });
  let agent = await start();
  let taken = opts.keyLogTaken ?? 0;
  return {
    get socketPath() {
      return agent.socketPath;
    },
    get agent() {
      return agent;
    },
    get keyProvider() {
      return keyProvider;
    },
    async restart(o = {}) {
      await agent.close();
      keyProvider = o.keyProvider ?? keyProvider;
      agent = await start();
    },
    takeKeyLog() {
      const all = agent.readKeyLogFile();
      const fresh = all.slice(taken);
      taken = all.length;
      return fresh;
    },
    async close() {
      await agent.close();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

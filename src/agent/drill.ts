/**
 * The agent as drills use it: one agent per drill run, its state and key log in the run's
 * directory, its socket bind-mounted into the app's containers.
 *
 * Bind-mount notes for drill code:
 * - Start the agent BEFORE `compose up`: if the host socket file does not exist when a container is
 *   created, Docker creates a directory in its place.
 * - A bind mount pins the socket file's inode. If the agent is restarted (new socket file), restart
 *   the containers too; a container restart re-resolves the mount.
 * - The socket is mode 0666 so a non-root container user can connect.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors.js';
import { parseKeyLog, type KeyLogEntry } from './keylog.js';
import { startAgent, type AgentHandle } from './server.js';
import type { KeyProvider } from './service.js';

/** Where apps look for the agent inside a CVM; the one socket serves both APIs. */
export const AGENT_SOCKET_TARGETS = ['/var/run/dstack.sock', '/var/run/tappd.sock'] as const;

export interface AgentForDrillOptions {
  /** The drill run's directory (must exist); holds agent.sock, agent-state.json, agent-keys.jsonl. */
  dir: string;
  appId?: string;
  keyProvider?: KeyProvider;
  /** app-compose.json text of the deployment, for Info's compose_hash. */
  appCompose?: string;
}

/** One agent instance serving a drill run: its socket, state and key log in the run directory. */
export interface AgentForDrill {
  /** Host path of the socket: bind-mount it at each of AGENT_SOCKET_TARGETS the compose file uses. */
  socketPath: string;
  statePath: string;
  /** JSONL of every key request, accumulated across agent restarts in this dir. */
  keyLogPath: string;
  /** Key requests served by this agent instance (since it started). */
  readonly keyLog: KeyLogEntry[];
  /** Key requests of every agent instance that used this dir (from the JSONL file). */
  readKeyLogFile(): KeyLogEntry[];
  agent: AgentHandle;
  close(): Promise<void>;
}

export async function startAgentForDrill(opts: AgentForDrillOptions): Promise<AgentForDrill> {
  if (!existsSync(opts.dir) || !statSync(opts.dir).isDirectory())
    throw new InputError(`drill directory ${opts.dir} does not exist`);
  const socketPath = join(opts.dir, 'agent.sock');
  const statePath = join(opts.dir, 'agent-state.json');
  const keyLogPath = join(opts.dir, 'agent-keys.jsonl');
  const agent = await startAgent({
    socketPath,
    statePath,
    keyLogPath,
    appId: opts.appId,
    keyProvider: opts.keyProvider,
    appCompose: opts.appCompose,
  });
  return {
    socketPath,
    statePath,
    keyLogPath,
    get keyLog() {
      return agent.keyLog;
    },
    readKeyLogFile: () => (existsSync(keyLogPath) ? parseKeyLog(readFileSync(keyLogPath, 'utf8')) : []),
    agent,
    close: () => agent.close(),
  };
}

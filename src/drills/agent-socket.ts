import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_SOCKET_TARGETS as AGENT_TARGETS, startAgentForDrill, type DrillAgent as AgentForDrill } from '../agent/index.js';

/** Container paths where apps expect the guest agent (platform-facts.md: special sockets). */
export const AGENT_SOCKET_TARGETS: readonly string[] = AGENT_TARGETS;

export interface DrillAgent {
  /** Host path of the socket mounted into the services that ask for the agent. */
  socketPath: string;
  agent: AgentForDrill;
  close(): Promise<void>;
}

/**
 * The guest-agent stand-in for a drill run (src/agent), its state in the run directory so keys stay
 * stable across the faults of one run, as the KMS keeps them across CVM restarts. Started before
 * `compose up`, or Docker would create a directory where the socket should be.
 */
export async function startDrillAgent(runDir: string, appCompose?: string): Promise<DrillAgent> {
  let dir = join(runDir, 'agent');
  let tempDir: string | undefined;
  // sun_path is short (108 bytes): deep run directories get the agent in a short temp dir.
  if (join(dir, 'agent.sock').length > 100) dir = tempDir = mkdtempSync(join(tmpdir(), 'pfagent-'));
  mkdirSync(dir, { recursive: true });
  const agent = await startAgentForDrill({ dir, appCompose });
  return {
    socketPath: agent.socketPath,
    agent,
    async close() {
      await agent.close();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProject, resolveTargets } from '../../src/compose/index.js';
import { runRestartDrill, type RestartDrillResult } from '../../src/drills/restart.js';
import type { FaultKind } from '../../src/drills/faults.js';
import { drillAppsDir, nodeImage } from '../support/images.js';
import type { CvmOs, StopMode } from '../../src/cvm/index.js';

/** A TCP port nobody listens on right now (the test app publishes it on 127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export const scratch = mkdtempSync(join(tmpdir(), 'pf-drill-test-'));
// Run directories, env files and histories of this test process go with it.
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/** Write the env file a drill of test app `app` runs with: the image, a free port, extras. */
export async function envFileFor(
  app: string,
  extra: Record<string, string> = {},
): Promise<{ file: string; port: number }> {
  const port = await freePort();
  const dir = join(scratch, app);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'drill.env');
  const vars = { IMAGE: nodeImage(), PORT: String(port), ...extra };
  writeFileSync(
    file,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
  return { file, port };
}

export function appDir(app: string): string {
  return join(drillAppsDir(), app);
}

/** Run the restart drill on a test app through the library (the CLI is exercised separately). */
export async function drillApp(
  app: string,
  opts: {
    faults?: FaultKind[];
    rounds?: number;
    seed?: string;
    env?: Record<string, string>;
    stop?: StopMode;
    os?: CvmOs;
  } = {},
): Promise<RestartDrillResult & { envFile: string }> {
  const { file } = await envFileFor(app, opts.env);
  const [target] = resolveTargets([appDir(app)], {});
  const project = loadProject(target!, { envFiles: [file], strictRequired: true });
  const result = await runRestartDrill({
    project,
    faults: opts.faults,
    rounds: opts.rounds,
    seed: opts.seed ?? 'test',
    stop: opts.stop,
    os: opts.os,
    runRoot: join(scratch, 'runs'),
  });
  return { ...result, envFile: file };
}

export function ruleIds(r: RestartDrillResult): string[] {
  return [...new Set(r.report.findings.map((f) => f.ruleId))].sort();
}

const CLI_ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'run-cli.ts');

export interface RunningCli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The CLI from source (test/drills/run-cli.ts under tsx) in a child process, as CI runs it (CI=1). */
export function spawnDrillCli(args: string[], cwd?: string): RunningCli {
  const child = spawn(process.execPath, ['--import', 'tsx', '--', CLI_ENTRY, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: '1' },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b));
  child.stderr!.on('data', (b: Buffer) => (err += b));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** `drill restart` of the good test app with its env file, into `runRoot`, then `flags`. */
export async function goodRestartArgs(runRoot: string, ...flags: string[]): Promise<string[]> {
  const { file } = await envFileFor('good');
  return ['drill', 'restart', appDir('good'), '--env-file', file, '--run-dir', runRoot, ...flags];
}

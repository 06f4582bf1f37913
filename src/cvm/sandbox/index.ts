import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineEnv } from '../../docker/compose.js';
import { drillLabels, ownerValue, RUN_DIR_LABEL } from '../../docker/labels.js';
import type { CvmApp } from '../app.js';
import type { LocalCvm } from '../local-cvm.js';
import type { BootListener, ScriptLine } from '../types.js';
import { type EngineProxy, startEngineProxy } from './engine-proxy.js';
import { hostToolMounts, SANDBOX_PATH, sandboxImage } from './helper.js';
import { sandboxRoutes } from './routes.js';
import { maskSecrets } from '../mask.js';
import {
  BOOT_SHELL_PATH,
  bootShell,
  NOTIFY_MARK,
  parseShellReport,
  scriptLine,
  shellErrorLine,
  SHELL_DIR,
} from './shell.js';
import { resolveUpstream } from './upstream.js';

/** How the pre-launch step ended; `exports`/`unset` change the environment `compose up` runs with. */
export type PreLaunchOutcome =
  | { ok: true; detail: string; exports: Map<string, string>; unset: string[] }
  | { ok: false; reason: string; at?: ScriptLine; exports: Map<string, string>; unset: string[] };

/** A script that never returns would hang the boot; the guest has no limit, the drill needs one. */
const SCRIPT_TIMEOUT_MS = 300_000;
/** The sandbox reports at most this many engine calls per boot (a loop of `docker ps` is one finding, not a flood). */
const MAX_CALL_EVENTS = 200;
/** Bounds of what is kept of the boot log (stderr) and the shell's report with the environment (stdout). */
const MAX_LOG_BYTES = 1024 * 1024;
const MAX_REPORT_BYTES = 8 * 1024 * 1024;

/**
 * Runs a deployment's pre_launch_script the way the guest does (docs/platform.md#pre-launch-script):
 * sourced by the boot shell of the chosen dstack version, with the decrypted env, after dockerd
 * has restored containers and before `compose up`. Never on the user's host: in a container whose
 * only engine is a proxy that lets the script reach nothing but this CVM's own resources
 * (routes.ts; docs/decisions.md).
 */
export class PreLaunchSandbox {
  private proxy?: EngineProxy;
  private socketDir?: string;
  private tempSocketDir = false;
  private boot = 0;
  private app?: CvmApp;
  private emit: BootListener = () => undefined;
  private calls = 0;

  constructor(private readonly cvm: LocalCvm) {}

  async run(opts: {
    app: CvmApp;
    script: string;
    env: ReadonlyMap<string, string>;
    boot: number;
    emit: BootListener;
  }): Promise<PreLaunchOutcome> {
    const { app, script, env, boot, emit } = opts;
    // Everything the sandbox reports is masked: the script may print a value, or hold one literally.
    const mask = (text: string) => maskSecrets(text, env);
    const atLine = (n: number): ScriptLine | undefined => {
      const l = scriptLine(script, n);
      return l && { line: l.line, text: mask(l.text) };
    };
    const none = { exports: new Map<string, string>(), unset: [] as string[] };
    if (process.platform !== 'linux') {
      const reason = 'the pre-launch sandbox mounts the host’s Linux tools; on this OS the script was not run';
      emit({ type: 'pre-launch-skipped', boot, reason });
      return { ok: true, detail: `not rehearsed: ${reason}`, ...none };
    }
    this.boot = boot;
    this.app = app;
    this.emit = emit;
    this.calls = 0;
    const started = await this.start();
    if ('reason' in started) {
      emit({ type: 'pre-launch-skipped', boot, reason: started.reason });
      return { ok: true, detail: `not rehearsed: ${started.reason}`, ...none };
    }
    const shellDir = join(this.cvm.opts.dir, 'sandbox', 'shell');
    mkdirSync(shellDir, { recursive: true });
    writeFileSync(join(shellDir, 'app-compose.sh'), bootShell(this.cvm.os));
    writeFileSync(join(shellDir, 'pre_launch_script'), script);
    const image = await sandboxImage(this.cvm.engine);

    const name = `${this.cvm.projectName}-prelaunch-${boot}`;
    const cliEnv: NodeJS.ProcessEnv = { ...engineEnv() };
    const envArgs: string[] = [];
    const skipped: string[] = [];
    for (const [k, v] of env) {
      // The docker CLI reads these itself; the value must not steer the sandbox's own engine calls.
      if (k in cliEnv || k.startsWith('DOCKER_')) {
        skipped.push(k);
        continue;
      }
      cliEnv[k] = v;
      envArgs.push('-e', k);
    }
    const args = [
      'run',
      '--rm',
      '--name',
      name,
      ...Object.entries(drillLabels(this.cvm.opts.drillId)).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      ...(this.cvm.opts.runDirLabel ? ['--label', `${RUN_DIR_LABEL}=${this.cvm.opts.runDirLabel}`] : []),
      ...hostToolMounts(),
      '-v',
      `${started.socketPath}:/var/run/docker.sock`,
      '-v',
      `${this.cvm.dstackDir}:/dstack`,
      '-v',
      `${this.cvm.persistentDir}:/dstack/persistent`,
      '-v',
      `${shellDir}:${SHELL_DIR}:ro`,
      ...(this.cvm.opts.agentSocket
        ? [
            '-v',
            `${this.cvm.opts.agentSocket}:/var/run/dstack.sock`,
            '-v',
            `${this.cvm.opts.agentSocket}:/var/run/tappd.sock`,
          ]
        : []),
      '-w',
      '/dstack',
      '-e',
      `PATH=${SANDBOX_PATH}`,
      '-e',
      'HOME=/root',
      '-e',
      `COMPOSE_PROJECT_NAME=${this.cvm.projectName}`,
      ...envArgs,
      image,
      '/bin/bash',
      BOOT_SHELL_PATH,
    ];
    const r = await runCapture(args, cliEnv, SCRIPT_TIMEOUT_MS);
    if (r.timedOut) await this.cvm.engine.run(['rm', '--force', name]);
    const { log, notes } = splitLog(r.stderr.toString('utf8'));
    for (const n of notes) emit({ type: 'boot-notify', boot, event: mask(n.event), detail: mask(n.detail) });
    const report = parseShellReport(r.stdout);
    const nonFatal = report.done ? report.failures : report.failures.slice(0, -1);
    for (const f of nonFatal.slice(0, 5))
      emit({
        type: 'pre-launch-failure',
        boot,
        ...(atLine(f.line) ? { at: atLine(f.line) } : {}),
        code: f.code,
        fatal: false,
        message: `exit ${f.code}; ${this.cvm.os} sets no \`set -e\` around the script, so the boot went on`,
      });
    const skippedNote = skipped.length
      ? `; ${skipped.join(', ')} not passed to the sandbox (names the docker CLI reads)`
      : '';
    if (r.timedOut)
      return {
        ok: false,
        reason: `the pre_launch_script did not finish within ${SCRIPT_TIMEOUT_MS / 1000} s`,
        ...none,
      };
    if (report.done && report.env) {
      const exports = new Map<string, string>();
      for (const [k, v] of report.env) if (env.get(k) !== v && !SANDBOX_OWN.has(k)) exports.set(k, v);
      const unset = [...env.keys()].filter((k) => !report.env!.has(k) && !skipped.includes(k));
      const changed = [...exports.keys(), ...unset.map((k) => `-${k}`)];
      return {
        ok: true,
        detail:
          'the script returned' +
          (changed.length ? `; environment for compose up: ${changed.join(', ')}` : '') +
          (nonFatal.length ? `; ${nonFatal.length} command(s) failed without stopping the boot` : '') +
          skippedNote,
        exports,
        unset,
      };
    }
    // The shell ended inside the script: `exit`, a failing command under `set -e`, an unset variable.
    const bash = shellErrorLine(log);
    const at = atLine(bash?.line ?? report.lastLine);
    const code = report.exitCode >= 0 ? report.exitCode : r.code;
    const lastLog = log.trim().split('\n').filter(Boolean).pop();
    const why = bash
      ? mask(bash.message)
      : code === 0
        ? '`exit 0` ended the boot script before `compose up`: the app is not started'
        : `exit ${code}${lastLog ? `; last output: ${mask(lastLog).slice(0, 200)}` : ''}`;
    emit({ type: 'pre-launch-failure', boot, ...(at ? { at } : {}), code, fatal: true, message: why });
    return {
      ok: false,
      reason: `the pre_launch_script stopped the boot${at ? ` at line ${at.line}` : ''}: ${why}`,
      ...(at ? { at } : {}),
      ...none,
    };
  }

  private async start(): Promise<{ socketPath: string } | { reason: string }> {
    if (this.proxy) return { socketPath: this.proxy.socketPath };
    const upstream = await resolveUpstream();
    if ('reason' in upstream) return upstream;
    let dir = join(this.cvm.opts.dir, 'sandbox');
    // sun_path is short (108 bytes): deep CVM folders get the socket in a short temp dir.
    if (join(dir, 'engine.sock').length > 100) {
      dir = mkdtempSync(join(tmpdir(), 'pfsbx-'));
      this.tempSocketDir = true;
    }
    mkdirSync(dir, { recursive: true });
    this.socketDir = dir;
    const socketPath = join(dir, 'engine.sock');
    const scope = {
      project: this.cvm.projectName,
      drillId: this.cvm.opts.drillId,
      owner: ownerValue(),
      paths: { dstackDir: this.cvm.dstackDir, persistentDir: this.cvm.persistentDir },
      proxySocket: socketPath,
      agentSocket: this.cvm.opts.agentSocket,
      runDirLabel: this.cvm.opts.runDirLabel,
    };
    const routes = sandboxRoutes(
      this.cvm,
      scope,
      upstream,
      () => this.boot,
      () => this.app?.images().map((i) => i.image) ?? [],
    );
    this.proxy = await startEngineProxy(socketPath, upstream, routes, (call) => {
      if (++this.calls > MAX_CALL_EVENTS) return;
      this.emit({ type: 'sandbox-call', boot: this.boot, ...call });
    });
    return { socketPath };
  }

  async close(): Promise<void> {
    await this.proxy?.close();
    this.proxy = undefined;
    if (this.tempSocketDir && this.socketDir) rmSync(this.socketDir, { recursive: true, force: true });
  }
}

/** Variables the sandbox itself sets: not exports of the script. */
const SANDBOX_OWN = new Set(['PATH', 'HOME', 'HOSTNAME', 'PWD', 'OLDPWD', 'SHLVL', '_', 'COMPOSE_PROJECT_NAME']);

/** The boot log without the notify marks, and the marks as events. */
function splitLog(stderr: string): { log: string; notes: { event: string; detail: string }[] } {
  const notes: { event: string; detail: string }[] = [];
  const kept: string[] = [];
  for (const line of stderr.split('\n')) {
    if (line.startsWith(NOTIFY_MARK)) {
      const [, event = '', detail = ''] = line.split('\t');
      notes.push({ event, detail });
    } else kept.push(line);
  }
  return { log: kept.join('\n'), notes };
}

/** `docker run` with the values in the CLI's environment only; both streams kept in memory (bounded). */
function runCapture(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number; stdout: Buffer; stderr: Buffer; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const keep = (into: Buffer[], limit: number) => {
      let size = 0;
      return (b: Buffer) => {
        size += b.length;
        if (size <= limit) into.push(b);
      };
    };
    child.stdout.on('data', keep(out, MAX_REPORT_BYTES));
    child.stderr.on('data', keep(err, MAX_LOG_BYTES));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', () => undefined);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err), timedOut });
    });
  });
}

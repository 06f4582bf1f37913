/**
 * The live parts of a rollout, built from its settings file and journaled input, at the start and
 * again on resume: the backend (Phala Cloud or the local fleet), the balancer, the gates, the load
 * generator, the control file watcher and the fleet lock.
 */
import { createHash, randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadProject, resolveTargets } from '../compose/index.js';
import type { Project } from '../compose/project.js';
import type { Catalogue } from '../findings/catalogue.js';
import { connectPhala, parsePrivateKey } from '../phala/index.js';
import { encryptSecrets, writePrivateFile } from '../secrets/encrypt.js';
import { readSecretInput, validatedVars } from '../secrets/input.js';
import { acquireRunLock, type RunHandle } from '../steps/index.js';
import { detectCompose } from '../docker/index.js';
import { InputError } from '../util/errors.js';
import { nodeAt } from '../yaml/located.js';
import { LocalBackend } from './backend/local.js';
import { CvmInstanceOps, type LocalVersion, localVersionHash } from './backend/local-instance.js';
import { imagesOf, PhalaBackend, type PhalaTarget } from './backend/phala.js';
import type { RolloutBackend } from './backend/types.js';
import { loadRolloutSettings, type RolloutSettings } from './config.js';
import { ControlWatcher } from './control.js';
import type { RolloutCtx, RolloutInput, RolloutRunState } from './definition.js';
import type { RolloutEvent } from './events.js';
import { makeGates } from './gates/index.js';
import { CommandHookBalancer, HaproxyBalancer, type LoadBalancer, startManagedHaproxy } from './lb/index.js';
import { startLoad } from './load/index.js';
import type { ProgressSink } from './progress.js';
import { systemClock } from '../phala/index.js';

export interface OpenOptions {
  catalogue?: Catalogue;
  /** Where run directories go (the fleet locks and the local fleet's staged files live beside them). */
  runRoot: string;
  progress?: ProgressSink;
  /** Phala Cloud API base and key (default: environment, then `phala login`). */
  apiKey?: string;
  baseURL?: string;
  /** The app owner's key for on-chain registrations (never journaled); `rpcUrl` overrides `phala.rpc_url`. */
  onChain?: { privateKey: string; rpcUrl?: string };
}

/** The settings, the backend and what the plan needs (no balancer, no load, no lock). */
export async function openBackend(
  settings: RolloutSettings,
  o: OpenOptions & { runDir?: string; signal?: AbortSignal },
): Promise<{ backend: RolloutBackend; target: Project; current?: Project }> {
  const clock = systemClock;
  const target = loadVersion(settings.target.compose, settings.target.envFile, o.catalogue);
  if (settings.backend === 'phala') {
    const phala = settings.phala!;
    const client = await connectPhala({ apiKey: o.apiKey, baseURL: o.baseURL, clock });
    const ptarget: PhalaTarget = { ...phalaText(target), images: {} };
    ptarget.images = imagesOf(ptarget.composeText);
    if (settings.target.envFile) ptarget.secrets = await oneEncryptedEnv(settings, o, phala.appId ?? phala.cvms![0]!);
    const onChain = o.onChain
      ? {
          privateKey: parsePrivateKey(o.onChain.privateKey, 'the on-chain private key'),
          rpcUrl: o.onChain.rpcUrl ?? phala.rpcUrl,
        }
      : undefined;
    const backend = await PhalaBackend.open({ client, fleet: phala, target: ptarget, clock, onChain }, o.signal);
    return { backend, target };
  }
  const local = settings.local!;
  const cli = await detectCompose();
  if (!cli) throw new InputError('the local fleet needs Docker Compose (docker compose or docker-compose)');
  const current = loadVersion(local.current, local.envFile, o.catalogue);
  const key = fleetKey(settings);
  const stageDir = join(o.runRoot, 'fleets', key);
  mkdirSync(stageDir, { recursive: true, mode: 0o700 });
  const backend = await LocalBackend.open({
    spec: local,
    fleetKey: key,
    ops: new CvmInstanceOps(cli, key, stageDir),
    current: localVersion(current, local, settings, fleetSalt(key)),
    target: localVersion(target, local, settings, fleetSalt(key)),
    clock,
  });
  return { backend, target, current };
}

/** Everything a run's steps use, for `startRun`/`resumeRun`. */
export function rolloutOpener(
  o: OpenOptions,
): (run: RunHandle<RolloutInput, RolloutRunState, RolloutEvent>) => Promise<RolloutCtx> {
  return async (run) => {
    const { settings, config } = await loadRolloutSettings({
      fleetFile: run.input.fleetFile ? run.input.settingsFile : undefined,
      configFile: run.input.fleetFile ? undefined : run.input.settingsFile,
      catalogue: o.catalogue,
    });
    const fleetLock = (() => {
      try {
        return acquireRunLock(fleetLockDir(o.runRoot, settings), run.runId);
      } catch (e) {
        if (e instanceof InputError) throw new InputError(`another rollout of this fleet is running: ${e.message}`);
        throw e;
      }
    })();
    const releases: (() => Promise<void> | void)[] = [() => fleetLock.release()];
    try {
      const { backend } = await openBackend(settings, { ...o, runDir: run.runDir, signal: run.signal });
      releases.unshift(() => backend.close());
      const fleet = await backend.fleet(run.signal);
      let balancer: LoadBalancer | undefined;
      let frontend: string | undefined;
      const b = settings.balancer;
      // Instance URLs (one API request each on Phala) only for the balancers that use them.
      const needUrls = b?.kind === 'hooks' || (!b && settings.backend === 'local');
      const lbInstances = await Promise.all(
        fleet.map(async (i) => ({
          id: i.id,
          name: i.name,
          url: needUrls ? await backend.instanceUrl(i.id, run.signal) : '',
        })),
      );
      if (b?.kind === 'haproxy') {
        const servers = Object.fromEntries(
          lbInstances.map((i) => [i.id, b.servers[i.id] ?? b.servers[i.name ?? ''] ?? i.name ?? i.id]),
        );
        const socket = /^[\w.-]+:\d+$/.test(b.socket)
          ? { host: b.socket.split(':')[0]!, port: Number(b.socket.split(':')[1]) }
          : b.socket;
        const h = new HaproxyBalancer({
          socket,
          backend: b.backend,
          servers,
          drainTimeoutMs: b.timeoutMs,
          enableTimeoutMs: b.timeoutMs,
        });
        await h.verify();
        balancer = h;
      } else if (b?.kind === 'hooks') {
        balancer = new CommandHookBalancer({
          instances: lbInstances,
          drain: b.drain,
          enable: b.enable,
          timeoutMs: b.timeoutMs,
          cwd: dirname(run.input.settingsFile),
        });
      } else if (settings.backend === 'local') {
        stopLeftoverHaproxy(run.runDir);
        const managed = await startManagedHaproxy({ instances: lbInstances });
        if (managed.pid) writeFileSync(join(run.runDir, HAPROXY_PID_FILE), `${managed.pid}\n`);
        frontend = managed.url;
        balancer = managed;
      }
      if (balancer) releases.unshift(() => balancer!.close());
      const control = new ControlWatcher(run.runDir);
      const load = run.input.load
        ? startLoad({ url: run.input.load.url ?? frontend ?? '', rate: run.input.load.rate, maxRecords: 0 })
        : undefined;
      return {
        backend,
        balancer,
        gates: makeGates(settings.gates, dirname(run.input.settingsFile)),
        clock: systemClock,
        control,
        load,
        progress: o.progress,
        where: settingsWhere(config.tree, config.file ?? run.input.settingsFile),
        release: async () => {
          for (const r of releases) await r();
        },
      };
    } catch (e) {
      for (const r of releases) await Promise.resolve(r()).catch(() => undefined);
      throw e;
    }
  };
}

const HAPROXY_PID_FILE = 'haproxy.pid';

/**
 * A process killed with SIGKILL leaves its managed HAProxy running (a child outlives its parent);
 * the process that resumes the run stops it, if that pid is still a haproxy.
 */
function stopLeftoverHaproxy(runDir: string): void {
  const file = join(runDir, HAPROXY_PID_FILE);
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('haproxy')) return;
    process.kill(pid, 'SIGKILL');
  } catch {}
}

/** One lock per fleet (not per run): two rollouts of one fleet cannot run at once. */
export function fleetLockDir(runRoot: string, settings: RolloutSettings): string {
  const dir = join(runRoot, 'fleets', fleetKey(settings));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export function fleetKey(settings: RolloutSettings): string {
  const id =
    settings.backend === 'phala'
      ? `phala:${settings.phala!.appId ?? [...(settings.phala!.cvms ?? [])].sort().join(',')}`
      : `local:${settings.file ?? ''}`;
  return createHash('sha256').update(id).digest('hex').slice(0, 10);
}

function loadVersion(path: string, envFile: string | undefined, catalogue?: Catalogue): Project {
  const [t] = resolveTargets([path], {});
  return loadProject(t!, { envFiles: envFile ? [envFile] : undefined, strictRequired: true, catalogue });
}

/** What Phala Cloud takes: one compose file's text (or the manifest's), and its pre-launch script. */
function phalaText(p: Project): { composeText: string; preLaunchScript?: string } {
  if (p.manifest?.compose) {
    const pre = p.manifest.json.pre_launch_script;
    return { composeText: p.manifest.compose.text, ...(typeof pre === 'string' ? { preLaunchScript: pre } : {}) };
  }
  if (p.composeFiles.length !== 1)
    throw new InputError(
      `Phala Cloud takes one compose file; the target has ${p.composeFiles.length} ` +
        `(${p.composeFiles.join(', ')}): merge them first (docker compose config)`,
    );
  const f = p.composeFiles[0]!;
  return { composeText: p.sources.get(f)?.text ?? readFileSync(f, 'utf8') };
}

/**
 * The new secret set, encrypted once with the app's env key and reused for every replica, by a
 * resumed run (the run directory's copy), and by every plan and run while the env file holds the
 * same variables (the fleet's copy): the target's version names this ciphertext (backend/phala.ts
 * `ENV_PART`), so a fresh encryption per plan would make every plan id differ. The fleet's copy
 * is told current by a salted scrypt of the variables (never a plain hash, which a short secret
 * could be guessed back from); both files are 0600 and hold ciphertext only the CVM decrypts.
 */
async function oneEncryptedEnv(
  settings: RolloutSettings,
  o: OpenOptions & { runDir?: string },
  appOrCvm: string,
): Promise<{ encryptedEnv: string; envKeys: string[] }> {
  const kept = o.runDir ? join(o.runDir, 'encrypted-env.json') : undefined;
  if (kept && existsSync(kept))
    return JSON.parse(readFileSync(kept, 'utf8')) as { encryptedEnv: string; envKeys: string[] };
  const envFile = settings.target.envFile!;
  const vars = validatedVars(readSecretInput({ envFile }));
  const fleetCopy = join(fleetLockDir(o.runRoot, settings), 'encrypted-env.json');
  const cached = existsSync(fleetCopy) ? (JSON.parse(readFileSync(fleetCopy, 'utf8')) as FleetEnvCopy) : undefined;
  let out: { encryptedEnv: string; envKeys: string[] };
  if (cached && cached.fingerprint === varsFingerprint(vars, cached.salt)) {
    out = { encryptedEnv: cached.encryptedEnv, envKeys: cached.envKeys };
  } else {
    const r = await encryptSecrets({
      envFile,
      ...(settings.phala?.appId ? { appId: appOrCvm } : { cvm: appOrCvm }),
      apiKey: o.apiKey,
      baseURL: o.baseURL,
    });
    out = { encryptedEnv: r.encrypted_env, envKeys: r.env_keys };
    const salt = randomBytes(16).toString('hex');
    const copy: FleetEnvCopy = { ...out, salt, fingerprint: varsFingerprint(vars, salt) };
    writePrivateFile(fleetCopy, JSON.stringify(copy), true);
  }
  if (kept) writePrivateFile(kept, JSON.stringify(out), true);
  return out;
}

interface FleetEnvCopy {
  encryptedEnv: string;
  envKeys: string[];
  salt: string;
  fingerprint: string;
}

function varsFingerprint(vars: readonly { key: string; value: string }[], salt: string): string {
  return scryptSync(JSON.stringify(vars.map((v) => [v.key, v.value])), salt, 32).toString('hex');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The salt of the fleet's secret fingerprints (local-instance.ts `localVersionHash`): from the fleet's
 * key, so every process and every `--run-dir` finds the same versions on the engine. Not secret, and
 * need not be: the containers' own environment (`docker inspect`) holds the values anyway.
 */
function fleetSalt(key: string): string {
  return `preflight-rollout-local:${key}`;
}

function localVersion(
  p: Project,
  local: NonNullable<RolloutSettings['local']>,
  s: RolloutSettings,
  salt: string,
): LocalVersion {
  const services = p.model.services ?? {};
  const published = Object.entries(services).filter(([, svc]) => (svc.ports ?? []).length > 0);
  const service = local.service ?? (published.length === 1 ? published[0]![0] : undefined);
  if (!service || !services[service]) {
    const why = published.length
      ? `several publish ports: ${published.map(([n]) => n).join(', ')}`
      : 'none publishes a port';
    throw new InputError(`local fleet: say which service takes the traffic (local.service); ${why}`, { file: s.file });
  }
  const first = (services[service]!.ports ?? [])[0] as { target?: number } | undefined;
  const port = local.port ?? first?.target;
  if (!port)
    throw new InputError(`local fleet: give local.port, the container port ${service} serves on`, { file: s.file });
  return { hash: localVersionHash(p, salt), project: p, service, port };
}

function settingsWhere(
  tree: Parameters<typeof nodeAt>[0],
  file: string,
): { file: string; line: number; column: number } {
  const at = nodeAt(tree, ['rollout']);
  const loc = at.keyLoc ?? at.node?.loc ?? tree?.loc;
  return { file, line: loc?.line ?? 1, column: loc?.column ?? 1 };
}

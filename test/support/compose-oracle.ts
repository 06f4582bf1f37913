import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { DiscoveredProject } from '../../src/compose/discover.js';
import { dotenvToMap, parseDotenv } from '../../src/compose/dotenv.js';
import { parseComposeDuration } from '../../src/compose/duration.js';
import type { Project } from '../../src/compose/project.js';
import { shellWords } from '../../src/rules/lib/shell.js';

/**
 * Compose v2 as the oracle of Preflight's loader (issue 11): `docker compose config --format json`
 * on the same files, with the same variables and nothing else from the environment, and the parts
 * of each service both must agree on, reduced to comparable strings.
 */
export interface ServiceShape {
  image: string | null;
  /** Environment keys (values may be secrets: only the inline cases, whose values are made up, compare them). */
  environment: string[];
  /** `type:target` of each mount, trailing slashes removed (Compose cleans the path; Preflight keeps it as written). */
  volumes: string[];
  /** `target/protocol`, then `:published` when there is one. */
  ports: string[];
  depends_on: string[];
  restart: string | null;
  /** `command` and `entrypoint` as the words the engine gets (a string is split as Compose splits it, no shell). */
  command: string[] | null;
  entrypoint: string[] | null;
  healthcheck: string[] | null;
  /** Networks joined; a service with neither networks nor network_mode is on `default`. */
  networks: string[];
  /** `source>target` of each secret and config reference. */
  secrets: string[];
  configs: string[];
  /** `host_ip:published->target` of each published port. */
  published: string[];
  /** Source of each named-volume mount. */
  volumeSources: string[];
  /** `service:condition` of each depends_on entry. */
  conditions: string[];
  user: string | null;
  /** In milliseconds. */
  stop_grace_period: string | null;
}

export type ProjectShape = Record<string, ServiceShape>;

export type ComposeAnswer = { ok: true; config: ComposeConfig } | { ok: false; error: string };

export interface ComposeConfig {
  services?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/**
 * `docker compose config --format json` for a project as Preflight loads it: the same `-f` files
 * in the same order (an app-compose.json's embedded compose file on stdin, from its directory),
 * `--profile` for each active profile, and `env` as the whole environment beside PATH and the
 * Docker config (the project's `.env` Compose reads itself, as Preflight does).
 */
export function composeConfig(
  target: DiscoveredProject,
  opts: { env?: Record<string, string>; profiles?: string[]; stdin?: string } = {},
): ComposeAnswer {
  const args = ['compose', '--project-directory', target.dir];
  if (target.kind === 'app-compose') args.push('-f', '-');
  else for (const f of target.files) args.push('-f', f);
  for (const p of opts.profiles ?? []) args.push('--profile', p);
  args.push('config', '--format', 'json');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env };
  for (const k of ['DOCKER_CONFIG', 'HOME']) if (process.env[k]) env[k] = process.env[k]!;
  const r = spawnSync('docker', args, {
    cwd: target.dir,
    env,
    input: opts.stdin ?? '',
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status === 0) return { ok: true, config: unescapeDollars(JSON.parse(r.stdout) as ComposeConfig) };
  const lines = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n');
  return { ok: false, error: lines.filter((l) => !/level=warning/.test(l)).join(' ') || lines.join(' ') };
}

/** The comparable parts of each service of a compose model (Preflight's, or Compose's output). */
export function shapeOf(services: Record<string, Record<string, unknown>> | undefined): ProjectShape {
  const out: ProjectShape = {};
  for (const [name, s] of Object.entries(services ?? {})) {
    const list = (v: unknown) => (Array.isArray(v) ? (v as Record<string, unknown>[]) : []);
    out[name] = {
      image: typeof s.image === 'string' ? s.image : null,
      environment: Object.keys((s.environment as object | undefined) ?? {}).sort(),
      volumes: list(s.volumes)
        .map((v) => `${v.type}:${String(v.target).replace(/(.)\/+$/, '$1')}`)
        .sort(),
      ports: list(s.ports)
        .map((p) => `${p.target}/${p.protocol ?? 'tcp'}${p.published !== undefined ? `:${p.published}` : ''}`)
        .sort(),
      depends_on: Object.keys((s.depends_on as object | undefined) ?? {}).sort(),
      restart: typeof s.restart === 'string' ? s.restart : null,
      command: words(s.command),
      entrypoint: words(s.entrypoint),
      healthcheck: Array.isArray((s.healthcheck as { test?: unknown } | undefined)?.test)
        ? ((s.healthcheck as { test: unknown[] }).test.map(String) ?? null)
        : null,
      networks: s.networks
        ? Object.keys(Array.isArray(s.networks) ? Object.fromEntries(s.networks.map((n) => [n, 1])) : s.networks).sort()
        : s.network_mode
          ? []
          : ['default'],
      secrets: references(s.secrets),
      configs: references(s.configs),
      published: list(s.ports)
        .filter((p) => p.published !== undefined)
        .map((p) => `${p.host_ip ?? ''}:${p.published}->${p.target}`)
        .sort(),
      volumeSources: list(s.volumes)
        .filter((v) => v.type === 'volume' && v.source)
        .map((v) => String(v.source))
        .sort(),
      conditions: Object.entries((s.depends_on as Record<string, { condition?: string }> | undefined) ?? {})
        .map(([k, v]) => `${k}:${v?.condition ?? ''}`)
        .sort(),
      user: typeof s.user === 'string' ? s.user : null,
      // Compose writes durations in Go's form (60s as 1m0s): compared as milliseconds.
      stop_grace_period:
        typeof s.stop_grace_period === 'string' ? String(parseComposeDuration(s.stop_grace_period)) : null,
    };
  }
  return out;
}

function words(v: unknown): string[] | null {
  if (typeof v === 'string') return shellWords(v);
  return Array.isArray(v) ? v.map(String) : null;
}

function references(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v
    .map((r) =>
      typeof r === 'string'
        ? `${r}>`
        : `${(r as { source?: string }).source}>${(r as { target?: string }).target ?? ''}`,
    )
    .sort();
}

/**
 * `docker compose config` writes its output as a compose file again, so every `$` of a value is
 * written `$$`; this reads it back as the value.
 */
export function unescapeDollars<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('$$', '$') as T;
  if (Array.isArray(value)) return value.map(unescapeDollars) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unescapeDollars(v)])) as T;
  return value;
}

/**
 * Compose's shape with the one deliberate difference of the model removed: Compose adds the keys of
 * each service's `env_file` files to its environment; Preflight does not, as those files never reach
 * the CVM (env-file-local reports them). The keys only an env_file gives are dropped here.
 */
export function withoutEnvFileKeys(shape: ProjectShape, project: Project): ProjectShape {
  const out: ProjectShape = {};
  for (const [name, s] of Object.entries(shape)) {
    const own = new Set(Object.keys(project.model.services?.[name]?.environment ?? {}));
    const fromFiles = new Set<string>();
    for (const ref of project.model.services?.[name]?.env_file ?? []) {
      const file = isAbsolute(ref.path) ? ref.path : resolve(project.dir, ref.path);
      if (!existsSync(file)) continue;
      for (const key of dotenvToMap(parseDotenv(readFileSync(file, 'utf8'), file)).keys()) fromFiles.add(key);
    }
    out[name] = { ...s, environment: s.environment.filter((k) => own.has(k) || !fromFiles.has(k)) };
  }
  return out;
}

/**
 * Compose's shape without the dependencies it adds itself: `links`, `volumes_from` and
 * `network_mode`/`ipc`/`pid: service:x` become `depends_on` entries in its output. Preflight's
 * model keeps depends_on as written (rules tell a written dependency from none); semantics.ts
 * counts those keys as dependencies for undefined services and cycles, as Compose does.
 */
export function withoutImpliedDependencies(shape: ProjectShape, project: Project): ProjectShape {
  const out: ProjectShape = {};
  for (const [name, s] of Object.entries(shape)) {
    const svc = project.model.services?.[name];
    const written = new Set(Object.keys(svc?.depends_on ?? {}));
    const implied = new Set<string>();
    for (const l of (svc?.links as unknown[] | undefined) ?? []) implied.add(String(l).split(':')[0]!);
    for (const v of (svc?.volumes_from as unknown[] | undefined) ?? []) implied.add(String(v).split(':')[0]!);
    for (const key of ['network_mode', 'ipc', 'pid'] as const) {
      const v = svc?.[key];
      if (typeof v === 'string' && v.startsWith('service:')) implied.add(v.slice('service:'.length));
    }
    const kept = (d: string) => written.has(d) || !implied.has(d);
    out[name] = {
      ...s,
      depends_on: s.depends_on.filter(kept),
      conditions: s.conditions.filter((c) => kept(c.slice(0, c.lastIndexOf(':')))),
    };
  }
  return out;
}

/** What differs between two shapes, one line per service field ("" when they agree). */
export function shapeDifferences(ours: ProjectShape, theirs: ProjectShape): string[] {
  const out: string[] = [];
  for (const name of [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].sort()) {
    const a = ours[name];
    const b = theirs[name];
    if (!a || !b) {
      out.push(`service ${name}: ${a ? 'only Preflight has it' : 'only Compose has it'}`);
      continue;
    }
    for (const key of Object.keys(a) as (keyof ServiceShape)[]) {
      const x = JSON.stringify(a[key]);
      const y = JSON.stringify(b[key]);
      if (x !== y) out.push(`${name}.${key}: Preflight ${x}, Compose ${y}`);
    }
  }
  return out;
}

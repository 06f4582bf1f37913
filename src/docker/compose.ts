import { InputError } from '../util/errors.js';
import { execFileCapture, EngineError, type ExecResult, type OpListener } from './exec.js';

/** Which Compose implementation runs the app: the `docker compose` plugin (v2) or `docker-compose` (v1). */
export interface ComposeCli {
  kind: 'v2' | 'v1';
  /** Program and leading arguments, e.g. `docker compose` or `docker-compose`. */
  command: string[];
  version: string;
}

/** The environment variable that picks the Compose CLI: `v2` or `v1`; unset = v2 when present, else v1. */
export const COMPOSE_CHOICE_VAR = 'PREFLIGHT_COMPOSE';

const CANDIDATES: Record<ComposeCli['kind'], string[]> = {
  v2: ['docker', 'compose'],
  v1: ['docker-compose'],
};

const NO_PLUGIN = /unknown (flag|command)|is not a docker command/;

/** Ask one Compose CLI for its version: the CLI, or why it does not answer (one line). */
export type ComposeProbe = (kind: ComposeCli['kind']) => Promise<ComposeCli | { missing: string }>;

const probeCli: ComposeProbe = async (kind) => {
  const command = CANDIDATES[kind];
  const [program, ...lead] = command as [string, ...string[]];
  const r = await execFileCapture(program, [...lead, 'version', '--short'], { timeoutMs: 20_000 });
  const version = r.stdout.trim();
  if (r.code === 0 && version) return { kind, command, version };
  return { missing: `\`${command.join(' ')} version\` failed: ${whyNoCompose(kind, r)}` };
};

/** Why `… version --short` failed, in a few words: not installed, no plugin, else the first line it printed. */
export function whyNoCompose(kind: ComposeCli['kind'], r: { code: number; stderr: string }): string {
  const program = CANDIDATES[kind][0];
  if (r.code === 127) return `${program} is not installed`;
  // Without the plugin, docker reads `compose` as an unknown command or `--short` as an unknown flag.
  if (kind === 'v2' && NO_PLUGIN.test(r.stderr)) return 'docker has no compose plugin';
  return firstLine(r.stderr) || `exit ${r.code}`;
}

/**
 * Pick the Compose CLI. `choice` (PREFLIGHT_COMPOSE) names one and nothing else is tried: an
 * unknown value or an unavailable CLI is an InputError. Unset, v2 is tried first (the CVM runs v2),
 * then v1; undefined when neither answers.
 */
export async function selectCompose(choice: string | undefined, probe: ComposeProbe): Promise<ComposeCli | undefined> {
  if (choice !== undefined && choice !== '') {
    if (choice !== 'v2' && choice !== 'v1')
      throw new InputError(`${COMPOSE_CHOICE_VAR} must be v2 (docker compose) or v1 (docker-compose), not "${choice}"`);
    const r = await probe(choice);
    if ('missing' in r) throw new InputError(`${COMPOSE_CHOICE_VAR}=${choice} but ${r.missing}`);
    return r;
  }
  for (const kind of ['v2', 'v1'] as const) {
    const r = await probe(kind);
    if (!('missing' in r)) return r;
  }
  return undefined;
}

let detected: Promise<ComposeCli | undefined> | undefined;

/**
 * The Compose CLI of this machine, as `selectCompose` picks it from PREFLIGHT_COMPOSE. Cached per
 * process (so is a selection error).
 */
export function detectCompose(): Promise<ComposeCli | undefined> {
  detected ??= selectCompose(process.env[COMPOSE_CHOICE_VAR], probeCli);
  return detected;
}

function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').slice(0, 200);
}

export interface ComposeProjectSpec {
  /** Compose project name (`-p`): unique per drill run. */
  project: string;
  /** Compose files in merge order, the generated label override last. */
  files: string[];
  /** Working directory, normally the first file's directory (relative paths resolve from it). */
  cwd: string;
  /**
   * The whole environment Compose runs with: interpolation sees exactly these variables. Passed as
   * the process environment, the way the CVM passes the decrypted secrets.
   */
  env: NodeJS.ProcessEnv;
  /** An env file given with `--env-file` so Compose does not pick up a `.env` beside the app. */
  envFile: string;
}

/** Runs Compose for one project; every call is reported to `onOp` with its duration. */
export class ComposeRunner {
  constructor(
    readonly cli: ComposeCli,
    readonly spec: ComposeProjectSpec,
    private readonly onOp?: OpListener,
  ) {}

  async run(args: string[], timeoutMs = 300_000): Promise<ExecResult> {
    const [program, ...lead] = this.cli.command as [string, ...string[]];
    const full = [
      ...lead,
      '--project-name',
      this.spec.project,
      ...this.spec.files.flatMap((f) => ['--file', f]),
      '--env-file',
      this.spec.envFile,
      ...args,
    ];
    const r = await execFileCapture(program, full, { env: this.spec.env, cwd: this.spec.cwd, timeoutMs });
    this.onOp?.({ kind: 'compose', args, ms: r.ms, code: r.code });
    return r;
  }

  async must(args: string[], timeoutMs?: number): Promise<ExecResult> {
    const r = await this.run(args, timeoutMs);
    if (r.code !== 0) throw new EngineError(`${this.cli.command.join(' ')} ${args[0] ?? ''}`, r);
    return r;
  }

  /** Start the app as the CVM does (`up -d --remove-orphans`); images must exist locally. */
  up(): Promise<ExecResult> {
    return this.must(['up', '-d', '--remove-orphans']);
  }

  /** Remove containers and networks; volumes stay (anonymous ones are handled by the caller). */
  down(): Promise<ExecResult> {
    return this.run(['down', '--remove-orphans', '--timeout', '0']);
  }
}

/**
 * The minimal host environment Compose itself needs (finding the engine and its config), without
 * the caller's variables, so interpolation sees only what the drill passes.
 */
export function engineEnv(): NodeJS.ProcessEnv {
  const keep = [
    'PATH',
    'HOME',
    'DOCKER_HOST',
    'DOCKER_CONFIG',
    'DOCKER_CONTEXT',
    'DOCKER_CERT_PATH',
    'DOCKER_TLS_VERIFY',
    'XDG_RUNTIME_DIR',
    'TMPDIR',
  ];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  return env;
}

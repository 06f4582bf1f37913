import { execFileCapture, EngineError, type ExecResult, type OpListener } from './exec.js';

/** Which Compose implementation runs the app: the `docker compose` plugin (v2) or `docker-compose` (v1). */
export interface ComposeCli {
  kind: 'v2' | 'v1';
  /** Program and leading arguments, e.g. `docker compose` or `docker-compose`. */
  command: string[];
  version: string;
}

let detected: Promise<ComposeCli | undefined> | undefined;

/**
 * Find Compose the way a user's machine has it: v2 (`docker compose version`) first, as the CVM
 * runs v2, else v1 (`docker-compose version`). Undefined when neither exists. Cached per process.
 */
export function detectCompose(): Promise<ComposeCli | undefined> {
  detected ??= (async () => {
    const v2 = await execFileCapture('docker', ['compose', 'version', '--short'], { timeoutMs: 20_000 });
    if (v2.code === 0 && v2.stdout.trim())
      return { kind: 'v2', command: ['docker', 'compose'], version: v2.stdout.trim() };
    const v1 = await execFileCapture('docker-compose', ['version', '--short'], { timeoutMs: 20_000 });
    if (v1.code === 0 && v1.stdout.trim())
      return { kind: 'v1', command: ['docker-compose'], version: v1.stdout.trim() };
    return undefined;
  })();
  return detected;
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

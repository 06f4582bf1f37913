import { nodeAt, type LNode, type Path } from '../../yaml/located.js';
import { InputError } from '../../util/errors.js';
import type { Action } from '../config.js';

/**
 * The `drill.upgrade` key of `.preflight.yml` (docs/upgrades.md): the seed, the allow-list of
 * expected file changes, log patterns that name data errors, and the fingerprint bounds.
 */
export type FileChange = 'deleted' | 'shrunk' | 'rewritten';
export const FILE_CHANGES: readonly FileChange[] = ['deleted', 'shrunk', 'rewritten'];

export interface ExpectedChange {
  /** `<volume key>:<glob>`; `*` matches within a path segment, `**` across segments. */
  pattern: string;
  volume: string;
  glob: RegExp;
  changes: FileChange[];
}

export interface UpgradeConfig {
  /** A command that writes sample data once OLD is ready (in addition to the workload writes). */
  seed?: Action;
  /** Workload writes made on OLD before the upgrade. */
  seedWrites: number;
  expectChanges: ExpectedChange[];
  /** Log lines of NEW matching any of these name a data error. */
  dataErrors: RegExp[];
  maxFiles: number;
  maxBytes: number;
}

/** Log lines that say the data could not be read (databases and apps in their own words). */
export const DEFAULT_DATA_ERRORS: readonly RegExp[] = [
  /database files are incompatible with server/i,
  /data directory .* (?:was )?(?:initialized|created) by .*version/i,
  /\b(?:cannot|can't|could not|unable to) (?:read|open|load|parse) (?:the )?(?:data|database|db|store|snapshot|index)/i,
  /\b(?:cannot|can't|could not) read data format\b|\bunsupported (?:data |on-disk |storage )?format\b/i,
  /\bcorrupt(?:ed|ion)?\b.*\b(?:data|page|file|index|table|database)\b/i,
  /\bno such table\b|\brelation "[^"]+" does not exist\b/i,
  /\bincompatible (?:data|database|storage|on-disk)\b/i,
  /\bfeatureCompatibilityVersion\b.*\b(?:must|invalid|upgrade)\b/i,
];

export const UPGRADE_DEFAULTS = { seedWrites: 20, maxFiles: 100_000, maxBytes: 8 * 1024 ** 3 };

const KEYS = ['seed', 'seed_writes', 'expect_changes', 'data_errors', 'fingerprint'];

export function parseUpgradeConfig(raw: unknown, where: { file?: string; tree?: LNode } = {}): UpgradeConfig {
  const fail = (path: Path, what: string): never => {
    const at = nodeAt(where.tree, ['drill', 'upgrade', ...path]);
    const loc = at.keyLoc ?? at.node?.loc ?? at.nearestKeyLoc ?? at.nearest?.loc;
    throw new InputError(
      `drill.upgrade${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}: ${what}`,
      { file: where.file, line: loc?.line, column: loc?.column },
    );
  };
  const cfg: UpgradeConfig = {
    seedWrites: UPGRADE_DEFAULTS.seedWrites,
    expectChanges: [],
    dataErrors: [...DEFAULT_DATA_ERRORS],
    maxFiles: UPGRADE_DEFAULTS.maxFiles,
    maxBytes: UPGRADE_DEFAULTS.maxBytes,
  };
  if (raw === undefined || raw === null) return cfg;
  if (!isObject(raw)) return fail([], 'must be a mapping');
  for (const k of Object.keys(raw))
    if (!KEYS.includes(k)) fail([k], `unknown key (expected one of ${KEYS.join(', ')})`);

  if (raw.seed !== undefined) cfg.seed = action(['seed'], raw.seed, fail);
  if (raw.seed_writes !== undefined) {
    if (!Number.isInteger(raw.seed_writes) || (raw.seed_writes as number) < 0 || (raw.seed_writes as number) > 100_000)
      fail(['seed_writes'], 'must be an integer from 0 to 100000');
    cfg.seedWrites = raw.seed_writes as number;
  }
  if (raw.expect_changes !== undefined) {
    if (!Array.isArray(raw.expect_changes))
      fail(['expect_changes'], 'must be a list of "volume:path-glob" or { path, changes }');
    cfg.expectChanges = (raw.expect_changes as unknown[]).map((e, i) => {
      const spec =
        typeof e === 'string'
          ? { path: e, changes: ['rewritten'] }
          : isObject(e)
            ? e
            : fail(['expect_changes', i], 'must be "volume:path-glob" or { path, changes }');
      if (typeof spec.path !== 'string' || !/^[^:/]+:.+/.test(spec.path))
        return fail(['expect_changes', i], 'path must be "<volume>:<path glob>", e.g. "db-data:pg_wal/**"');
      const changes = spec.changes ?? ['rewritten'];
      if (!Array.isArray(changes) || !changes.every((c) => (FILE_CHANGES as readonly unknown[]).includes(c)))
        return fail(['expect_changes', i, 'changes'], `must be a list of ${FILE_CHANGES.join(', ')}`);
      const colon = spec.path.indexOf(':');
      return {
        pattern: spec.path,
        volume: spec.path.slice(0, colon),
        glob: globToRegExp(spec.path.slice(colon + 1)),
        changes: changes as FileChange[],
      };
    });
  }
  if (raw.data_errors !== undefined) {
    if (!Array.isArray(raw.data_errors) || !raw.data_errors.every((p) => typeof p === 'string'))
      fail(['data_errors'], 'must be a list of regular expressions');
    (raw.data_errors as string[]).forEach((p, i) => {
      try {
        cfg.dataErrors.push(new RegExp(p, 'i'));
      } catch {
        fail(['data_errors', i], `"${p}" is not a valid regular expression`);
      }
    });
  }
  if (raw.fingerprint !== undefined) {
    const f = raw.fingerprint;
    if (!isObject(f)) return fail(['fingerprint'], 'must be a mapping with max_files, max_bytes');
    for (const k of Object.keys(f))
      if (!['max_files', 'max_bytes'].includes(k))
        fail(['fingerprint', k], 'unknown key (expected max_files, max_bytes)');
    if (f.max_files !== undefined)
      cfg.maxFiles =
        Number.isInteger(f.max_files) && (f.max_files as number) > 0
          ? (f.max_files as number)
          : fail(['fingerprint', 'max_files'], 'must be a positive integer');
    if (f.max_bytes !== undefined)
      cfg.maxBytes =
        parseBytes(f.max_bytes) ??
        fail(['fingerprint', 'max_bytes'], 'must be a size such as 512MiB, 8GiB or a number of bytes');
  }
  return cfg;
}

function action(path: Path, v: unknown, fail: (p: Path, what: string) => never): Action {
  if (!isObject(v)) return fail(path, 'must be { exec: { service, command } } or { http: "[METHOD] URL", body }');
  if (v.exec !== undefined) {
    const e = v.exec;
    if (
      !isObject(e) ||
      typeof e.service !== 'string' ||
      !Array.isArray(e.command) ||
      !e.command.length ||
      !e.command.every((c) => typeof c === 'string')
    ) {
      return fail([...path, 'exec'], 'needs service (a name) and command (a non-empty list of strings)');
    }
    return { kind: 'exec', service: e.service, command: e.command as string[], timeoutMs: 60_000 };
  }
  if (typeof v.http === 'string') {
    const m = /^(?:([A-Z]+)\s+)?(https?:\/\/\S+)$/.exec(v.http.trim());
    if (!m) return fail([...path, 'http'], `"${v.http}" is not "[METHOD] http(s)://…"`);
    if (v.body !== undefined && typeof v.body !== 'string') return fail([...path, 'body'], 'must be a string');
    return {
      kind: 'http',
      method: m[1] ?? 'POST',
      url: m[2]!,
      body: v.body as string | undefined,
      headers: {},
      timeoutMs: 60_000,
    };
  }
  return fail(path, 'needs exec or http');
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re.replace(/^\/+/, '')}$`);
}

function parseBytes(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?$/i.exec(v.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? 'B').toLowerCase();
  const mult: Record<string, number> = {
    b: 1,
    kib: 1024,
    mib: 1024 ** 2,
    gib: 1024 ** 3,
    tib: 1024 ** 4,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    tb: 1e12,
  };
  return Math.round(Number(m[1]) * mult[unit]!);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

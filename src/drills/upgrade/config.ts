import { configError, type PreflightConfig } from '../../config/index.js';
import { type Action, actionFrom } from '../config.js';

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

/** The `drill.upgrade` settings of a loaded configuration (its shape checked by the schema). */
export function upgradeConfigFrom(config: PreflightConfig): UpgradeConfig {
  const raw = config.drill?.upgrade ?? {};
  const path = ['drill', 'upgrade'];
  const cfg: UpgradeConfig = {
    seedWrites: raw.seed_writes ?? UPGRADE_DEFAULTS.seedWrites,
    expectChanges: (raw.expect_changes ?? []).map((e) => {
      const spec = typeof e === 'string' ? { path: e, changes: ['rewritten'] } : e;
      const colon = spec.path.indexOf(':');
      return {
        pattern: spec.path,
        volume: spec.path.slice(0, colon),
        glob: globToRegExp(spec.path.slice(colon + 1)),
        changes: (spec.changes ?? ['rewritten']) as FileChange[],
      };
    }),
    dataErrors: [...DEFAULT_DATA_ERRORS],
    maxFiles: raw.fingerprint?.max_files ?? UPGRADE_DEFAULTS.maxFiles,
    maxBytes:
      raw.fingerprint?.max_bytes === undefined ? UPGRADE_DEFAULTS.maxBytes : parseBytes(raw.fingerprint.max_bytes)!,
  };
  // The seed runs once, so it may take long: a minute unless it says otherwise.
  if (raw.seed) cfg.seed = actionFrom(config, [...path, 'seed'], raw.seed, 'POST', undefined, 60_000);
  (raw.data_errors ?? []).forEach((p, i) => {
    try {
      cfg.dataErrors.push(new RegExp(p, 'i'));
    } catch {
      throw configError(
        config,
        [...path, 'data_errors', i],
        `drill.upgrade.data_errors[${i}]: not a valid regular expression`,
      );
    }
  });
  return cfg;
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

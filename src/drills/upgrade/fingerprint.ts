import { spawn } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { extract } from 'tar-stream';
import type { Engine } from '../../docker/engine.js';
import type { OpListener } from '../../docker/exec.js';
import { drillLabels } from '../../docker/labels.js';

/**
 * Fingerprints of named volumes: per file, its size and sha256, streamed from `docker cp` of a
 * never-started helper container that mounts the volume read-only (any local image works, as
 * nothing runs in it). Bounded by a file count and a byte budget; past them, hashing stops and the
 * fingerprint says so.
 */
export interface FileFingerprint {
  size: number;
  sha256: string;
  /** sha256 of the first `size` bytes of the OLD file, when this file is the same path after the upgrade. */
  prefixOfOld?: string;
}

export interface VolumeFingerprint {
  /** Docker volume name. */
  volume: string;
  /** Volume key in the compose file. */
  key: string;
  files: Record<string, FileFingerprint>;
  fileCount: number;
  bytes: number;
  /** Set when a bound was hit: the listing is incomplete past this point. */
  incomplete?: string;
  /** The volume does not exist (never created). */
  missing?: boolean;
  ms: number;
}

export interface FingerprintLimits {
  maxFiles: number;
  maxBytes: number;
}

const MOUNT = '/pf-volume';

export async function fingerprintVolume(
  engine: Engine,
  opts: {
    volume: string;
    key: string;
    image: string;
    drillId: string;
    limits: FingerprintLimits;
    onOp?: OpListener;
    old?: VolumeFingerprint;
  },
): Promise<VolumeFingerprint> {
  const started = performance.now();
  const empty = (extra: Partial<VolumeFingerprint>): VolumeFingerprint => ({
    volume: opts.volume,
    key: opts.key,
    files: {},
    fileCount: 0,
    bytes: 0,
    ms: performance.now() - started,
    ...extra,
  });
  const exists = await engine.run(['volume', 'inspect', opts.volume]);
  if (exists.code !== 0) return empty({ missing: true });
  const created = await engine.must([
    'create',
    ...Object.entries(drillLabels(opts.drillId)).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    '--network',
    'none',
    '--volume',
    `${opts.volume}:${MOUNT}:ro`,
    opts.image,
    '/preflight-fingerprint-helper-never-started',
  ]);
  const helper = created.stdout.trim();
  try {
    const r = await streamHashes(helper, opts.limits, opts.old, opts.onOp);
    return { volume: opts.volume, key: opts.key, ...r, ms: performance.now() - started };
  } finally {
    await engine.removeContainers([helper]);
  }
}

async function streamHashes(
  container: string,
  limits: FingerprintLimits,
  old: VolumeFingerprint | undefined,
  onOp?: OpListener,
): Promise<Pick<VolumeFingerprint, 'files' | 'fileCount' | 'bytes' | 'incomplete'>> {
  const started = performance.now();
  const files: Record<string, FileFingerprint> = {};
  let fileCount = 0;
  let bytes = 0;
  let incomplete: string | undefined;
  const args = ['cp', `${container}:${MOUNT}/.`, '-'];
  const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
  const parser = extract();
  const done = new Promise<void>((resolve, reject) => {
    // Past a bound, stop reading at once: the time spent stays bounded too.
    const stopEarly = () => {
      child.kill('SIGKILL');
      resolve();
    };
    parser.on('entry', (header, stream, next) => {
      const path = header.name.replace(/^\.\//, '').replace(/\/$/, '');
      if (header.type !== 'file' || !path || incomplete) {
        stream.on('end', next);
        stream.resume();
        return;
      }
      if (fileCount >= limits.maxFiles || bytes + header.size > limits.maxBytes) {
        incomplete =
          fileCount >= limits.maxFiles
            ? `stopped after ${limits.maxFiles} files (drill.upgrade.fingerprint.max_files)`
            : `stopped at ${bytes} bytes (drill.upgrade.fingerprint.max_bytes)`;
        stopEarly();
        return;
      }
      fileCount++;
      bytes += header.size;
      const hash = createHash('sha256');
      // For a file OLD also had, hash the first OLD-size bytes too: equal means it only grew.
      const prefixLen = old?.files[path] && old.files[path].size <= header.size ? old.files[path].size : undefined;
      const prefix: Hash | undefined = prefixLen !== undefined ? createHash('sha256') : undefined;
      let seen = 0;
      stream.on('data', (data: unknown) => {
        const chunk = data as Buffer;
        hash.update(chunk);
        if (prefix && seen < prefixLen!) prefix.update(chunk.subarray(0, Math.max(0, prefixLen! - seen)));
        seen += chunk.length;
      });
      stream.on('end', () => {
        files[path] = {
          size: header.size,
          sha256: hash.digest('hex'),
          ...(prefix ? { prefixOfOld: prefix.digest('hex') } : {}),
        };
        next();
      });
      stream.on('error', reject);
    });
    parser.on('finish', resolve);
    parser.on('error', (e) => (incomplete ? resolve() : reject(e)));
  });
  child.stdout.pipe(parser);
  const exit = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  try {
    await done;
  } finally {
    const code = await exit;
    onOp?.({ kind: 'docker', args, ms: performance.now() - started, code });
    if (code !== 0 && !incomplete)
      incomplete = `docker cp failed: ${stderr.trim().split('\n').pop() ?? `exit ${code}`}`;
  }
  return { files, fileCount, bytes, ...(incomplete ? { incomplete } : {}) };
}

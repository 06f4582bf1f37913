import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Test images without a registry: a root filesystem made of the host's `node` binary, `dash` as
 * /bin/sh and their shared libraries (as `ldd` lists them), plus the drill test apps under /apps,
 * loaded with `docker import`. Tagged by a hash of its content, so it is built once and reused.
 */
const APPS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'drill-apps');
export const IMAGE_REPO = 'preflight-drill-node';

let built: string | undefined;

export function drillAppsDir(): string {
  return APPS_DIR;
}

/** Build (or reuse) the node image; returns its tag. */
export function nodeImage(): string {
  if (built) return built;
  const node = realpathSync(execFileSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).trim());
  const dash = realpathSync(execFileSync('sh', ['-c', 'command -v dash'], { encoding: 'utf8' }).trim());
  const libs = [...new Set([...sharedLibs(node), ...sharedLibs(dash)])].sort();
  // Only the scripts go into the image; compose and config files stay outside (they change more often).
  const appFiles = listFiles(APPS_DIR).filter((f) => f.endsWith('.js'));

  const hash = createHash('sha256');
  for (const f of [node, dash, ...libs]) {
    const st = statSync(f);
    hash.update(`${f}\0${st.size}\0${st.mtimeMs}\0`);
  }
  for (const f of appFiles) hash.update(`${relative(APPS_DIR, f)}\0`).update(readFileSync(f));
  const tag = `${IMAGE_REPO}:${hash.digest('hex').slice(0, 16)}`;

  if (spawnSync('docker', ['image', 'inspect', tag], { stdio: 'ignore' }).status !== 0) {
    const root = mkdtempSync(join(tmpdir(), 'pf-rootfs-'));
    try {
      const put = (src: string, dest: string) => {
        mkdirSync(join(root, dirname(dest)), { recursive: true });
        copyFileSync(src, join(root, dest));
      };
      put(node, '/usr/local/bin/node');
      put(dash, '/bin/sh');
      for (const lib of libs) put(lib, lib);
      for (const f of appFiles) put(f, join('/apps', relative(APPS_DIR, f)));
      for (const d of ['tmp', 'data', 'etc', 'proc', 'sys', 'dev', 'var/run', 'var/lib'])
        mkdirSync(join(root, d), { recursive: true });
      writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
      execFileSync(
        'sh',
        [
          '-c',
          `chmod 1777 "$1/tmp" && tar -C "$1" -c . | docker import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' - "$2" >/dev/null`,
          'sh',
          root,
          tag,
        ],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  built = tag;
  return tag;
}

/** Absolute paths of the libraries `ldd` resolves for a binary, the loader included. */
function sharedLibs(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

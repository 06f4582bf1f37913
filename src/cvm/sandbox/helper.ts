import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { pack } from 'tar-stream';
import type { Engine } from '../../docker/engine.js';
import { DSTACK_UTIL_STUB } from './shell.js';

/**
 * The sandbox container's image: an almost empty root (users, the dstack-util stand-in, folders),
 * made with `docker import` so it needs no registry and no builder. The tools a pre-launch script
 * uses (bash, coreutils, jq, curl, the docker CLI and Compose) come from the host, bind-mounted
 * read-only (HOST_TOOL_DIRS): the script runs with them in the container's namespaces, never on the
 * host itself, and can change nothing of the host's. Tagged by a hash of its content.
 */
export const SANDBOX_IMAGE_REPO = 'preflight-cvm-sandbox';
export const SANDBOX_PATH = '/opt/dstack/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Host folders mounted read-only: programs, their libraries and what the loader and TLS need. */
export const HOST_TOOL_DIRS = [
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/etc/alternatives',
  '/etc/ld.so.cache',
  '/etc/ssl/certs',
] as const;

/** Where the host's docker CLI looks for the Compose v2 plugin (all under the mounted /usr). */
const COMPOSE_PLUGIN_DIRS = [
  '/usr/libexec/docker/cli-plugins',
  '/usr/lib/docker/cli-plugins',
  '/usr/local/lib/docker/cli-plugins',
];

/**
 * `docker compose` for hosts that only have Compose v1: the guest runs v2, and a script that calls
 * `docker compose pull` must not fail here for a reason the CVM does not have.
 */
const COMPOSE_V1_SHIM = `#!/bin/sh
if [ "$1" = docker-cli-plugin-metadata ]; then
  echo '{"SchemaVersion":"0.1.0","Vendor":"preflight","Version":"v1-shim",\
"ShortDescription":"docker-compose v1 as docker compose"}'
  exit 0
fi
shift
exec docker-compose "$@"
`;

function rootFiles(needsComposeShim: boolean): { name: string; mode: number; text?: string }[] {
  const files: { name: string; mode: number; text?: string }[] = [
    ...[
      'dstack',
      'dstack/persistent',
      'tmp',
      'root',
      'home/root',
      'run',
      'var/run',
      'proc',
      'sys',
      'dev',
      'etc',
      'etc/ssl',
      'opt/dstack/bin',
      'opt/preflight',
    ].map((name) => ({ name, mode: name === 'tmp' ? 0o1777 : 0o755 })),
    { name: 'etc/passwd', mode: 0o644, text: 'root:x:0:0:root:/root:/bin/bash\n' },
    { name: 'etc/group', mode: 0o644, text: 'root:x:0:\n' },
    { name: 'etc/shadow', mode: 0o600, text: 'root:*:19000:0:99999:7:::\n' },
    { name: 'opt/dstack/bin/dstack-util', mode: 0o755, text: DSTACK_UTIL_STUB },
    { name: 'opt/dstack/bin/tdxctl', mode: 0o755, text: DSTACK_UTIL_STUB },
  ];
  if (needsComposeShim) {
    files.push({ name: 'root/.docker', mode: 0o755 }, { name: 'root/.docker/cli-plugins', mode: 0o755 });
    files.push({ name: 'root/.docker/cli-plugins/docker-compose', mode: 0o755, text: COMPOSE_V1_SHIM });
  }
  return files;
}

/** Build the sandbox image once per content (cached on the engine); returns its tag. */
export async function sandboxImage(engine: Engine): Promise<string> {
  const needsShim = !COMPOSE_PLUGIN_DIRS.some((d) => existsSync(`${d}/docker-compose`));
  const files = rootFiles(needsShim);
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.name}\0${f.mode}\0${f.text ?? ''}\0`);
  const tag = `${SANDBOX_IMAGE_REPO}:${hash.digest('hex').slice(0, 16)}`;
  if ((await engine.run(['image', 'inspect', '--format', '{{.Id}}', tag])).code === 0) return tag;

  const tar = pack();
  for (const f of files) {
    if (f.text === undefined) tar.entry({ name: f.name, type: 'directory', mode: f.mode });
    else tar.entry({ name: f.name, mode: f.mode }, f.text);
  }
  tar.finalize();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      'docker',
      ['import', '--change', `ENV PATH=${SANDBOX_PATH}`, '--change', 'LABEL io.preflight.sandbox=1', '-', tag],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`docker import of the sandbox image failed: ${err.trim()}`)),
    );
    tar.pipe(child.stdin);
  });
  return tag;
}

/**
 * The host tool folders that exist here, as read-only bind mounts, and the Compose v2 plugin of the
 * user's DOCKER_CONFIG (not under /usr), so `docker compose` in the script is the one the drill runs.
 */
export function hostToolMounts(env: NodeJS.ProcessEnv = process.env): string[] {
  const mounts = HOST_TOOL_DIRS.filter((d) => existsSync(d)).flatMap((d) => ['-v', `${d}:${d}:ro`]);
  const plugin = env.DOCKER_CONFIG ? `${env.DOCKER_CONFIG}/cli-plugins/docker-compose` : undefined;
  if (plugin && existsSync(plugin)) mounts.push('-v', `${plugin}:/root/.docker/cli-plugins/docker-compose:ro`);
  return mounts;
}

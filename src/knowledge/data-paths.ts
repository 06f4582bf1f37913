/**
 * What container paths look like, for rules that must guess whether a mount holds data
 * (tmpfs-data, anonymous-volume, host-path-volatile). Matched per path segment, case-insensitively.
 * Source: naming conventions of the images in stateful-images.ts and the compose files in the corpus.
 */

/** A path with one of these segments probably holds data worth keeping. */
export const DATA_SEGMENTS: string[] = [
  'data',
  'db',
  'dbdata',
  'database',
  'databases',
  'storage',
  'store',
  'upload',
  'uploads',
  'media',
  'persist',
  'persistent',
  'state',
  'backup',
  'backups',
  'pgdata',
  'files',
  'blobs',
  'repositories',
  'userdata',
  'user-data',
  'appdata',
  'app-data',
  'volumes',
  'keys',
  'wallet',
  'wallets',
  'chaindata',
  'certs',
  'acme',
];

/**
 * Container paths below these directories conventionally hold state (FHS: /var/lib is "variable state information").
 */
export const DATA_PREFIXES: string[] = ['/var/lib', '/srv'];

/**
 * A path with one of these segments holds something the app can rebuild: caches, build output, runtime files, logs.
 * Losing it at a restart is expected, so mounts there are not reported as data loss.
 */
export const THROWAWAY_SEGMENTS: string[] = [
  'tmp',
  'temp',
  '.tmp',
  'cache',
  '.cache',
  'caches',
  'node_modules',
  '__pycache__',
  '.next',
  '.nuxt',
  'run',
  'log',
  'logs',
  'pg_stat_tmp',
  'sockets',
  'lock',
  'locks',
  'pids',
  'vendor',
];

/** Throwaway top-level paths (FHS: runtime and cache data). */
export const THROWAWAY_PREFIXES: string[] = [
  '/tmp',
  '/run',
  '/var/run',
  '/var/cache',
  '/var/tmp',
  '/var/log',
  '/dev/shm',
];

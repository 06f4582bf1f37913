/**
 * Programs that decide who receives SIGTERM in a container (for shell-pid1).
 * Source: https://docs.docker.com/reference/dockerfile/#shell-and-exec-form (the shell form does not pass signals),
 * https://github.com/krallin/tini, https://github.com/Yelp/dumb-init.
 */

/** Shells that run a `-c` script (as PID 1 they ignore SIGTERM unless the script traps it). */
export const SHELLS: string[] = ['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh', 'busybox'];

/**
 * Init programs that run as PID 1 and forward signals to their child (what `init: true` adds).
 * Source: each project's README.
 */
export const INIT_WRAPPERS: string[] = [
  'tini',
  'tini-static',
  'docker-init',
  'dumb-init',
  'catatonit',
  's6-svscan',
  'runsvdir',
  'supervisord',
  'pm2-runtime',
  // s6-overlay's entrypoint (https://github.com/just-containers/s6-overlay)
  'init',
];

/** Programs that exec their arguments after setting something up: PID 1 is what follows them. */
export const EXEC_PREFIXES: {
  program: string /** arguments the prefix itself takes before the command */;
  fixedArgs: number;
}[] = [
  { program: 'env', fixedArgs: 0 },
  { program: 'gosu', fixedArgs: 1 },
  { program: 'su-exec', fixedArgs: 1 },
  { program: 'exec', fixedArgs: 0 },
];

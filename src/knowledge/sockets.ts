/**
 * Host sockets a CVM offers to containers, and what mounting each one means.
 * Paths are host paths as written in a bind mount's source; `/var/run` is a symlink to `/run`
 * in the guest, so both spellings name the same socket.
 */
export type SocketKind = 'dstack' | 'tappd' | 'docker';

export interface SpecialSocket {
  kind: SocketKind;
  /** Host paths of the socket file. */
  paths: string[];
  /** Host directories that hold the socket: mounting one hands over the socket too. */
  parentDirs?: string[];
  /** The guest agent (key derivation, quotes): using it means the app relies on the key provider. */
  guestAgent: boolean;
  source: string;
}

export const SPECIAL_SOCKETS: SpecialSocket[] = [
  {
    kind: 'dstack',
    paths: ['/var/run/dstack.sock', '/run/dstack.sock'],
    guestAgent: true,
    source: 'docs/platform.md#guest-agent: /var/run/dstack.sock serves the current API (DstackGuest)',
  },
  {
    kind: 'tappd',
    paths: ['/var/run/tappd.sock', '/run/tappd.sock'],
    guestAgent: true,
    source: 'docs/platform.md#guest-agent: /var/run/tappd.sock serves the legacy API (/prpc/Tappd.*)',
  },
  {
    kind: 'docker',
    paths: ['/var/run/docker.sock', '/run/docker.sock'],
    parentDirs: ['/var/run', '/run'],
    guestAgent: false,
    source:
      'docs/platform.md#guest-agent: mounting docker.sock hands a container the Docker API, hence every other ' +
      'container and its secrets',
  },
];

/**
 * The lock file dstack keeps beside a socket; mounting it instead of the socket gives the container nothing to talk
 * to. Source: docs/platform.md#guest-agent (Rocket's listener keeps it beside the socket).
 */
export const SOCKET_LOCK_SUFFIX = '.sock.lock';

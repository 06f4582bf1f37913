import type { Service } from '../../compose/types.js';
import { normalizePath } from '../../knowledge/paths.js';
import { SOCKET_LOCK_SUFFIX, SPECIAL_SOCKETS, type SpecialSocket } from '../../knowledge/sockets.js';

export interface SocketMount {
  /** Index in the service's `volumes` list. */
  index: number;
  socket: SpecialSocket;
  /** The host path mounted (the socket, or a directory that holds it). */
  source: string;
  /** True when a parent directory of the socket is mounted rather than the socket itself. */
  viaDir: boolean;
}

/** A bind mount's host path in the spelling the socket table uses. */
function hostPath(source: string | undefined): string | undefined {
  return source ? normalizePath(source) : undefined;
}

/** Bind mounts of the special sockets (dstack, tappd, docker), in volume order. */
export function socketMounts(svc: Service): SocketMount[] {
  const out: SocketMount[] = [];
  (svc.volumes ?? []).forEach((v, index) => {
    if (v.type !== 'bind') return;
    const source = hostPath(v.source);
    if (!source) return;
    for (const socket of SPECIAL_SOCKETS) {
      if (socket.paths.includes(source)) out.push({ index, socket, source, viaDir: false });
      else if (socket.parentDirs?.includes(source)) out.push({ index, socket, source, viaDir: true });
    }
  });
  return out;
}

/** Bind mounts of a socket's lock file (`*.sock.lock`) instead of the socket. */
export function socketLockMounts(svc: Service): { index: number; source: string }[] {
  const out: { index: number; source: string }[] = [];
  (svc.volumes ?? []).forEach((v, index) => {
    const source = hostPath(v.source);
    if (v.type === 'bind' && source?.endsWith(SOCKET_LOCK_SUFFIX)) out.push({ index, source });
  });
  return out;
}

/** Does the service mount the guest agent (dstack.sock or the legacy tappd.sock)? */
export function mountsGuestAgent(svc: Service): boolean {
  return socketMounts(svc).some((m) => m.socket.guestAgent && !m.viaDir);
}

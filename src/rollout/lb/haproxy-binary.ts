import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { LoadBalancerError } from './types.js';

/**
 * Finding the `haproxy` binary and what it can do. The managed configuration uses `retry-on` and
 * `http-request disable-l7-retry` (HAProxy 2.0); `add server` needs 2.5 (dynamic servers out of
 * experimental mode). Debian 12 ships 2.6.
 */
export const MIN_HAPROXY: HaproxyVersion = { major: 2, minor: 0, patch: 0, text: '2.0' };
export const MIN_HAPROXY_ADD_SERVER: HaproxyVersion = { major: 2, minor: 5, patch: 0, text: '2.5' };

export interface HaproxyVersion {
  major: number;
  minor: number;
  patch: number;
  /** As `haproxy -v` prints it, e.g. `2.6.12-1+deb12u4`. */
  text: string;
}

/** `PREFLIGHT_HAPROXY`, else Debian's `/usr/sbin/haproxy`, else the first `haproxy` on PATH; undefined when none. */
export function findHaproxy(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    env.PREFLIGHT_HAPROXY,
    '/usr/sbin/haproxy',
    ...(env.PATH ?? '').split(delimiter).map((d) => d && join(d, 'haproxy')),
  ];
  for (const c of candidates) {
    if (!c) continue;
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {}
  }
  return undefined;
}

/** Parse the first line of `haproxy -v` ("HAProxy version 2.6.12-1+deb12u4 2023/…"). */
export function parseHaproxyVersion(output: string): HaproxyVersion | undefined {
  const m = /HA-?Proxy version (\d+)\.(\d+)(?:\.(\d+))?(\S*)/i.exec(output);
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3] ?? 0),
    text: `${m[1]}.${m[2]}${m[3] ? `.${m[3]}` : ''}${m[4]}`,
  };
}

export function versionAtLeast(v: HaproxyVersion, min: HaproxyVersion): boolean {
  if (v.major !== min.major) return v.major > min.major;
  if (v.minor !== min.minor) return v.minor > min.minor;
  return v.patch >= min.patch;
}

/** Run `<binary> -v` (bounded) and parse it; fails naming the binary when it is not a usable HAProxy. */
export function haproxyVersion(binary: string): Promise<HaproxyVersion> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['-v'], { timeout: 5000, maxBuffer: 64 * 1024 }, (err, stdout) => {
      const v = parseHaproxyVersion(String(stdout));
      if (!v) {
        reject(
          new LoadBalancerError(
            `haproxy: '${binary} -v' did not print a version${err ? ` (${err.message.split('\n')[0]})` : ''}`,
          ),
        );
        return;
      }
      if (!versionAtLeast(v, MIN_HAPROXY)) {
        reject(
          new LoadBalancerError(
            `haproxy: ${binary} is version ${v.text}; Preflight needs ${MIN_HAPROXY.text} or later (retry-on)`,
          ),
        );
        return;
      }
      resolve(v);
    });
  });
}

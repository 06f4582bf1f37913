/**
 * Phala Cloud's default pre-launch script, recognised by the lines it opens and closes with (every
 * version from v0.0.4, 2025-06-18, to v0.0.19, 2026-08-14, in dstack-examples
 * `phala-cloud-prelaunch-script/prelaunch.sh`; docs/platform.md#pre-launch-script). Phala Cloud writes
 * it into the `pre_launch_script` of every CVM deployed without one, so an app-compose.json fetched
 * from a CVM carries it. It logs in to a registry, prunes, pulls, sets the root password and SSH keys
 * and exports DSTACK_APP_ID / DSTACK_GATEWAY_DOMAIN / DSTACK_APP_DOMAIN: nothing a container reads
 * when it starts (the exports reach `compose up`'s interpolation, which a restored container already
 * went through at its last boot).
 */
export const PHALA_DEFAULT_PRE_LAUNCH = {
  source:
    'https://github.com/Dstack-TEE/dstack-examples/blob/f9cc05ee808219bbcdd7ed4aa3fb340aedccb3a3/phala-cloud-pre' +
    'launch-script/prelaunch.sh',
  /** Its third line (after the shebang and a dashed banner). */
  opening: /^echo "Running Phala Cloud Pre-Launch Script (v\d+\.\d+\.\d+)"$/,
  /** Its second-last line, before a dashed banner: a script that goes on after it is someone's own. */
  closing: 'echo "Script execution completed"',
  /** How far into the script the opening line may be, and how near the end the closing one. */
  within: 3,
} as const;

/** The default script's version when `script` is Phala Cloud's default one, else undefined. */
export function phalaDefaultPreLaunchVersion(script: string): string | undefined {
  const lines = script
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const { opening, closing, within } = PHALA_DEFAULT_PRE_LAUNCH;
  const version = lines
    .slice(0, within + 1)
    .map((l) => opening.exec(l)?.[1])
    .find(Boolean);
  if (!version) return undefined;
  const tail = lines.slice(-within);
  const at = tail.indexOf(closing);
  if (at < 0 || tail.slice(at + 1).some((l) => !/^echo "-+"$/.test(l))) return undefined;
  return version;
}

import { ENV_LIMITS, printableKey } from '../secrets/limits.js';

/**
 * The decrypted env as the guest keeps it (docs/platform.md#secrets, `parse_env`): entries whose
 * name `allowed_envs` lacks are dropped with only a warning in the guest log; over 1,024 entries in
 * all, or a kept entry with a bad name, an oversized name or value, or kept names and values over
 * 1 MiB together, fail the boot. `allowed` undefined: Phala Cloud sets allowed_envs to exactly the
 * keys sent, so nothing is dropped.
 */
export interface GuestEnv {
  kept: Map<string, string>;
  /** Names only, in the env file's order. */
  dropped: string[];
  /** Why the guest refuses the env (the boot fails), if it does. Names only, never values. */
  error?: string;
}

export function guestEnv(env: ReadonlyMap<string, string>, allowed: readonly string[] | undefined): GuestEnv {
  const kept = new Map<string, string>();
  const dropped: string[] = [];
  if (env.size > ENV_LIMITS.maxItems)
    return {
      kept,
      dropped,
      error: `the env has ${env.size} entries; the guest accepts at most ${ENV_LIMITS.maxItems}`,
    };
  const allow = allowed ? new Set(allowed) : undefined;
  let total = 0;
  for (const [name, value] of env) {
    if (allow && !allow.has(name)) {
      dropped.push(name);
      continue;
    }
    const nameBytes = Buffer.byteLength(name, 'utf8');
    const valueBytes = Buffer.byteLength(value, 'utf8');
    if (!ENV_LIMITS.namePattern.test(name))
      return { kept, dropped, error: `env name ${printableKey(name)} is not a valid variable name` };
    if (nameBytes > ENV_LIMITS.maxNameBytes)
      return { kept, dropped, error: `env name ${printableKey(name)} is over ${ENV_LIMITS.maxNameBytes} bytes` };
    if (valueBytes > ENV_LIMITS.maxValueBytes)
      return {
        kept,
        dropped,
        error:
          `the value of ${printableKey(name)} is ${valueBytes} bytes; the guest accepts at ` +
          `most ${ENV_LIMITS.maxValueBytes}`,
      };
    total += nameBytes + valueBytes;
    kept.set(name, value);
  }
  if (total > ENV_LIMITS.maxTotalBytes)
    return {
      kept,
      dropped,
      error: `the kept names and values are ${total} bytes; the guest accepts at most ${ENV_LIMITS.maxTotalBytes}`,
    };
  return { kept, dropped };
}

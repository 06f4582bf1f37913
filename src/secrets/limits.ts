/**
 * What the dstack guest accepts from the decrypted env (docs/platform.md#secrets): boot fails
 * past these limits, so we refuse before encrypting. Errors name the key, never the value.
 */
import { InputError } from '../util/errors.js';

export interface EnvVar {
  key: string;
  value: string;
}

export const ENV_LIMITS = {
  namePattern: /^[a-zA-Z_][a-zA-Z0-9_]*$/,
  maxNameBytes: 255,
  maxValueBytes: 128 * 1024,
  maxItems: 1024,
  maxTotalBytes: 1024 * 1024,
} as const;

/** A key name safe to print in a message (names are not secret, but can be absurdly long). */
export function printableKey(key: string): string {
  const shown = key.length > 60 ? `${key.slice(0, 60)}…` : key;
  return JSON.stringify(shown);
}

/**
 * Checks every rule and returns the variables with exact duplicates removed (first one kept).
 * `where` optionally gives the source of a key (e.g. env-file line) for the error message.
 */
export function validateEnvVars(
  vars: readonly EnvVar[],
  where: (key: string) => { file?: string; line?: number } = () => ({}),
): EnvVar[] {
  const seen = new Map<string, string>();
  const unique: EnvVar[] = [];
  let total = 0;
  for (const { key, value } of vars) {
    const at = where(key);
    if (typeof value !== 'string') throw new InputError(`the value of ${printableKey(key)} is not a string`, at);
    // The one place every command's secret set is checked: a NUL cannot be in a process environment.
    if (value.includes('\0')) throw new InputError(`the value of ${printableKey(key)} holds a NUL byte`, at);
    if (key.includes('\0')) throw new InputError('a variable name holds a NUL byte', at);
    const nameBytes = Buffer.byteLength(key, 'utf8');
    if (nameBytes > ENV_LIMITS.maxNameBytes) {
      throw new InputError(
        `the name ${printableKey(key)} is ${nameBytes} bytes; the CVM accepts at most ${ENV_LIMITS.maxNameBytes}`,
        at,
      );
    }
    if (!ENV_LIMITS.namePattern.test(key)) {
      throw new InputError(
        `${printableKey(key)} is not a valid variable name for the CVM (must match ^[a-zA-Z_][a-zA-Z0-9_]*$)`,
        at,
      );
    }
    const valueBytes = Buffer.byteLength(value, 'utf8');
    if (valueBytes > ENV_LIMITS.maxValueBytes) {
      throw new InputError(
        `the value of ${printableKey(key)} is ${valueBytes} bytes; the CVM accepts at ` +
          `most ${ENV_LIMITS.maxValueBytes} (128 KiB)`,
        at,
      );
    }
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      if (earlier !== value) throw new InputError(`${printableKey(key)} is given twice with different values`, at);
      continue;
    }
    seen.set(key, value);
    unique.push({ key, value });
    total += nameBytes + valueBytes;
    // Name the key that crosses the line, so the user knows where the set became too big.
    if (unique.length > ENV_LIMITS.maxItems) {
      throw new InputError(
        `${printableKey(key)} is variable number ${unique.length}; the CVM accepts at most ${ENV_LIMITS.maxItems}`,
        at,
      );
    }
    if (total > ENV_LIMITS.maxTotalBytes) {
      throw new InputError(
        `with ${printableKey(key)} the variables total ${total} bytes (names + values); the CVM accepts at ` +
          `most ${ENV_LIMITS.maxTotalBytes} (1 MiB)`,
        at,
      );
    }
  }
  return unique;
}

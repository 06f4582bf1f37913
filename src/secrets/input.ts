/**
 * The secret set a command works on: an env file (the project's dotenv parser) and/or `KEY=VALUE`
 * arguments. Keeps where each key came from, for error messages that name a place, never a value.
 */
import { UsageError } from '../util/errors.js';
import { readInputFile } from '../util/read-file.js';
import { parseDotenv } from '../compose/dotenv.js';
import { validateEnvVars, type EnvVar } from './limits.js';

export interface SecretInput {
  vars: EnvVar[];
  /** Where each key was given: `file:line` or `argument N`. */
  origin: Map<string, { file?: string; line?: number; argument?: number }>;
  /** Human-readable warnings (names only), e.g. unset `$X` inside an unquoted value. */
  warnings: string[];
}

export interface SecretInputOptions {
  envFile?: string;
  assignments?: string[];
  /** Environment used by the dotenv parser for bare `KEY` lines and `${X}`; default process.env. */
  lookup?: (name: string) => string | undefined;
}

export function readSecretInput(opts: SecretInputOptions): SecretInput {
  const vars: EnvVar[] = [];
  const origin: SecretInput['origin'] = new Map();
  const warnings: string[] = [];
  if (opts.envFile) {
    const text = readInputFile(opts.envFile, { what: 'env file' });
    for (const e of parseDotenv(text, opts.envFile, { lookup: opts.lookup })) {
      vars.push({ key: e.key, value: e.value });
      if (!origin.has(e.key)) origin.set(e.key, { file: opts.envFile, line: e.line });
      for (const name of e.unresolved ?? []) {
        warnings.push(
          `${opts.envFile}:${e.line}: the value of ${e.key} refers to $${name}, which is unset, so it became ` +
            `empty there; single-quote the value to keep a literal $`,
        );
      }
    }
  }
  (opts.assignments ?? []).forEach((arg, i) => {
    const eq = arg.indexOf('=');
    // Never echo the argument: without `=`, it might be a bare secret value.
    if (eq <= 0) throw new UsageError(`argument ${i + 1} is not of the form KEY=VALUE`);
    const key = arg.slice(0, eq);
    vars.push({ key, value: arg.slice(eq + 1) });
    if (!origin.has(key)) origin.set(key, { argument: i + 1 });
  });
  return { vars, origin, warnings };
}

/** Validates against the CVM's limits; errors point at the env-file line when there is one. */
export function validatedVars(input: SecretInput): EnvVar[] {
  return validateEnvVars(input.vars, (key) => {
    const o = input.origin.get(key);
    return o?.file ? { file: o.file, line: o.line } : {};
  });
}

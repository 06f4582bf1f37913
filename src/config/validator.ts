import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { generatedValidator } from '../util/generated-validators.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

/** The schema editors use too (`# yaml-language-server: $schema=…`), shipped in the package. */
export const CONFIG_SCHEMA_FILE = join(packageRoot, 'schema', 'preflight.schema.json');

let validator: ValidateFunction | undefined;

/**
 * The `.preflight.yml` validator: compiled at build time (scripts/build-schema-validator.mjs) or,
 * when that module is missing, compiled now from the same schema. `verbose` keeps each error's
 * schema, whose `x-expected` annotation words the message.
 */
export function configValidator(): ValidateFunction {
  if (validator) return validator;
  validator = generatedValidator('preflight-config-validator');
  if (validator) return validator;
  const Ajv = require('ajv');
  const ajv = new (Ajv.default ?? Ajv)({ allErrors: true, strict: false, verbose: true });
  ajv.addVocabulary(['x-expected']);
  validator = ajv.compile(JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8'))) as ValidateFunction;
  return validator;
}

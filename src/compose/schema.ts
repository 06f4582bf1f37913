import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import type { LNode } from '../yaml/located.js';
import { generatedValidator } from '../util/generated-validators.js';
import { explainErrors, type SchemaProblem } from '../yaml/schema-errors.js';

export type { SchemaProblem };

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

let composeValidator: ValidateFunction | undefined;

/**
 * The compose-spec validator: the standalone module compiled at build time
 * (scripts/build-schema-validator.mjs), or, when it is missing, the vendored schema compiled now.
 */
function getComposeValidator(): ValidateFunction {
  if (composeValidator) return composeValidator;
  composeValidator = generatedValidator('compose-validator');
  if (!composeValidator) {
    const Ajv = require('ajv');
    const ajv = new (Ajv.default ?? Ajv)({ allErrors: true, strict: false, validateSchema: false });
    composeValidator = ajv.compile(
      JSON.parse(readFileSync(join(packageRoot, 'schema', 'compose-spec.json'), 'utf8')),
    ) as ValidateFunction;
  }
  return composeValidator;
}

/** Validate one compose file (interpolated, before normalisation) against the compose spec. */
export function validateCompose(plain: unknown, root: LNode): SchemaProblem[] {
  const validate = getComposeValidator();
  if (validate(plain)) return [];
  return explainErrors(validate.errors ?? [], root);
}

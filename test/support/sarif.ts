import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';

/**
 * Validator for the official OASIS SARIF 2.1.0 schema (vendored in test/fixtures/sarif, see SOURCE.md).
 * The schema is draft-04, so it needs ajv's draft-04 class; formats (uri, date-time) are checked too.
 */
const require = createRequire(import.meta.url);
const schemaPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json');

let compiled: ValidateFunction | undefined;

export function sarifValidator(): ValidateFunction {
  if (compiled) return compiled;
  const AjvDraft04 = require('ajv-draft-04');
  const addFormats = require('ajv-formats');
  const ajv = new (AjvDraft04.default ?? AjvDraft04)({ allErrors: true, strict: false });
  (addFormats.default ?? addFormats)(ajv);
  compiled = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8'))) as ValidateFunction;
  return compiled;
}

/** Schema errors of a SARIF log, as readable lines (empty when valid). */
export function sarifErrors(log: unknown): string[] {
  const validate = sarifValidator();
  if (validate(log)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`,
  );
}

// Compiles the vendored compose-spec JSON schema to a standalone validator module at build time,
// so `preflight check` does not pay ajv's ~300 ms schema compilation on every run.
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = JSON.parse(readFileSync(join(root, 'schema/compose-spec.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, code: { source: true } });
const validate = ajv.compile(schema);
const out = join(root, 'generated/compose-validator.cjs');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, standaloneCode.default(ajv, validate));
console.log(`wrote ${out}`);

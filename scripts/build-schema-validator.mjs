// Compiles the vendored compose-spec schema and Preflight's own .preflight.yml schema to standalone
// validator modules at build time, so commands do not pay ajv's schema compilation on every run
// (~300 ms for the compose spec).
import { transformSync } from 'esbuild';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function compile(schemaFile, outFile, options = {}, vocabulary = []) {
  const schema = JSON.parse(readFileSync(join(root, schemaFile), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false, code: { source: true }, ...options });
  if (vocabulary.length) ajv.addVocabulary(vocabulary);
  const validate = ajv.compile(schema);
  const out = join(root, outFile);
  mkdirSync(dirname(out), { recursive: true });
  // Minified: every `check` parses this module at start-up, and the compose spec's is 400 KB as ajv
  // writes it (issue 14 start-up targets; the source of truth stays the schema file).
  const code = standaloneCode.default(ajv, validate);
  writeFileSync(out, transformSync(code, { minify: true, format: 'cjs', platform: 'node', target: 'node20' }).code);
  console.log(`wrote ${out}`);
}

compile('schema/compose-spec.json', 'generated/compose-validator.cjs', { validateSchema: false });
// `verbose` keeps each error's schema: its `x-expected` annotation words the message.
compile('schema/preflight.schema.json', 'generated/preflight-config-validator.cjs', { verbose: true }, ['x-expected']);

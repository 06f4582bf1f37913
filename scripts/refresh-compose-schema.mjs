// Refreshes the vendored compose-spec schema (schema/compose-spec.json) from the compose-spec
// repository. Run by hand when the spec moves; review the diff, then `npm run build`.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const url =
  process.argv[2] ?? 'https://raw.githubusercontent.com/compose-spec/compose-spec/main/schema/compose-spec.json';
const res = await fetch(url);
if (!res.ok) {
  console.error(`refresh-compose-schema: ${url} answered ${res.status}`);
  process.exit(2);
}
const text = await res.text();
JSON.parse(text); // refuse to write something that is not JSON
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema/compose-spec.json');
writeFileSync(out, text);
console.log(`updated ${out} from ${url}`);

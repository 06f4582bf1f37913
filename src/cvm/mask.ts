import { classifyValue, findSecretInText, isSecretLikeName } from '../knowledge/secret-detect.js';

/**
 * Env values worth looking for in text (the shared detectors of src/knowledge/secret-detect.ts decide):
 * any value of a secret-like name, or a value that looks like a secret under another name. Short or
 * common values (`true`, a port) would match ordinary text and prove nothing.
 */
export function worthScanning(name: string, value: string): boolean {
  if (value.length < 4) return false;
  const c = classifyValue(value);
  if (c.kind === 'boolean' || c.kind === 'number' || c.kind === 'reference') return false;
  if (isSecretLikeName(name)) return value.length >= 6;
  return c.looksSecret;
}

/** `text` with every env secret value and every provider-pattern secret replaced by its name. */
export function maskSecrets(text: string, env: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [k, v] of env) if (worthScanning(k, v)) out = out.split(v).join(`<${k}>`);
  for (const m of findSecretInText(out).reverse())
    out = out.slice(0, m.index) + `<${m.what}>` + out.slice(m.index + m.length);
  return out;
}

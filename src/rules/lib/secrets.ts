/**
 * What the `secrets` rules share: the text a value was written as (before interpolation), the
 * verdict on a `KEY: value` pair, and narrow locations inside a scalar. The detectors themselves
 * are src/knowledge/secret-detect.ts (shared with `preflight secrets plan`); this file only applies them.
 */
import type { VarRef } from '../../compose/interpolate.js';
import type { LNode, Location } from '../../yaml/located.js';
import type { Project } from '../../compose/project.js';
import { classifyValue, findSecretInText, isSecretLikeName, redact } from '../../knowledge/secret-detect.js';
import type { RelatedLocation, Severity } from '../../findings/types.js';
import { Who } from '../who.js';

/**
 * The text of a scalar as written in the compose file (`${VAR}` not yet substituted), or
 * undefined for missing, null, number and boolean values (YAML-typed values are not secrets).
 */
export function writtenText(node: LNode | undefined): string | undefined {
  if (node?.kind !== 'scalar' || node.value === null) return undefined;
  if (node.raw !== undefined) return node.raw;
  return typeof node.value === 'string' ? node.value : undefined;
}

export interface LiteralSecret {
  /** What it looks like, for the message ("GitHub token", "literal value"). */
  what: string;
  /** Redacted preview, safe to print. */
  preview: string;
  severity: Severity;
  /** Offset of the secret inside the written text, when it is part of it. */
  index: number;
  length: number;
}

const PATH_OR_ADDRESS = /^(?:\.{0,2}\/|~\/|[a-z][a-z0-9+.-]*:\/\/)[^\s]*$/i;

// Placeholders that mean "no value" rather than "a value to replace": not a weak password.
const NO_VALUE_PLACEHOLDER = /^(?:null|none|nil|undefined|empty)$/i;

/**
 * The literal credential in `name: text` (environment, labels, build args), if any:
 * a provider token or a URL with a password under any name; under a credential-shaped name any
 * literal that is not a reference, boolean, number or empty (a placeholder like `changeme` is a
 * weak, published password: a warning).
 */
export function literalSecretInPair(name: string, text: string): LiteralSecret | undefined {
  const v = text.trim();
  if (v === '') return undefined;
  const c = classifyValue(v);
  const at = (what: string, severity: Severity): LiteralSecret => ({
    what,
    preview: redact(v),
    severity,
    index: text.indexOf(v),
    length: v.length,
  });
  if (c.kind === 'provider' || c.kind === 'url-credentials') {
    // Point at the token itself when it is part of a longer text.
    const inText = findSecretInText(text)[0];
    const what = c.provider ?? 'secret';
    return inText
      ? { what, preview: inText.preview, severity: 'error', index: inText.index, length: inText.length }
      : at(what, 'error');
  }
  if (isSecretLikeName(name)) {
    if (c.kind === 'high-entropy') return at('random-looking literal', 'error');
    if (c.kind === 'placeholder')
      return NO_VALUE_PLACEHOLDER.test(v) ? undefined : at('placeholder literal', 'warning');
    if (c.kind === 'text') {
      // A path (`/run/secrets/db-password`) or an address without credentials names where the
      // secret is, like the `_FILE` convention; it is not the secret.
      if (PATH_OR_ADDRESS.test(v)) return undefined;
      // Text with references (`user:${PASS}@host`) holds a literal secret only in its literal parts.
      if (/\$\{|\$[A-Za-z_]/.test(v.replace(/\$\$/g, ''))) return fromText(text);
      return at('literal value', 'error');
    }
    return undefined;
  }
  return fromText(text);
}

/** The `what` of a LiteralSecret as words for a message: "a literal GitHub token", "a random-looking value". */
export function describeSecret(what: string): string {
  if (what === 'literal value') return 'a literal value';
  if (what === 'random-looking literal') return 'a random-looking literal value';
  if (what === 'placeholder literal') return 'a placeholder value';
  if (what.endsWith(' flag') || what.endsWith(' assignment')) return `a literal secret in a ${what}`;
  return `a literal ${what}`;
}

/** Secrets inside free text (commands, healthchecks, text with references). */
function fromText(text: string): LiteralSecret | undefined {
  const m = findSecretInText(text)[0];
  return m ? { what: m.what, preview: m.preview, severity: 'error', index: m.index, length: m.length } : undefined;
}

/**
 * The location of `length` characters at `index` of a scalar written as `written`, when the
 * scalar sits on one line and its source text contains `written` verbatim; else the scalar's own.
 */
export function locationInScalar(
  project: Project,
  loc: Location,
  written: string,
  index: number,
  length: number,
): Location {
  const text = project.sources.get(loc.file)?.text;
  if (!text || loc.line !== loc.endLine) return loc;
  const slice = text.slice(loc.offset, loc.endOffset);
  const at = slice.indexOf(written);
  if (at < 0 || index < 0) return loc;
  const offset = loc.offset + at + index;
  const column = loc.column + at + index;
  return { ...loc, column, endColumn: column + length, offset, endOffset: offset + length };
}

/** Where `${NAME` (or `$NAME`) of a reference is written, else the scalar holding it. */
export function refLocation(project: Project, ref: VarRef): Location {
  const text = project.sources.get(ref.loc.file)?.text;
  if (!text || ref.loc.line !== ref.loc.endLine) return ref.loc;
  const slice = text.slice(ref.loc.offset, ref.loc.endOffset);
  // The name as text, not a pattern: a mangled one (`K\u00c3(EY`) is no valid regular expression.
  const name = ref.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`\\$\\{${name}(?![A-Za-z0-9_])|\\$${name}(?![A-Za-z0-9_])`).exec(slice);
  if (!m) return ref.loc;
  const offset = ref.loc.offset + m.index;
  const column = ref.loc.column + m.index;
  return { ...ref.loc, column, endColumn: column + m[0].length, offset, endOffset: offset + m[0].length };
}

/**
 * The deployment's allowed_envs when it is known: written in app-compose.json or in
 * `.preflight.yml` `deployment.allowed_envs`. Phala Cloud's default is "set from the keys you
 * send", which tells nothing.
 */
export function knownAllowedEnvs(project: Project): { names: string[]; loc: Location } | undefined {
  const d = project.deployment;
  const loc = d.locations.allowed_envs;
  if (d.source === 'phala-cloud-defaults' || !loc || !d.settings.allowed_envs) return undefined;
  return { names: d.settings.allowed_envs, loc };
}

/**
 * A variable's references, each once: a value written in an anchor or `x-` block is reached once
 * where it is written (no service) and once per service that takes it; the service-less one goes
 * when a service has the same place, and services come first (the finding names one).
 */
export function distinctRefs(refs: readonly VarRef[]): VarRef[] {
  const place = (r: VarRef) => `${r.loc.file}:${r.loc.offset}`;
  const withService = new Set(refs.filter((r) => r.service !== undefined).map(place));
  const kept = refs.filter((r) => r.service !== undefined || !withService.has(place(r)));
  return [...kept.filter((r) => r.service !== undefined), ...kept.filter((r) => r.service === undefined)];
}

/** Every reference of a variable as a related location (the finding points at the first). */
export function relatedRefs(project: Project, refs: readonly VarRef[]): RelatedLocation[] {
  return refs.map((r) => {
    const at = refLocation(project, r);
    return { file: at.file, line: at.line, column: at.column, ...(r.service !== undefined && { service: r.service }) };
  });
}

/**
 * `service "web" references ${DB_PASSWORD}`, `services "web" and "worker" reference ${DB_PASSWORD}
 * (3 references)`, `service "db" passes POSTGRES_PASSWORD through`: who refers to a variable, once.
 */
export function sayReferences(name: string, refs: readonly VarRef[]): string {
  const services = [...new Set(refs.flatMap((r) => (r.service !== undefined ? [r.service] : [])))];
  const places = new Set(refs.map((r) => `${r.loc.file}:${r.loc.offset}`)).size;
  const count = places > 1 ? ` (${places} references)` : '';
  const first = refs[0]!;
  if (refs.length === 1 && first.via === 'secret-environment')
    return `secret "${String(first.path[1])}" reads ${name} from the environment`;
  if (!services.length) return `the compose file references \${${name}}${count}`;
  const who = new Who(services);
  if (refs.length === 1 && first.via === 'pass-through') return `${who} ${who.v('passes', 'pass')} ${name} through`;
  return `${who} ${who.v('references', 'reference')} \${${name}}${count}`;
}

import { dirname, resolve } from 'node:path';
import { InputError } from '../util/errors.js';
import type { LMap, LNode, Location } from '../yaml/located.js';
import type { SchemaProblem } from '../yaml/schema-errors.js';
import { mergeNodes } from './merge.js';

/** A file the audit read that the CVM never gets (only the compose YAML is shipped). */
export interface LocalFileReference {
  kind: 'include' | 'extends';
  /** The path as written. */
  path: string;
  /** Where it is written (the `include:` item or the `extends.file` value). */
  loc: Location;
  service?: string;
}

/** The top-level sections an included file adds to the including one. */
const RESOURCES = ['services', 'volumes', 'networks', 'secrets', 'configs'] as const;

/**
 * Compose's top-level `include:` (compose-spec "include"): each entry (a path, or `{path}` with one
 * path or a list merged in order) is loaded as a compose file of its own, relative to the including
 * file, its own includes first; its services, volumes, networks, secrets and configs are added to
 * the including file. A name both define is refused by Compose ("services.db conflicts with
 * imported resource"): a problem, and the including file's definition is kept. The `include` key is
 * removed from the model; the files are returned so the audit can say they are not shipped.
 * Included files are interpolated with the project's variables (Compose would also read an
 * `env_file` the entry names; a CVM has none of these files anyway).
 */
export function resolveIncludes(
  root: LMap,
  fileDir: string,
  loadFile: (absPath: string, from: Location) => LMap,
  problems: SchemaProblem[],
  trail: string[] = [],
): LocalFileReference[] {
  const include = root.entries.get('include');
  if (!include) return [];
  root.entries.delete('include');
  const refs: LocalFileReference[] = [];
  const items = include.node.kind === 'seq' ? include.node.items : [];
  for (const item of items) {
    const paths = includePaths(item);
    let merged: LNode | undefined;
    for (const { path, loc } of paths) {
      refs.push({ kind: 'include', path, loc });
      const abs = resolve(fileDir, path);
      if (trail.includes(abs))
        throw new InputError(`include: cycle through ${path}`, { file: loc.file, line: loc.line, column: loc.column });
      const included = loadFile(abs, loc);
      refs.push(...resolveIncludes(included, dirname(abs), loadFile, problems, [...trail, abs]));
      merged = merged ? mergeNodes(merged, included) : included;
    }
    if (merged?.kind === 'map') addResources(root, merged, problems);
  }
  return refs;
}

function includePaths(item: LNode): { path: string; loc: Location }[] {
  if (item.kind === 'scalar' && typeof item.value === 'string') return [{ path: item.value, loc: item.loc }];
  if (item.kind !== 'map') return [];
  const p = item.entries.get('path')?.node;
  if (p?.kind === 'scalar' && typeof p.value === 'string') return [{ path: p.value, loc: p.loc }];
  if (p?.kind === 'seq')
    return p.items.flatMap((i) =>
      i.kind === 'scalar' && typeof i.value === 'string' ? [{ path: i.value, loc: i.loc }] : [],
    );
  return [];
}

function addResources(root: LMap, included: LMap, problems: SchemaProblem[]): void {
  for (const section of RESOURCES) {
    const from = included.entries.get(section);
    if (from?.node.kind !== 'map') continue;
    let into = root.entries.get(section);
    if (into?.node.kind !== 'map') {
      into = { keyLoc: into?.keyLoc ?? from.keyLoc, node: { kind: 'map', entries: new Map(), loc: from.node.loc } };
      root.entries.set(section, into);
    }
    const target = into.node as LMap;
    for (const [name, e] of from.node.entries) {
      const own = target.entries.get(name);
      if (own) {
        problems.push({
          message:
            `${section}.${name} is defined here and in an included file (${e.keyLoc.file}); Compose refuses the ` +
            `project ("conflicts with imported resource")`,
          loc: own.keyLoc,
          path: `/${section}/${name}`,
        });
        continue;
      }
      target.entries.set(name, e);
    }
  }
}

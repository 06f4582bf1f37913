import { resolve } from 'node:path';
import { InputError } from '../util/errors.js';
import { cloneNode, nodeAt, type LMap, type LNode, type Location } from '../yaml/located.js';
import type { LocalFileReference } from './include.js';
import { mergeNodes } from './merge.js';

/** Longer `extends` chains are refused (compose has no limit; no real project comes near, a hostile one recurses). */
export const MAX_EXTENDS_DEPTH = 64;
/** Nodes `extends` may copy in one project: bounds fan-out (many services extending a large one). */
export const MAX_EXTENDS_NODES = 200_000;

/** Counts nodes `extends` copies across a project, so fan-out cannot multiply a file without bound. */
export class ExtendsBudget {
  private left = MAX_EXTENDS_NODES;
  spend(node: LNode, at: Location): void {
    this.left -= countNodes(node);
    if (this.left < 0)
      throw new InputError(`extends copies more than ${MAX_EXTENDS_NODES} values in this project (fan-out too large)`, {
        file: at.file,
        line: at.line,
        column: at.column,
      });
  }
}

/**
 * Resolve `extends` in one file's services, within the file and across files (`extends.file`,
 * relative to the extending file). The extending service's own keys win, merged with compose rules.
 * Returns each `extends.file` followed: the CVM gets only the compose file, not the file it names.
 */
export function resolveExtends(
  root: LMap,
  fileDir: string,
  loadFile: (absPath: string) => LMap,
  budget = new ExtendsBudget(),
): LocalFileReference[] {
  const refs: LocalFileReference[] = [];
  const services = root.entries.get('services')?.node;
  if (services?.kind !== 'map') return refs;
  const resolving = new Set<string>();
  const resolveService = (svcRoot: LMap, dir: string, name: string, trail: string[]): LMap => {
    const servicesNode = svcRoot.entries.get('services')?.node;
    const entry = servicesNode?.kind === 'map' ? servicesNode.entries.get(name) : undefined;
    if (entry?.node.kind !== 'map') {
      throw new InputError(`extends: no service "${shown(name)}"${trail.length ? ` (from ${trailText(trail)})` : ''}`, {
        file: svcRoot.loc.file,
        line: svcRoot.loc.line,
      });
    }
    const svc = entry.node;
    const ext = svc.entries.get('extends');
    if (!ext) return svc;
    const where = { file: ext.keyLoc.file, line: ext.keyLoc.line, column: ext.keyLoc.column };
    const spec = extendsSpec(ext.node, where);
    const key = `${svcRoot.loc.file}:${name}`;
    if (resolving.has(key)) throw new InputError(`extends: cycle through service "${shown(name)}"`, where);
    if (trail.length >= MAX_EXTENDS_DEPTH)
      throw new InputError(`extends: a chain of more than ${MAX_EXTENDS_DEPTH} services`, where);
    resolving.add(key);
    let baseRoot = svcRoot;
    let baseDir = dir;
    if (spec.file !== undefined) {
      const fileLoc = nodeAt(ext.node, ['file']).node?.loc ?? ext.keyLoc;
      refs.push({ kind: 'extends', path: spec.file, loc: fileLoc, service: name });
      const abs = resolve(dir, spec.file);
      try {
        baseRoot = loadFile(abs);
      } catch (err) {
        if (err instanceof InputError && /no such file/.test(err.message))
          throw new InputError(`extends: file ${shown(spec.file)} not found`, where);
        throw err;
      }
      baseDir = resolve(abs, '..');
    }
    const resolved = resolveService(baseRoot, baseDir, spec.service, [...trail, name]);
    budget.spend(resolved, ext.keyLoc);
    const base = cloneNode(resolved);
    base.entries.delete('extends');
    const own = cloneNode(svc);
    own.entries.delete('extends');
    const merged = mergeNodes(base, own, ['services', name]) as LMap | undefined;
    // `web: !reset {extends: …}`: the reset would remove the service it defines (found by npm run fuzz).
    if (!merged)
      throw new InputError(`service "${shown(name)}": !reset on a service that extends another removes it`, where);
    entry.node = merged;
    resolving.delete(key);
    return merged;
  };
  for (const name of [...services.entries.keys()]) resolveService(root, fileDir, name, []);
  return refs;
}

/** `extends: name` or `extends: {service: name, file?: path}`, both strings; anything else is an input error. */
function extendsSpec(
  node: LNode,
  where: { file: string; line: number; column: number },
): { service: string; file?: string } {
  if (node.kind === 'scalar' && typeof node.value === 'string' && node.value !== '') return { service: node.value };
  if (node.kind !== 'map')
    throw new InputError('extends must be a service name or a mapping with service (and file)', where);
  const service = node.entries.get('service')?.node;
  const file = node.entries.get('file')?.node;
  if (service?.kind !== 'scalar' || typeof service.value !== 'string' || service.value === '')
    throw new InputError('extends needs a service name (service: NAME)', where);
  if (file !== undefined && (file.kind !== 'scalar' || typeof file.value !== 'string' || file.value === ''))
    throw new InputError('extends.file must be a path (a string)', {
      file: file.loc.file,
      line: file.loc.line,
      column: file.loc.column,
    });
  return file ? { service: service.value, file: file.value as string } : { service: service.value };
}

function countNodes(node: LNode): number {
  if (node.kind === 'scalar') return 1;
  let n = 1;
  if (node.kind === 'seq') for (const i of node.items) n += countNodes(i);
  else for (const e of node.entries.values()) n += countNodes(e.node);
  return n;
}

function shown(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

function trailText(trail: string[]): string {
  const names = trail.map(shown);
  return names.length > 6 ? `${names.slice(0, 3).join(' → ')} → … → ${names.slice(-2).join(' → ')}` : names.join(' → ');
}

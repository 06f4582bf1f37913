import { resolve } from 'node:path';
import { InputError } from '../util/errors.js';
import { cloneNode, toPlain, type LMap } from '../yaml/located.js';
import { mergeNodes } from './merge.js';

/**
 * Resolve `extends` in one file's services, within the file and across files (`extends.file`,
 * relative to the extending file). The extending service's own keys win, merged with compose rules.
 */
export function resolveExtends(root: LMap, fileDir: string, loadFile: (absPath: string) => LMap): void {
  const services = root.entries.get('services')?.node;
  if (services?.kind !== 'map') return;
  const resolving = new Set<string>();
  const resolveService = (svcRoot: LMap, dir: string, name: string, trail: string[]): LMap => {
    const servicesNode = svcRoot.entries.get('services')?.node;
    const entry = servicesNode?.kind === 'map' ? servicesNode.entries.get(name) : undefined;
    if (entry?.node.kind !== 'map') {
      throw new InputError(`extends: no service "${name}"${trail.length ? ` (from ${trail.join(' → ')})` : ''}`, {
        file: svcRoot.loc.file,
        line: svcRoot.loc.line,
      });
    }
    const svc = entry.node;
    const ext = svc.entries.get('extends');
    if (!ext) return svc;
    const spec = toPlain(ext.node) as { service?: string; file?: string };
    const key = `${svcRoot.loc.file}:${name}`;
    if (resolving.has(key))
      throw new InputError(`extends: cycle through service "${name}"`, {
        file: ext.keyLoc.file,
        line: ext.keyLoc.line,
        column: ext.keyLoc.column,
      });
    if (!spec?.service)
      throw new InputError('extends needs a service name', {
        file: ext.keyLoc.file,
        line: ext.keyLoc.line,
        column: ext.keyLoc.column,
      });
    resolving.add(key);
    let baseRoot = svcRoot;
    let baseDir = dir;
    if (spec.file) {
      const abs = resolve(dir, spec.file);
      try {
        baseRoot = loadFile(abs);
      } catch (err) {
        if (err instanceof InputError && /no such file/.test(err.message)) {
          throw new InputError(`extends: file ${spec.file} not found`, {
            file: ext.keyLoc.file,
            line: ext.keyLoc.line,
            column: ext.keyLoc.column,
          });
        }
        throw err;
      }
      baseDir = resolve(abs, '..');
    }
    const base = cloneNode(resolveService(baseRoot, baseDir, spec.service, [...trail, name]));
    base.entries.delete('extends');
    const own = cloneNode(svc);
    own.entries.delete('extends');
    const merged = mergeNodes(base, own, ['services', name]) as LMap;
    entry.node = merged;
    resolving.delete(key);
    return merged;
  };
  for (const name of [...services.entries.keys()]) resolveService(root, fileDir, name, []);
}

import { isAbsolute, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Node as YamlNode, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Project } from '../compose/project.js';
import type { FixContext, ServiceEdit } from '../rules/fix-types.js';
import { nodeAt, type Location, type Path } from '../yaml/located.js';
import { FileEditor, Refusal, type Step } from './editor.js';
import { readInputFile } from '../util/read-file.js';

/** The files a project's fixes edit, each through one `FileEditor`, shared by every fix of the run. */
export class ProjectEdits {
  readonly editors = new Map<string, FileEditor>();

  constructor(
    readonly project: Project,
    readonly cwd: string,
    /** Texts an earlier pass of `fix` made (absolute path → text): what this pass edits, not the disk. */
    readonly overlay: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** The editor of a file the project read (by the name findings use), or undefined when it cannot be edited. */
  editor(file: string): FileEditor | undefined {
    const known = this.editors.get(file);
    if (known) return known;
    const text =
      this.project.sources.get(file)?.text ??
      (file === this.project.config.file
        ? (this.overlay.get(this.abs(file)) ??
          readInputFile(this.abs(file), { display: file, what: 'configuration file' }))
        : undefined);
    if (text === undefined) return undefined;
    const editor = new FileEditor(file, this.abs(file), text, file.endsWith('.json'));
    this.editors.set(file, editor);
    return editor;
  }

  /** An editor for a file the fix creates (empty until it is written). */
  created(file: string): FileEditor {
    const known = this.editors.get(file);
    if (known) return known;
    const editor = new FileEditor(file, this.abs(file), '');
    this.editors.set(file, editor);
    return editor;
  }

  abs(file: string): string {
    return isAbsolute(file) ? file : resolve(this.cwd, file);
  }

  snapshot(): Map<FileEditor, unknown> {
    return new Map([...this.editors.values()].map((e) => [e, e.snapshot()]));
  }

  restore(snapshot: Map<FileEditor, unknown>): void {
    for (const [file, editor] of [...this.editors]) {
      const saved = snapshot.get(editor);
      if (saved === undefined) this.editors.delete(file);
      else editor.restore(saved);
    }
  }
}

/** The `FixContext` a rule's fix edits through. */
export function fixContext(edits: ProjectEdits, digests: ReadonlyMap<string, string>): FixContext {
  const { project } = edits;
  const refuse = (reason: string): never => {
    throw new Refusal(reason);
  };
  const composeFile = (): FileEditor =>
    edits.editor(project.composeFiles[0]!) ?? refuse(`cannot edit ${project.composeFiles[0]}`);

  const topLevelNames = (key: 'volumes' | 'services'): Set<string> => {
    const names = new Set(Object.keys((project.model as Record<string, object | undefined>)[key] ?? {}));
    for (const e of edits.editors.values()) for (const k of e.stagedKeys(mapAt(e, [key]))) names.add(k);
    if (key === 'volumes')
      for (const svc of Object.values(project.model.services ?? {}))
        for (const v of Array.isArray(svc?.volumes) ? svc.volumes : [])
          if (v?.source && v.type === 'volume') names.add(v.source);
    return names;
  };

  const addTopLevel = (key: 'volumes' | 'services', hint: string, value: unknown, comment?: string): string => {
    const taken = topLevelNames(key);
    let name = hint;
    for (let n = 2; taken.has(name); n++) name = `${hint}-${n}`;
    const editor = composeFile();
    const root = editor.doc.contents;
    if (!isMap(root)) refuse('the compose file is not a mapping');
    const steps = editor.path([key]);
    const node = steps?.[steps.length - 1]?.node;
    if (!steps) {
      const staged = editor.stagedInsert(root as YAMLMap, key);
      if (staged) (staged.value as Record<string, unknown>)[name] = value;
      else editor.insert(root as YAMLMap, key, { [name]: value });
    } else if (editor.sharedAnchor(steps)) refuse(`top-level ${key} is an anchor other parts of the file share`);
    else if (isMap(node)) editor.insert(node, name, value, comment);
    else if (isScalar(node) && node.value === null) {
      const staged = (editor.staged(node) ?? {}) as Record<string, unknown>;
      editor.replace(node, { ...staged, [name]: value });
    } else refuse(`top-level ${key} is not written as a mapping`);
    return name;
  };

  return {
    project,
    digestFor: (image) => digests.get(image),
    refuse,
    service: (name) => serviceEdit(edits, name, refuse),
    declareVolume: (hint) => addTopLevel('volumes', hint, null),
    addService: (hint, definition, comment) => addTopLevel('services', hint, definition, comment),
    setDeployment(field, value) {
      const d = project.deployment;
      if (d.source === 'app-compose.json' && d.file) {
        const editor = edits.editor(d.file) ?? refuse(`cannot edit ${d.file}`);
        setIn(editor, [], [field], value, refuse);
        return d.file;
      }
      if (project.config.file) {
        const editor = edits.editor(project.config.file) ?? refuse(`cannot edit ${project.config.file}`);
        if (editor.doc.contents == null)
          editor.replaceText(0, editor.text.length, `deployment:\n  ${field}: ${value}\n`);
        else setIn(editor, [], ['deployment', field], value, refuse);
        return project.config.file;
      }
      const file = join(relativeDir(edits), '.preflight.yml');
      const editor = edits.created(file);
      if (!editor.changed) editor.replaceText(0, 0, `deployment:\n  ${field}: ${value}\n`);
      else refuse('another fix already creates .preflight.yml');
      return file;
    },
    replaceText(loc, from, to) {
      const editor = edits.editor(loc.file) ?? refuse(`cannot edit ${loc.file}`);
      if (editor.text.slice(loc.offset, loc.offset + from.length) !== from)
        refuse(`the text at ${loc.file}:${loc.line} is not written as ${from}`);
      editor.replaceText(loc.offset, loc.offset + from.length, to);
    },
  };
}

function relativeDir(edits: ProjectEdits): string {
  const first = edits.project.composeFiles[0]!;
  const slash = first.lastIndexOf('/');
  return slash >= 0 ? first.slice(0, slash) : '.';
}

function mapAt(editor: FileEditor, keys: string[]): YAMLMap | undefined {
  const node = editor.path(keys)?.at(-1)?.node;
  if (keys.length === 0) return isMap(editor.doc.contents) ? (editor.doc.contents as YAMLMap) : undefined;
  return isMap(node) ? node : undefined;
}

/** The service's own written mapping: where the tree says its key is, refused when an anchor others use holds it. */
function serviceEdit(edits: ProjectEdits, name: string, refuse: (r: string) => never): ServiceEdit {
  const { project } = edits;
  const entry = nodeAt(project.tree, ['services', name]);
  const file = entry.keyLoc?.file;
  const editor =
    (file && edits.editor(file)) || refuse(`service "${name}" is not written in a file that can be edited`);
  const steps = editor.path(['services', name]);
  if (!steps || steps.length < 3) refuse(`cannot find where service "${name}" is written in ${file}`);
  const own = steps.at(-1)!.node;
  if (!isMap(own) && !(isScalar(own) && own.value === null))
    refuse(
      `service "${name}" is written as the alias *${(own as { source?: string }).source ?? '?'}; edit the ` +
        `anchor &${(own as { source?: string }).source ?? '?'} by hand`,
    );
  const shared = editor.sharedAnchor(steps);
  if (shared) refuse(`service "${name}" is the anchor &${shared}, which other parts of the file reuse`);

  /** Where the merged value at a service path is written, when it is written in this service's own mapping. */
  const ownWritten = (path: Path): Step[] | undefined => {
    const found = nodeAt(project.tree, ['services', name, ...path]);
    const node = found.node;
    if (!node) return undefined;
    if (node.kind === 'scalar' && node.raw !== undefined && node.raw.includes('$'))
      refuse(`${describe(name, path)} is built from \${…} variables; set it where the variable is defined`);
    const at = node.loc;
    const where = edits.editor(at.file);
    if (!where) refuse(`${describe(name, path)} is written in ${at.file}, which cannot be edited`);
    const written = where.nodeAt(at.offset, at.endOffset);
    if (!written) return undefined;
    const anchor = where.sharedAnchor(written);
    if (anchor)
      refuse(
        `${describe(name, path)} is written in anchor &${anchor}, which ${where.aliasUses(anchor)} alias(es) ` +
          `reuse; edit the anchor by hand`,
      );
    const keys = written.slice(1).map((s) => s.key);
    if (keys[0] !== 'services' || keys[1] !== name) {
      const base = keys[0] === 'services' ? `service "${keys[1]}" (its extends base)` : `${keys.join('.')}`;
      refuse(`${describe(name, path)} is inherited from ${base} in ${at.file}; edit it there`);
    }
    if (where !== editor && !project.composeFiles.includes(at.file))
      refuse(`${describe(name, path)} is written in ${at.file}, the extends base in another file; edit it there`);
    for (const s of written)
      if (typeof s.key === 'string' && s.key.includes('${'))
        refuse(`a key on the way to ${describe(name, path)} is built by \${…}`);
    // Normalisation fills in long forms (`- db` becomes `db: {condition: …}`) located at the short
    // form: such a value is not written here, so it is added (or the fix edits the short form itself).
    if (keys.slice(2).join('.') !== path.join('.')) return undefined;
    return written;
  };

  const inherited = (path: Path) => nodeAt(project.tree, ['services', name, ...path]).node !== undefined;

  return {
    name,
    has: (path) => (editor.path(['services', name, ...path]) ?? []).length === path.length + 3,
    update(path, change) {
      const written = ownWritten(path);
      const node = written?.at(-1)?.node;
      if (!node) {
        this.set(path, change(undefined));
        return;
      }
      const where = findEditor(edits, node, editor);
      where.replace(node, change(where.staged(node) ?? node.toJS(where.doc)));
    },
    set(path, value) {
      const written = ownWritten(path);
      if (written) {
        const node = written.at(-1)!.node;
        findEditor(edits, node, editor).replace(node, value);
        return;
      }
      // Not written for this service: add it to the service's own mapping (its own keys win over merged ones).
      for (let i = 1; i < path.length; i++)
        if (inherited(path.slice(0, i)) && !ownWritten(path.slice(0, i)))
          refuse(`${describe(name, path.slice(0, i))} is inherited; a value here would replace all of it`);
      setIn(editor, ['services', name], path, value, refuse);
    },
    append(key, item) {
      const written = ownWritten([key]);
      const node = written?.at(-1)?.node;
      if (node && isSeq(node)) {
        findEditor(edits, node, editor).append(node as YAMLSeq, item);
        return;
      }
      if (node && !(isScalar(node) && node.value === null)) refuse(`${describe(name, [key])} is not written as a list`);
      if (!node && inherited([key])) refuse(`${describe(name, [key])} is inherited; a list here would replace it`);
      const ownMap = mapAt(editor, ['services', name]);
      const staged = ownMap && editor.stagedInsert(ownMap, key);
      if (staged) (staged.value as unknown[]).push(item);
      else setIn(editor, ['services', name], [key], [item], refuse);
    },
    replaceItem(key, index, item) {
      const written = ownWritten([key, index]) ?? refuse(`${describe(name, [key, index])} is not written here`);
      const node = written.at(-1)!.node;
      findEditor(edits, node, editor).replace(node, item);
    },
  };
}

function findEditor(edits: ProjectEdits, node: YamlNode, fallback: FileEditor): FileEditor {
  for (const e of edits.editors.values()) if (e.nodeAt(node.range![0], node.range![1])?.at(-1)?.node === node) return e;
  return fallback;
}

/** Set `path` under the written mapping at `base`, adding what is missing; amends values other fixes staged. */
function setIn(editor: FileEditor, base: string[], path: Path, value: unknown, refuse: (r: string) => never): void {
  let node: YamlNode | null | undefined = base.length
    ? editor.path(base)?.at(-1)?.node
    : (editor.doc.contents as YamlNode);
  for (let i = 0; i < path.length; i++) {
    const rest = path.slice(i);
    const staged = node ? editor.staged(node) : undefined;
    if (node && staged !== undefined) {
      editor.replace(node, amend(staged, rest, value));
      return;
    }
    if (isScalar(node) && node.value === null) {
      editor.replace(node, amend(undefined, rest, value));
      return;
    }
    const index = path[i];
    if (isSeq(node) && typeof index === 'number') {
      const item = node.items[index] as YamlNode | undefined;
      if (!item) refuse(`${[...base, ...path.slice(0, i + 1)].join('.')} is not written here`);
      if (i === path.length - 1) {
        editor.replace(item!, value);
        return;
      }
      node = item;
      continue;
    }
    if (!isMap(node)) {
      refuse(`${[...base, ...path].join('.')} is not written as a mapping`);
      return;
    }
    const key = String(path[i]);
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    if (!pair) {
      const pending = editor.stagedInsert(node, key);
      if (pending) pending.value = amend(pending.value, rest.slice(1), value);
      else editor.insert(node, key, amend(undefined, rest.slice(1), value));
      return;
    }
    if (i === path.length - 1) {
      const target = pair.value as YamlNode | null;
      if (!target) {
        refuse(`${key} has no value node to replace`);
        return;
      }
      editor.replace(target, value);
      return;
    }
    node = pair.value as YamlNode | null;
  }
}

/** `value` set at `path` inside a plain value (copied), creating mappings on the way. */
function amend(current: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const base = current && typeof current === 'object' && !Array.isArray(current) ? { ...(current as object) } : {};
  const key = String(path[0]);
  (base as Record<string, unknown>)[key] = amend((base as Record<string, unknown>)[key], path.slice(1), value);
  return base;
}

function describe(service: string, path: Path): string {
  return `${path.length ? `${path.join('.')} of ` : ''}service "${service}"`;
}

export type { Location };

import { dirname, resolve } from 'node:path';
import { InputError } from '../util/errors.js';
import { readInputFile } from '../util/read-file.js';
import { STDIN_DISPLAY } from '../util/read-stdin.js';
import { parseAppCompose, type AppComposeManifest } from './app-compose.js';
import { findConfig, loadConfig, type PreflightConfig } from '../config/index.js';
import type { Catalogue } from '../findings/catalogue.js';
import {
  DSTACK_DEFAULTS,
  PHALA_CLOUD_DEFAULTS,
  deploymentFrom,
  deploymentProblems,
  type Deployment,
} from './deployment.js';
import { isFile, type DiscoveredProject } from './discover.js';
import { dotenvToMap, parseDotenv } from './dotenv.js';
import { ExpansionBudget, interpolateTree, type VarRef } from './interpolate.js';
import {
  nodeAt,
  parseYamlSource,
  toLocated,
  toPlain,
  type LMap,
  type LNode,
  type Location,
  type Path,
  type SourceText,
} from '../yaml/located.js';
import { mergeNodes } from './merge.js';
import { normalizeFile } from './normalize.js';
import { validateCompose, type SchemaProblem } from './schema.js';
import type { ComposeModel } from './types.js';
import { ExtendsBudget, resolveExtends } from './extends.js';
import { resolveIncludes, type LocalFileReference } from './include.js';
import { semanticProblems } from './semantics.js';
import { passThroughRefs } from './pass-through.js';
import { rel } from './targets.js';

export { resolveTargets, resolveRecursive, type TargetOptions } from './targets.js';

export interface LoadOptions {
  /** Explicit compose files (`-f`), merged in order. Relative to `cwd`; `-` is `stdin`. */
  files?: string[];
  /** The text of the compose file given as `-f -` (read by the caller, bounded: util/read-stdin.ts). */
  stdin?: string;
  /** `--env-file` (replaces the project's `.env`, as in compose). */
  envFiles?: string[];
  /** `--config`; default: `.preflight.yml` in the project directory. */
  configFile?: string;
  /** Active compose profiles; COMPOSE_PROFILES from the env files is added. */
  profiles?: string[];
  /** Throw on a missing `${VAR:?}` (drills run the app, the static check only records it). */
  strictRequired?: boolean;
  /** Extra variables for interpolation, over the env files (drills pass the secret set here). */
  env?: Record<string, string>;
  /** Every rule id any command reports: the configuration may name only these (else an input error). */
  catalogue?: Catalogue;
  cwd?: string;
  /** Texts to read instead of the files on disk (absolute path → text): `preflight fix` re-checks its edits. */
  overlay?: ReadonlyMap<string, string>;
  /** Where `.preflight.yml` was found per folder, shared by the projects of one run (config/load.ts findConfig). */
  configFolders?: Map<string, string | undefined>;
}

export interface Project {
  /** Project directory (where the first compose file or the manifest is). */
  dir: string;
  /** Compose files in merge order (an embedded one is named `<manifest>#docker_compose_file`). */
  composeFiles: string[];
  /** Every source text read (compose files, extended files, manifest), for excerpts and suppressions. */
  sources: Map<string, SourceText>;
  /** The merged, interpolated, normalised model rules read. */
  model: ComposeModel;
  /** The same, with locations. */
  tree: LMap;
  /** Every `${VAR}` reference, with where it is. */
  variables: VarRef[];
  /** Variables available for interpolation and where they came from (values: never print them). */
  env: Map<string, string>;
  envFiles: string[];
  deployment: Deployment;
  manifest?: AppComposeManifest;
  config: PreflightConfig;
  /** Services left out because none of their profiles is active (the CVM starts none of them). */
  inactiveServices: { name: string; profiles: string[]; loc: Location }[];
  /** compose-spec violations, per file. */
  schemaProblems: SchemaProblem[];
  /** What Compose refuses although the schema allows it (semantics.ts): undefined references, cycles, … */
  semanticProblems: SchemaProblem[];
  /** Files the audit followed that the CVM never gets: `include:` and `extends.file`. */
  localFiles: LocalFileReference[];
  /** The rule ids the configuration was checked against (LoadOptions.catalogue), when given. */
  catalogue?: Catalogue;
  /** The compose file's `*.override.*` twin: merged into the model, or left out (the CVM deploys one file). */
  override?: { file: string; merged: boolean };
}

/** Where a model path is written: the key when it is a map entry, else the value, else the nearest parent. */
export function locate(project: Pick<Project, 'tree' | 'composeFiles'>, path: Path): Location {
  const at = nodeAt(project.tree, path);
  return at.keyLoc ?? at.node?.loc ?? at.nearestKeyLoc ?? at.nearest?.loc ?? project.tree.loc;
}

/** Where the value at a model path is written (falls back like `locate`). */
export function locateValue(project: Pick<Project, 'tree'>, path: Path): Location {
  const at = nodeAt(project.tree, path);
  return at.node?.loc ?? at.nearestKeyLoc ?? at.nearest?.loc ?? project.tree.loc;
}

export function loadProject(target: DiscoveredProject, opts: LoadOptions = {}): Project {
  const cwd = opts.cwd ?? process.cwd();
  const sources = new Map<string, SourceText>();
  const display = (abs: string) => rel(cwd, abs);
  const readText = (abs: string, shown: string, what?: string) =>
    opts.overlay?.get(resolve(cwd, abs)) ?? readFileText(abs, shown, what);

  let manifest: AppComposeManifest | undefined;
  let composeInputs: { file: string; text: string }[];
  if (target.kind === 'app-compose') {
    const file = display(target.files[0]!);
    manifest = parseAppCompose(file, readText(target.files[0]!, file, 'app-compose.json'));
    sources.set(file, manifest.source);
    const wrong = deploymentProblems(manifest.json, manifest.tree)[0];
    if (wrong) throw new InputError(wrong.message, { file, line: wrong.loc.line, column: wrong.loc.column });
    if (!manifest.compose) throw new InputError('app-compose.json has no docker_compose_file', { file, line: 1 });
    composeInputs = [manifest.compose];
  } else {
    composeInputs = target.files.map((f) =>
      f === '-' ? { file: STDIN_DISPLAY, text: opts.stdin ?? '' } : { file: display(f), text: readText(f, display(f)) },
    );
  }

  const envFiles = (opts.envFiles ?? []).map((f) => resolve(cwd, f));
  if (!opts.envFiles?.length && isFile(resolve(target.dir, '.env'))) envFiles.push(resolve(target.dir, '.env'));
  const env = new Map<string, string>();
  for (const f of envFiles) {
    const shown = display(f);
    for (const [k, v] of dotenvToMap(parseDotenv(readText(f, shown, 'env file'), shown))) env.set(k, v);
  }
  for (const [k, v] of Object.entries(opts.env ?? {})) env.set(k, v);
  const lookup = (name: string) => env.get(name);

  const variables: VarRef[] = [];
  const expansion = new ExpansionBudget();
  const extendsBudget = new ExtendsBudget();
  const schemaProblems: SchemaProblem[] = [];
  const composeProblems: SchemaProblem[] = [];
  const parseCompose = (file: string, text: string): LMap => {
    const { doc, source } = parseYamlSource(file, text);
    sources.set(file, source);
    const root = toLocated(doc, source);
    if (!root)
      return {
        kind: 'map',
        entries: new Map(),
        loc: { file, line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, endOffset: 0 },
      };
    if (root.kind !== 'map')
      throw new InputError('a compose file must be a mapping with a services key', {
        file,
        line: root.loc.line,
        column: root.loc.column,
      });
    checkShape(root);
    variables.push(...interpolateTree(root, { lookup, strictRequired: opts.strictRequired, budget: expansion }));
    schemaProblems.push(...validateCompose(toPlain(root), root));
    normalizeFile(root, composeProblems);
    return root;
  };

  const loadedFiles = new Map<string, LMap>();
  const loadFile = (absOrDisplay: string, text?: string): LMap => {
    const cached = loadedFiles.get(absOrDisplay);
    if (cached) return cached;
    const display = text !== undefined ? absOrDisplay : rel(cwd, absOrDisplay);
    const root = parseCompose(display, text ?? readText(absOrDisplay, display));
    loadedFiles.set(absOrDisplay, root);
    return root;
  };

  const localFiles: LocalFileReference[] = [];
  const withExtends = (root: LMap, fileDir: string): LMap => {
    localFiles.push(...resolveExtends(root, fileDir, (f) => loadFile(f), extendsBudget));
    return root;
  };
  const loadIncluded = (abs: string, from: Location): LMap => {
    try {
      return withExtends(loadFile(abs), dirname(abs));
    } catch (err) {
      if (err instanceof InputError && /no such file/.test(err.message) && err.file === rel(cwd, abs))
        throw new InputError(`include: file ${rel(dirname(resolve(cwd, from.file)), abs)} not found`, {
          file: from.file,
          line: from.line,
          column: from.column,
        });
      throw err;
    }
  };
  let merged: LNode | undefined;
  for (const input of composeInputs) {
    const fileDir = input.file.includes('#') ? target.dir : dirname(resolve(cwd, input.file));
    const root = withExtends(loadFile(input.file, input.text), fileDir);
    localFiles.push(...resolveIncludes(root, fileDir, loadIncluded, composeProblems));
    merged = merged ? mergeNodes(merged, root) : root;
  }
  const tree = (merged ?? { kind: 'map', entries: new Map(), loc: composeInputsLoc(composeInputs[0]!.file) }) as LMap;

  const activeProfiles = new Set([
    ...(opts.profiles ?? []),
    ...(env.get('COMPOSE_PROFILES') ?? '').split(',').filter(Boolean),
  ]);
  const inactiveServices = applyProfiles(tree, activeProfiles);
  variables.push(...passThroughRefs(tree));
  composeProblems.push(...semanticProblems(tree, new Map(inactiveServices.map((s) => [s.name, s.profiles]))));

  const configFile = opts.configFile
    ? resolve(cwd, opts.configFile)
    : (findConfig(target.dir, opts.configFolders) ?? overlaidConfig(target.dir, opts.overlay));
  const config = loadConfig(configFile, {
    catalogue: opts.catalogue,
    file: configFile ? display(configFile) : undefined,
    text: configFile ? opts.overlay?.get(configFile) : undefined,
  });
  const deployment = resolveDeployment(manifest, config);

  return {
    dir: target.dir,
    composeFiles: composeInputs.map((c) => c.file),
    sources,
    model: toPlain(tree) as ComposeModel,
    tree,
    variables,
    env,
    envFiles: envFiles.map(display),
    deployment,
    manifest,
    config,
    inactiveServices,
    schemaProblems,
    semanticProblems: composeProblems,
    localFiles,
    ...(opts.catalogue ? { catalogue: opts.catalogue } : {}),
    ...(target.override ? { override: { file: display(target.override.file), merged: target.override.merged } } : {}),
  };
}

function resolveDeployment(manifest: AppComposeManifest | undefined, config: PreflightConfig): Deployment {
  if (manifest) {
    return {
      settings: deploymentFrom(DSTACK_DEFAULTS, manifest.json),
      source: 'app-compose.json',
      file: manifest.file,
      locations: manifest.locations,
    };
  }
  if (config.deployment && config.file) {
    return {
      settings: deploymentFrom(PHALA_CLOUD_DEFAULTS, config.deployment),
      source: '.preflight.yml',
      file: config.file,
      locations: config.deploymentLocations,
    };
  }
  return { settings: { ...PHALA_CLOUD_DEFAULTS }, source: 'phala-cloud-defaults', locations: {} };
}

/** Structural errors no rule can work around: the file is not a compose file at all. */
function checkShape(root: LMap): void {
  const services = root.entries.get('services');
  if (!services) return;
  const where = (loc: Location) => ({ file: loc.file, line: loc.line, column: loc.column });
  if (services.node.kind !== 'map' && !(services.node.kind === 'scalar' && services.node.value === null)) {
    throw new InputError(
      `services must be a mapping of service names to definitions, not ` +
        `a ${services.node.kind === 'seq' ? 'list' : 'scalar'}`,
      where(services.keyLoc),
    );
  }
  if (services.node.kind !== 'map') return;
  for (const [name, e] of services.node.entries) {
    if (e.node.kind === 'scalar' && e.node.value === null) continue;
    if (e.node.kind !== 'map')
      throw new InputError(
        `service "${name}" must be a mapping, not a ${e.node.kind === 'seq' ? 'list' : 'scalar'}`,
        where(e.keyLoc),
      );
  }
}

function applyProfiles(tree: LMap, active: Set<string>): Project['inactiveServices'] {
  const services = tree.entries.get('services')?.node;
  const out: Project['inactiveServices'] = [];
  if (services?.kind !== 'map') return out;
  for (const [name, e] of [...services.entries]) {
    const profiles = e.node.kind === 'map' ? (toPlain(e.node.entries.get('profiles')?.node) as unknown) : undefined;
    if (!Array.isArray(profiles) || profiles.length === 0) continue;
    if (profiles.some((p) => active.has(String(p)) || active.has('*'))) continue;
    out.push({ name, profiles: profiles.map(String), loc: e.keyLoc });
    services.entries.delete(name);
  }
  return out;
}

function composeInputsLoc(file: string): Location {
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, endOffset: 0 };
}

/** A `.preflight.yml` that exists only in the overlay (one `preflight fix` is about to create). */
function overlaidConfig(dir: string, overlay: ReadonlyMap<string, string> | undefined): string | undefined {
  const path = resolve(dir, '.preflight.yml');
  return overlay?.has(path) ? path : undefined;
}

function readFileText(abs: string, display: string, what = 'compose file'): string {
  return readInputFile(abs, { display, what });
}

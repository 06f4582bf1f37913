import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Catalogue } from '../findings/catalogue.js';
import { InputError } from '../util/errors.js';
import { readInputFile } from '../util/read-file.js';
import { nodeAt, parseYamlSource, type Path, toLocated, toPlain } from '../yaml/located.js';
import { explainErrors } from '../yaml/schema-errors.js';
import type { Exemption, PreflightConfig } from './types.js';
import { configValidator } from './validator.js';

export const CONFIG_FILE_NAMES = ['.preflight.yml', '.preflight.yaml'];

const TOP_LEVEL_KEYS = new Set(['rules', 'exemptions', 'deployment', 'drill', 'rollout']);

/** Configuration files are small; anything bigger is not one. */
const MAX_CONFIG_BYTES = 1 << 20;

export function emptyConfig(): PreflightConfig {
  return { rules: {}, exemptions: [], deploymentLocations: {} };
}

/**
 * Find `.preflight.yml` for a project: beside the compose file, else in the nearest parent folder,
 * up to the repository root (the first folder holding `.git`), as ESLint and hadolint look.
 */
export function findConfig(dir: string, known?: Map<string, string | undefined>): string | undefined {
  // `known` (one `check -r` run's answers, per folder) spares sibling projects the same walk up.
  const walked: string[] = [];
  const answer = (found: string | undefined) => {
    for (const d of walked) known?.set(d, found);
    return found;
  };
  for (let d = dir; ; d = dirname(d)) {
    if (known?.has(d)) return answer(known.get(d));
    walked.push(d);
    for (const name of CONFIG_FILE_NAMES) {
      const p = join(d, name);
      if (existsSync(p)) return answer(p);
    }
    if (existsSync(join(d, '.git')) || dirname(d) === d) return answer(undefined);
  }
}

/**
 * Load `.preflight.yml` from `path`, validated against schema/preflight.schema.json; messages and
 * locations name it `file`. With a catalogue, every rule id in `rules:` and `exemptions:` must be
 * one some command reports: one file configures check, diff, secrets plan and the drills.
 */
export function loadConfig(
  path: string | undefined,
  opts: { catalogue?: Catalogue; file?: string; bareSection?: 'rollout'; text?: string } = {},
): PreflightConfig {
  const file = opts.file ?? path;
  if (!path || !file) return emptyConfig();
  const { doc, source } = parseYamlSource(file, opts.text ?? readConfigText(path, file));
  let tree = toLocated(doc, source);
  if (!tree) return { ...emptyConfig(), file };
  if (tree.kind !== 'map') throw new InputError('configuration must be a mapping', { file, line: tree.loc.line });
  // `rollout --fleet FILE` takes the section on its own as well as a whole .preflight.yml.
  if (opts.bareSection && ![...tree.entries.keys()].some((k) => TOP_LEVEL_KEYS.has(k)))
    tree = { kind: 'map', loc: tree.loc, entries: new Map([[opts.bareSection, { keyLoc: tree.loc, node: tree }]]) };
  const plain = (toPlain(tree) ?? {}) as Record<string, unknown>;
  const validate = configValidator();
  if (!validate(plain)) {
    const p = explainErrors(validate.errors ?? [], tree)[0]!;
    throw new InputError(p.message, { file, line: p.loc.line, column: p.loc.column });
  }
  const config: PreflightConfig = {
    file,
    rules: (plain.rules ?? {}) as PreflightConfig['rules'],
    exemptions: (plain.exemptions ?? []) as Exemption[],
    deployment: plain.deployment as Record<string, unknown> | undefined,
    deploymentLocations: {},
    drill: plain.drill as PreflightConfig['drill'],
    rollout: plain.rollout as PreflightConfig['rollout'],
    tree,
  };
  const dep = nodeAt(tree, ['deployment']).node;
  if (dep?.kind === 'map') for (const [k, e] of dep.entries) config.deploymentLocations[k] = e.keyLoc;
  if (opts.catalogue) checkRuleIds(config, opts.catalogue);
  return config;
}

function checkRuleIds(config: PreflightConfig, catalogue: Catalogue): void {
  for (const id of Object.keys(config.rules)) {
    if (!catalogue.has(id)) throw configError(config, ['rules', id], `unknown rule "${id}" in rules`, 'key');
  }
  config.exemptions.forEach((e, i) => {
    if (!catalogue.has(e.rule))
      throw configError(config, ['exemptions', i, 'rule'], `unknown rule "${e.rule}" in exemptions`);
  });
}

/**
 * An error about a configuration value that the schema cannot express (a service that does not
 * exist, an invalid regular expression), located at the key or value, for the module that reads
 * that part of the configuration.
 */
export function configError(
  config: PreflightConfig,
  path: Path,
  message: string,
  at: 'key' | 'value' = 'value',
): InputError {
  const found = nodeAt(config.tree, path);
  const loc =
    at === 'key'
      ? (found.keyLoc ?? found.node?.loc ?? found.nearestKeyLoc ?? found.nearest?.loc)
      : (found.node?.loc ?? found.keyLoc ?? found.nearestKeyLoc ?? found.nearest?.loc);
  return new InputError(message, { file: config.file, line: loc?.line, column: loc?.column });
}

function readConfigText(path: string, file: string): string {
  return readInputFile(path, { display: file, what: 'configuration file', maxBytes: MAX_CONFIG_BYTES });
}

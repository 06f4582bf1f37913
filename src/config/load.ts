import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { InputError } from '../util/errors.js';
import type { Severity } from '../findings/types.js';
import { parseYamlSource, toLocated, toPlain, type LNode, type Location, nodeAt } from '../yaml/located.js';
import { explainErrors } from '../yaml/schema-errors.js';
import { DEPLOYMENT_KEYS } from '../compose/deployment.js';

/** `.preflight.yml`: rule severities, exemptions, deployment settings, drill and rollout settings. */
export interface PreflightConfig {
  file?: string;
  rules: Record<string, Severity | 'off'>;
  exemptions: Exemption[];
  /** The deployment fields given, as written. */
  deployment?: Record<string, unknown>;
  deploymentLocations: Partial<Record<string, Location>>;
  /** Validated by the drill module itself. */
  drill?: unknown;
  rollout?: unknown;
  /** Located tree, for modules that validate their own section and need lines. */
  tree?: LNode;
}

export interface Exemption {
  rule: string;
  service?: string;
  reason: string;
}

export const CONFIG_FILE_NAMES = ['.preflight.yml', '.preflight.yaml'];

const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rules: {
      type: 'object',
      additionalProperties: { enum: ['error', 'warning', 'info', 'off'] },
    },
    exemptions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'reason'],
        properties: {
          rule: { type: 'string', minLength: 1 },
          service: { type: 'string', minLength: 1 },
          reason: { type: 'string', minLength: 1 },
        },
      },
    },
    deployment: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(DEPLOYMENT_KEYS.map((k) => [k, {}])),
    },
    drill: { type: 'object' },
    rollout: { type: 'object' },
  },
} as const;

let configValidator: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (!configValidator) {
    const require = createRequire(import.meta.url);
    const Ajv = require('ajv');
    configValidator = new (Ajv.default ?? Ajv)({ allErrors: true, strict: false }).compile(
      CONFIG_SCHEMA,
    ) as ValidateFunction;
  }
  return configValidator;
}

export function emptyConfig(): PreflightConfig {
  return { rules: {}, exemptions: [], deploymentLocations: {} };
}

/** Find `.preflight.yml` beside the compose file (the project directory). */
export function findConfig(dir: string): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Load `.preflight.yml` from `path`; messages and locations name it `file` (relative for display). */
export function loadConfig(
  path: string | undefined,
  knownRules?: ReadonlySet<string>,
  file: string | undefined = path,
): PreflightConfig {
  if (!path || !file) return emptyConfig();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError('cannot read the configuration file', { file });
  }
  const { doc, source } = parseYamlSource(file, text);
  const tree = toLocated(doc, source);
  const plain = (toPlain(tree) ?? {}) as Record<string, unknown>;
  if (tree && tree.kind !== 'map') throw new InputError('configuration must be a mapping', { file, line: 1 });
  const validate = validator();
  if (!validate(plain) && tree) {
    const p = explainErrors(validate.errors ?? [], tree)[0]!;
    throw new InputError(p.message, { file, line: p.loc.line, column: p.loc.column });
  }
  const rules = (plain.rules ?? {}) as PreflightConfig['rules'];
  if (knownRules) {
    for (const id of Object.keys(rules)) {
      if (!knownRules.has(id)) {
        const at = nodeAt(tree, ['rules', id]);
        throw new InputError(`unknown rule "${id}" in rules`, {
          file,
          line: at.keyLoc?.line,
          column: at.keyLoc?.column,
        });
      }
    }
  }
  const deploymentLocations: PreflightConfig['deploymentLocations'] = {};
  const dep = nodeAt(tree, ['deployment']).node;
  if (dep?.kind === 'map') for (const [k, e] of dep.entries) deploymentLocations[k] = e.keyLoc;
  return {
    file,
    rules,
    exemptions: (plain.exemptions ?? []) as Exemption[],
    deployment: plain.deployment as Record<string, unknown> | undefined,
    deploymentLocations,
    drill: plain.drill,
    rollout: plain.rollout,
    tree,
  };
}

import { InputError } from '../util/errors.js';
import {
  nodeAt,
  parseYamlSource,
  toLocated,
  toPlain,
  type LNode,
  type Location,
  type SourceText,
} from '../yaml/located.js';

/**
 * app-compose.json, the CVM's deployment manifest. Its `docker_compose_file` string is the compose
 * file; findings inside it name the file `<manifest>#docker_compose_file` with lines of that string.
 */
export interface AppComposeManifest {
  file: string;
  source: SourceText;
  json: Record<string, unknown>;
  tree: LNode;
  /** Where each top-level field is written. */
  locations: Partial<Record<string, Location>>;
  compose?: { file: string; text: string };
}

export const EMBEDDED_COMPOSE_SUFFIX = '#docker_compose_file';

export function parseAppCompose(file: string, text: string): AppComposeManifest {
  // JSON is YAML 1.2, so the YAML parser gives us positions for every field.
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{'))
    throw new InputError('not an app-compose.json: expected a JSON object', { file, line: 1, column: 1 });
  try {
    JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    const pos = m ? Number(m[1]) : 0;
    const line = text.slice(0, pos).split('\n').length;
    throw new InputError(`invalid JSON: ${(err as Error).message.replace(/ in JSON at position \d+.*$/, '')}`, {
      file,
      line,
    });
  }
  const { doc, source } = parseYamlSource(file, text);
  const tree = toLocated(doc, source);
  if (tree?.kind !== 'map') throw new InputError('not an app-compose.json: expected a JSON object', { file, line: 1 });
  const json = toPlain(tree) as Record<string, unknown>;
  const locations: AppComposeManifest['locations'] = {};
  for (const [k, e] of tree.entries) locations[k] = e.keyLoc;
  const manifest: AppComposeManifest = { file, source, json, tree, locations };
  const dcf = json.docker_compose_file;
  if (dcf !== undefined && typeof dcf !== 'string') {
    const at = nodeAt(tree, ['docker_compose_file']).keyLoc;
    throw new InputError('docker_compose_file must be a string holding the compose YAML', {
      file,
      line: at?.line,
      column: at?.column,
    });
  }
  if (typeof dcf === 'string') manifest.compose = { file: file + EMBEDDED_COMPOSE_SUFFIX, text: dcf };
  return manifest;
}

import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import { InputError } from '../util/errors.js';
import { composeHash } from './compose-hash.js';
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
  /** The compose hash (compose-hash.ts) of the manifest as parsed from its JSON text. */
  composeHash: string;
  compose?: { file: string; text: string };
}

export const EMBEDDED_COMPOSE_SUFFIX = '#docker_compose_file';

export function parseAppCompose(file: string, text: string): AppComposeManifest {
  // JSON is YAML 1.2, so the YAML parser gives us positions for every field.
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{'))
    throw new InputError('not an app-compose.json: expected a JSON object', { file, line: 1, column: 1 });
  const parsed = checkJsonSyntax(file, text);
  const { doc, source } = parseYamlSource(file, text);
  const tree = toLocated(doc, source);
  if (tree?.kind !== 'map') throw new InputError('not an app-compose.json: expected a JSON object', { file, line: 1 });
  const json = toPlain(tree) as Record<string, unknown>;
  const locations: AppComposeManifest['locations'] = {};
  for (const [k, e] of tree.entries) locations[k] = e.keyLoc;
  const manifest: AppComposeManifest = { file, source, json, tree, locations, composeHash: composeHash(parsed) };
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

/** What a JSON syntax error is, in words (jsonc-parser's codes); never the text around it. */
const JSON_PROBLEM: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'a property name in double quotes expected (a trailing comma?)',
  ValueExpected: 'a value expected',
  ColonExpected: 'a colon expected after the property name',
  CommaExpected: 'a comma expected',
  CloseBraceExpected: 'a closing } expected',
  CloseBracketExpected: 'a closing ] expected',
  EndOfFileExpected: 'text after the end of the JSON object',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'a string is never closed',
  UnexpectedEndOfNumber: 'a number is cut off',
  InvalidUnicode: 'an invalid \\u escape in a string',
  InvalidEscapeCharacter: 'an invalid escape sequence in a string',
  InvalidCharacter: 'a control character inside a string (escape it, e.g. \\n)',
};

/** Refuses text that is not strict JSON, naming the line and column of the first error. */
/** The parsed manifest, or an InputError at the first syntax error. */
function checkJsonSyntax(file: string, text: string): Record<string, unknown> {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    const before = text.slice(0, first.offset);
    const line = before.split('\n').length;
    const column = first.offset - before.lastIndexOf('\n');
    const what = JSON_PROBLEM[printParseErrorCode(first.error)] ?? 'a syntax error';
    throw new InputError(`invalid JSON: ${what}`, { file, line, column });
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Something the tolerant scanner let through; JSON.parse's message would quote the text.
    throw new InputError('invalid JSON', { file, line: 1 });
  }
}

import type { YAMLError } from 'yaml';

/**
 * The YAML parser's errors worded by their code, never by the parser's message: those quote the
 * source (`Invalid escape sequence \uZZZZ`, the text of a bad scalar), which may be a secret.
 * Only the kind of mistake is said; the file, line and column say where.
 */
const WORDING: Record<string, string> = {
  ALIAS_PROPS: 'an alias (*name) cannot have a tag or an anchor',
  BAD_ALIAS: 'a bad alias (*name)',
  BAD_DIRECTIVE: 'a bad % directive',
  BAD_DQ_ESCAPE: 'an invalid escape sequence in a double-quoted string (write \\\\ for a backslash)',
  BAD_INDENT: 'bad indentation',
  BAD_PROP_ORDER: 'an anchor or tag in the wrong place',
  BAD_SCALAR_START: 'a plain value cannot start with this character; quote it',
  BLOCK_AS_IMPLICIT_KEY: 'a nested mapping is not allowed here (a missing line break or a colon inside a value?)',
  BLOCK_IN_FLOW: 'a block value inside a [ ] or { } collection',
  DUPLICATE_KEY: 'a duplicate key',
  IMPOSSIBLE: 'a structure the parser cannot read',
  MISSING_CHAR: 'a closing quote or bracket is missing',
  MULTILINE_IMPLICIT_KEY: 'a key that spans lines (a missing colon or an unclosed quote?)',
  MULTIPLE_ANCHORS: 'more than one anchor on a value',
  MULTIPLE_DOCS: 'more than one YAML document (---); a compose file is one',
  MULTIPLE_TAGS: 'more than one tag on a value',
  NON_STRING_KEY: 'a key that is not a string',
  RESOURCE_EXHAUSTION: 'the document expands too far (an alias bomb?)',
  TAB_AS_INDENT: 'a tab used for indentation (YAML indents with spaces)',
  TAG_RESOLVE_FAILED: 'a value that does not match its tag',
  UNEXPECTED_TOKEN: 'unexpected text',
  BAD_COLLECTION_TYPE: 'a collection that does not match its tag',
};

export function yamlProblem(err: Pick<YAMLError, 'code'>): string {
  return WORDING[err.code] ?? 'a syntax error';
}

/**
 * How a file Preflight wrote is recognised, so `-o` replaces its own earlier report without
 * `--force` but never a file of the user's. Each format carries a marker in its first lines:
 *
 * - json, sarif (and every JSON report: drills, secrets plan): `"name": "preflight"` (the `tool` or
 *   SARIF `driver` object the report already has);
 * - junit: `<testsuites name="preflight …">` right after the XML declaration;
 * - html: `<meta name="generator" content="preflight …">` in the head;
 * - text, and `fix`'s diff: a first line `# preflight <version>: <what>`, added when it goes to a file
 *   (patch tools skip lines before the first `---`);
 * - github: a first line `::debug::preflight <version>: <what>` (a workflow command GitHub shows
 *   only in debug logs), added when that format goes to a file.
 *
 * An empty file holds nothing to lose and counts as replaceable too (writeOutputFile checks that).
 */
import { VERSION } from './version.js';

export type OutputFormat = 'text' | 'diff' | 'json' | 'sarif' | 'junit' | 'html' | 'github';

const TEXT_HEADER = /^# preflight \S+: /;
const GITHUB_HEADER = /^::debug::preflight \S+: /;
const JSON_TOOL = /"name"\s*:\s*"preflight"/;
const JUNIT_ROOT = /^<\?xml[^>]*\?>\s*<testsuites name="preflight\b/;
const HTML_GENERATOR = /<meta name="generator" content="preflight\b/;

/** The content as it goes into a file: text and github get their first-line marker. */
export function withOutputMarker(content: string, format: OutputFormat | string, what: string): string {
  if (format === 'text' || format === 'diff') return `# preflight ${VERSION}: ${oneLine(what)}\n${content}`;
  if (format === 'github') return `::debug::preflight ${VERSION}: ${oneLine(what)}\n${content}`;
  return content;
}

/** True when `head` (the first bytes of a file) is a report Preflight wrote, in any format. */
export function isPreflightOutput(head: string): boolean {
  const text = head.replace(/^\uFEFF/, '');
  if (TEXT_HEADER.test(text) || GITHUB_HEADER.test(text)) return true;
  if (text.trimStart().startsWith('{')) return JSON_TOOL.test(text);
  if (JUNIT_ROOT.test(text)) return true;
  return /^<!DOCTYPE html>/i.test(text.trimStart()) && HTML_GENERATOR.test(text);
}

/** The `<meta>` the HTML report carries (report/html puts it in the head). */
export const HTML_GENERATOR_META = `<meta name="generator" content="preflight ${VERSION}">`;

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, RelatedLocation, Report, Severity, SuppressedFinding, Target } from '../findings/types.js';
import { nodeCrypto } from '../util/node-crypto.js';
import { reportedScore } from './checked.js';
import { absoluteDocsUrl, ruleDocsUrl } from './docs-url.js';
import type { MetaLookup } from './rule-meta.js';

/**
 * SARIF 2.1.0 (OASIS) rendering of the report, for code-scanning UIs (GitHub, Azure DevOps, IDEs).
 * One run; the driver lists a reportingDescriptor for each rule that appears, with the rule's title,
 * rationale and fix hint from the catalog and `helpUri` at its entry in docs/rules.md; suppressed
 * findings are results with `suppressions`.
 */

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
/** Where users read about the tool (the npm package page of `cvm-preflight`). */
export const INFORMATION_URI = 'https://www.npmjs.com/package/cvm-preflight';
/** Name of our partial fingerprint: stable across edits that move a finding to another line. */
export const FINGERPRINT_NAME = 'preflightFinding/v1';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export interface SarifOptions {
  /** Directory the relative file names are relative to; recorded as the `%SRCROOT%` base. */
  srcRoot?: string;
  meta: MetaLookup;
}

export function renderSarif(report: Report, opts: SarifOptions): string {
  return JSON.stringify(sarifLog(report, opts), null, 2) + '\n';
}

/**
 * The id of the results that stand for a project `check` could not load (`Report.targets[].error`):
 * not a rule of the catalogue (nothing to configure or suppress), but a result, so that a code-scanning
 * upload of a `-r` run shows the project that was not checked.
 */
export const INPUT_ERROR_ID = 'input-error';

export function sarifLog(report: Report, opts: SarifOptions) {
  const loadErrors = report.targets.flatMap((t) => (t.error ? [inputErrorFinding(t.error, t.files[0] ?? t.dir)] : []));
  const all: (Finding | SuppressedFinding)[] = [...loadErrors, ...report.findings, ...report.suppressed];
  const ruleIds = [...new Set(all.map((f) => f.ruleId))].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const artifacts = artifactList(all.flatMap((f) => [f.file, ...(f.related ?? []).map((r) => r.file)]));

  const result = (f: Finding | SuppressedFinding) => {
    const r: Record<string, unknown> = {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [location(f, artifacts.index)],
      ...(f.related?.length
        ? { relatedLocations: f.related.map((r, i) => relatedLocation(r, i, artifacts.index)) }
        : {}),
      partialFingerprints: { [FINGERPRINT_NAME]: fingerprint(f) },
      properties: { section: f.section, ...(f.service !== undefined ? { service: f.service } : {}) },
    };
    if ('suppression' in f) {
      r.suppressions = [
        {
          kind: f.suppression.kind === 'inline' ? 'inSource' : 'external',
          status: 'accepted',
          justification: f.suppression.reason,
        },
      ];
    }
    const fixes = sarifFixes(f);
    if (fixes) r.fixes = fixes;
    return r;
  };

  const run: Record<string, unknown> = {
    tool: {
      driver: {
        name: report.tool.name,
        version: report.tool.version,
        semanticVersion: report.tool.version,
        informationUri: INFORMATION_URI,
        rules: ruleIds.map((id) => (id === INPUT_ERROR_ID ? INPUT_ERROR_DESCRIPTOR : descriptor(id, opts.meta))),
      },
    },
    invocations: [
      {
        executionSuccessful: loadErrors.length === 0,
        ...(loadErrors.length
          ? {
              toolExecutionNotifications: loadErrors.map((f) => ({
                level: 'error',
                message: { text: f.message },
                locations: [location(f, artifacts.index)],
                descriptor: { id: INPUT_ERROR_ID },
              })),
            }
          : {}),
      },
    ],
    artifacts: artifacts.list,
    results: [...loadErrors.map(result), ...report.findings.map(result), ...report.suppressed.map(result)],
    columnKind: 'unicodeCodePoints',
    properties: {
      score: reportedScore(report),
      targets: report.targets,
    },
  };
  if (opts.srcRoot) run.originalUriBaseIds = { '%SRCROOT%': { uri: dirUri(opts.srcRoot) } };
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}

const INPUT_ERROR_DESCRIPTOR = {
  id: INPUT_ERROR_ID,
  name: 'InputError',
  shortDescription: { text: 'Project could not be loaded, so it was not checked' },
  fullDescription: {
    text:
      'Preflight could not read this project (invalid YAML or JSON, a missing file, a value of the wrong type, ' +
      '…); none of its rules ran. The other projects of the run were checked.',
  },
  help: { text: 'Correct the file and line the message names.' },
  defaultConfiguration: { level: 'error' },
};

/** A load error as a finding-shaped value, so it renders like the results beside it. */
function inputErrorFinding(error: NonNullable<Target['error']>, fallbackFile: string): Finding {
  return {
    ruleId: INPUT_ERROR_ID,
    severity: 'error',
    section: 'platform',
    message: error.message,
    file: error.file ?? fallbackFile,
    line: error.line ?? 1,
    column: error.column ?? 1,
  };
}

function descriptor(id: string, lookup: MetaLookup) {
  const meta = lookup(id);
  if (!meta) return { id, name: ruleName(id) };
  const docs = ruleDocsUrl(id);
  // The catalogue's own docs link (a guide such as docs/upgrades.md) is further reading beside the rule's entry.
  const more = meta.docsUrl ? absoluteDocsUrl(meta.docsUrl) : undefined;
  const markdown =
    `**Fix:** ${meta.fixHint}\n\n${meta.rationale}\n\n[Rule documentation](${docs})` +
    (more && more !== docs ? ` · [more](${more})` : '');
  return {
    id,
    name: ruleName(id),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.rationale },
    helpUri: docs,
    help: { text: meta.fixHint, markdown },
    defaultConfiguration: { level: LEVEL[meta.severity] },
    properties: { section: meta.section, tags: ['cvm', meta.section] },
  };
}

/** `restart-policy` → `RestartPolicy` (SARIF's `name` is an identifier-like form of the id). */
function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/**
 * The files results point into. A compose file embedded in an app-compose.json
 * (`app-compose.json#docker_compose_file`) is a nested artifact whose parent is the manifest.
 */
function artifactList(files: string[]) {
  const list: Record<string, unknown>[] = [];
  const index = new Map<string, number>();
  const add = (file: string): number => {
    const known = index.get(file);
    if (known !== undefined) return known;
    const hash = file.indexOf('#');
    const parent = hash > 0 ? add(file.slice(0, hash)) : undefined;
    const entry: Record<string, unknown> = { location: artifactUri(file) };
    if (parent !== undefined) {
      entry.parentIndex = parent;
      entry.description = {
        text:
          `the compose file embedded in ${file.slice(0, hash)} (its ${file.slice(hash + 1)} string); lines count ` +
          `from the start of that string`,
      };
    }
    index.set(file, list.length);
    list.push(entry);
    return list.length - 1;
  };
  for (const f of files) add(f);
  return { list, index };
}

function location(f: Finding, artifactIndex: Map<string, number>) {
  const region: Record<string, number> = { startLine: Math.max(1, f.line), startColumn: Math.max(1, f.column) };
  if (f.endLine !== undefined && f.endColumn !== undefined) {
    const endLine = Math.max(region.startLine!, f.endLine);
    const endColumn =
      endLine === region.startLine ? Math.max(region.startColumn!, f.endColumn) : Math.max(1, f.endColumn);
    region.endLine = endLine;
    region.endColumn = endColumn;
  }
  return {
    physicalLocation: {
      artifactLocation: { ...artifactUri(f.file), index: artifactIndex.get(f.file) },
      region,
    },
  };
}

/** A related location (another service that shares the problem, another reference), with what it is. */
function relatedLocation(r: RelatedLocation, id: number, artifactIndex: Map<string, number>) {
  return {
    id,
    physicalLocation: {
      artifactLocation: { ...artifactUri(r.file), index: artifactIndex.get(r.file) },
      region: { startLine: Math.max(1, r.line), startColumn: Math.max(1, r.column) },
    },
    ...(r.service !== undefined ? { message: { text: `service "${r.service}"` } } : {}),
  };
}

/** A relative path becomes a relative URI reference (against `%SRCROOT%`); an absolute one a file: URI. */
function artifactUri(file: string): { uri: string; uriBaseId?: string } {
  const hash = file.indexOf('#');
  const path = hash > 0 ? file.slice(0, hash) : file;
  const fragment = hash > 0 ? '#' + encodeURIComponent(file.slice(hash + 1)) : '';
  if (isAbsolute(path)) return { uri: pathToFileURL(path).href + fragment };
  const uri = path.split(/[\\/]/).map(encodeURIComponent).join('/') + fragment;
  return { uri, uriBaseId: '%SRCROOT%' };
}

function dirUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : href + '/';
}

/** A finding's automatic fix as SARIF replacements (edits inside an embedded compose string have no file offsets). */
function sarifFixes(f: Finding) {
  const edits = f.fix?.edits.filter((e) => !e.file.includes('#')) ?? [];
  if (!f.fix || !edits.length) return undefined;
  const byFile = new Map<string, typeof edits>();
  for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  return [
    {
      description: { text: f.fix.description },
      artifactChanges: [...byFile].map(([file, list]) => ({
        artifactLocation: artifactUri(file),
        replacements: list.map((e) => ({
          deletedRegion: { charOffset: e.start, charLength: e.end - e.start },
          insertedContent: { text: e.text },
        })),
      })),
    },
  ];
}

/** Identity of a finding without its line: rule, file, service and message. */
function fingerprint(f: Finding): string {
  return nodeCrypto()
    .createHash('sha256')
    .update([f.ruleId, f.file, f.service ?? '', f.message].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}

import { resolve } from 'node:path';
import type { Project } from '../compose/project.js';
import type { Report, TextEdit } from '../findings/types.js';
import { planProjectFixes, type AppliedFix, type RefusedFix } from '../fix/apply.js';
import { EMBEDDED_COMPOSE_SUFFIX } from '../compose/app-compose.js';
import { composeHashOfText } from '../compose/compose-hash.js';
import { applyEdits, composeEdits } from '../fix/compose-edits.js';
import type { ProjectEdits } from '../fix/context.js';
import { embeddedEdits } from '../fix/embedded.js';
import { nodeAt } from '../yaml/located.js';
import { unifiedPatch, type FileChange } from '../fix/patch.js';
import { RULES } from '../rules/index.js';
import type { Rule } from '../rules/types.js';
import { InputError, UsageError } from '../util/errors.js';
import { readInputFile } from '../util/read-file.js';
import { checkOutputTarget, writeOutputFile } from '../util/write-file.js';
import { checkDetailed, type CheckOptions } from './check.js';
import { maskedEdit, projectInputs } from './sources.js';

export interface FixOptions extends Omit<CheckOptions, 'rules'> {
  /** Fix only these rules' findings (`--rule`, repeatable); default: every rule that has a fix. */
  ruleIds?: readonly string[];
  /** Image as written → `sha256:…` (`--digest`, `--lock`), for image-no-digest. */
  digests?: ReadonlyMap<string, string>;
  /** Write the edits (`--write`); by default nothing is written. */
  write?: boolean;
}

export interface FixResult {
  /** The check before any fix. */
  before: Report;
  /** The check of the fixed files (written or not): what is left. */
  after: Report;
  /** Every fix made, in the order of the passes (`pass` says which). */
  applied: AppliedFix[];
  /** The fixes refused in the last pass: the findings they were for are still there. */
  refused: RefusedFix[];
  /** Each changed file, from what was read to what the last pass left. */
  changes: FileChange[];
  /** The unified diff of every change, with a `#` header per file naming its fixes. */
  patch: string;
  /** Files written (with `write`). */
  written: string[];
  /** Every file the run read (compose, extends, env, config): what `-o` must never replace. */
  inputs: string[];
  /** Passes that fixed something (each checks the previous one's output; 0 when nothing was fixable). */
  passes: number;
  /** Whether `MAX_FIX_PASSES` ran out while fixes still applied (ESLint stops there too). */
  stoppedAtMaxPasses: boolean;
  /** What the user must know beyond the diff: an app-compose.json edit changes the compose hash. */
  notes: string[];
}

/** The rules that have a fix. */
export const FIXABLE_RULES: readonly Rule[] = RULES.filter((r) => r.fix);

/** ESLint's limit: a fix can make another apply (a probe makes depends-on-unhealthy fire), so fixing repeats. */
export const MAX_FIX_PASSES = 10;

/** One file's change so far: what was read, what the passes made of it, and the edits between the two. */
interface Accumulated {
  file: string;
  abs: string;
  original: string;
  text: string;
  created: boolean;
  edits: TextEdit[];
  masked: { before: string; after: string } | undefined;
  /** An app-compose.json (its hash is measured into the CVM's attestation). */
  manifest: boolean;
}

/**
 * `preflight fix`: check, stage the fixes of the findings (ESLint's `--fix-dry-run` by default), and
 * repeat on the fixed texts until a pass fixes nothing (at most `MAX_FIX_PASSES`, as ESLint), then
 * with `write` write them through the safe writer.
 */
export function fix(paths: string[], options: FixOptions = {}): FixResult {
  const cwd = options.cwd ?? process.cwd();
  const rules = selectRules(options.ruleIds);
  const digests = options.digests ?? new Map<string, string>();
  // A rule named with --rule runs even when it is opt-in: naming it is turning it on (ESLint's --rule).
  const checkOptions = { ...options, ...(options.ruleIds?.length && { enableOptIn: options.ruleIds }) };
  const first = checkDetailed(paths, checkOptions);
  const files = new Map<string, Accumulated>();
  const overlay = new Map<string, string>();
  const applied: AppliedFix[] = [];
  let refused: RefusedFix[] = [];
  let current = first;
  let passes = 0;
  let settled = false;
  for (;;) {
    const pass = fixPass(current, rules, { cwd, digests, overlay });
    // The refusals of the pass that found nothing more to fix: their findings are what is left.
    refused = pass.refused;
    settled = !pass.changed.length;
    if (settled || passes === MAX_FIX_PASSES) break;
    passes++;
    applied.push(...pass.applied.map((a) => ({ ...a, pass: passes })));
    for (const c of pass.changed) {
      const known = files.get(c.abs);
      if (known) {
        known.edits = composeEdits(known.original, known.edits, c.edits);
        known.text = c.after;
      } else
        files.set(c.abs, {
          file: c.file,
          abs: c.abs,
          original: c.before,
          text: c.after,
          created: c.created,
          edits: c.edits,
          masked: undefined,
          manifest: c.manifest === true,
        });
      overlay.set(c.abs, c.after);
      // Masked against what the first pass knew: the secrets of the files as they were read.
      const acc = files.get(c.abs)!;
      acc.masked = maskedEdit(c.project, acc.file, acc.original, acc.text);
    }
    current = checkDetailed(paths, { ...checkOptions, overlay });
  }
  const changes: FileChange[] = [...files.values()]
    .filter((f) => f.text !== f.original)
    .map((f) => ({
      file: f.file,
      before: f.original,
      after: f.text,
      created: f.created,
      masked: f.masked,
      edits: f.edits,
    }));
  const absOf = new Map([...files.values()].map((f) => [f.file, f.abs]));
  const written: string[] = [];
  if (options.write) {
    // Every file is checked before the first is written: a refusal leaves all of them as they were.
    for (const c of changes) verifyUnchanged(c, absOf.get(c.file)!);
    for (const c of changes) writeChange(c, absOf.get(c.file)!);
    written.push(...changes.map((c) => c.file));
  }
  // The last check ran on the fixed texts (the overlay, now also what was written).
  const after = current.report;
  const notes = [...files.values()].filter((f) => f.manifest && f.text !== f.original).map(hashNote);
  const patch = unifiedPatch(changes, applied, notes);
  return {
    before: first.report,
    after,
    applied,
    refused,
    changes,
    patch,
    written,
    inputs: projectInputs(first.projects, cwd),
    passes,
    stoppedAtMaxPasses: !settled,
    notes,
  };
}

/** One file a pass changed: its text before the pass, after it, and the edits between them. */
interface PassChange {
  file: string;
  abs: string;
  before: string;
  after: string;
  created: boolean;
  edits: TextEdit[];
  project: Project;
  manifest?: boolean;
}

/** One pass: the fixes of the findings of one check, staged on the texts that check read. */
function fixPass(
  checked: { report: Report; projects: Project[] },
  rules: readonly Rule[],
  opts: { cwd: string; digests: ReadonlyMap<string, string>; overlay: ReadonlyMap<string, string> },
): { applied: AppliedFix[]; refused: RefusedFix[]; changed: PassChange[] } {
  const applied: AppliedFix[] = [];
  const refused: RefusedFix[] = [];
  const changed: PassChange[] = [];
  const seen = new Set<string>();
  for (const project of checked.projects) {
    const mine = checked.report.findings.filter((f) => project.sources.has(f.file) || f.file === project.config.file);
    const planned = planProjectFixes(project, mine, rules, opts);
    applied.push(...planned.applied);
    refused.push(...planned.refused);
    const manifest = manifestChange(project, planned.edits);
    if (manifest) {
      seen.add(manifest.abs);
      if (manifest.after !== manifest.before) changed.push(manifest);
    }
    for (const editor of planned.edits.editors.values()) {
      // A file several projects read (a shared .preflight.yml) takes the first project's edits.
      if (!editor.changed || seen.has(editor.abs) || editor.file.endsWith(EMBEDDED_COMPOSE_SUFFIX)) continue;
      seen.add(editor.abs);
      const after = editor.render();
      if (after === editor.text) continue;
      const created =
        editor.text === '' &&
        !opts.overlay.has(editor.abs) &&
        !project.sources.has(editor.file) &&
        editor.file !== project.config.file;
      changed.push({
        file: editor.file,
        abs: editor.abs,
        before: editor.text,
        after,
        created,
        edits: editor.edits(),
        project,
      });
    }
  }
  return { applied, refused, changed };
}

function selectRules(ids: readonly string[] | undefined): readonly Rule[] {
  if (!ids?.length) return FIXABLE_RULES;
  return ids.map((id) => {
    const rule = RULES.find((r) => r.id === id);
    if (!rule) throw new UsageError(`--rule ${id}: no check rule has this id (\`preflight rules\` lists them)`);
    if (!rule.fix)
      throw new UsageError(`--rule ${id}: this rule has no fix (fixes: ${FIXABLE_RULES.map((r) => r.id).join(', ')})`);
    return rule;
  });
}

/**
 * Writes one fixed file: only when it still holds what was read (an editor or a formatter may have
 * changed it since), through the safe writer (temporary file renamed into place, no symbolic link).
 */
function verifyUnchanged(change: FileChange, abs: string): void {
  if (change.created) {
    checkOutputTarget(abs, { display: change.file, refuseExisting: true, forceFlag: 'removing it' });
    return;
  }
  checkOutputTarget(abs, { display: change.file, force: true });
  if (readInputFile(abs, { display: change.file }) !== change.before)
    throw new InputError('changed since preflight read it; nothing was written, run fix again', { file: change.file });
}

function writeChange(change: FileChange, abs: string): void {
  if (change.created)
    writeOutputFile(abs, change.after, { display: change.file, refuseExisting: true, forceFlag: 'removing it' });
  else writeOutputFile(resolve(abs), change.after, { display: change.file, force: true });
}

/**
 * The change of an app-compose.json: its own fields' edits (a deployment setting) and the edits of
 * the compose file embedded in it, spliced into its `docker_compose_file` string; undefined when
 * neither changed.
 */
function manifestChange(project: Project, edits: ProjectEdits): PassChange | undefined {
  const m = project.manifest;
  if (!m?.compose) return undefined;
  const own = edits.editors.get(m.file);
  const inner = edits.editors.get(m.compose.file);
  if (!own?.changed && !inner?.changed) return undefined;
  const literal = nodeAt(m.tree, ['docker_compose_file']).node!.loc;
  const all = [
    ...(own?.changed ? own.edits() : []),
    ...(inner?.changed ? embeddedEdits(m.source.text, literal, inner.edits(), m.file) : []),
  ].sort((a, b) => a.start - b.start || a.end - b.end);
  const before = m.source.text;
  return {
    file: m.file,
    abs: own?.abs ?? edits.abs(m.file),
    before,
    after: applyEdits(before, all),
    created: false,
    edits: all,
    project,
    manifest: true,
  };
}

/** The compose hash is of the manifest's bytes (docs/platform.md#compose-hash): any edit changes it. */
function hashNote(f: Accumulated): string {
  const before = composeHashOfText(f.original, f.file);
  const after = composeHashOfText(f.text, f.file);
  return (
    `${f.file}: the compose hash changes (canonical form) from ${before} to ${after}: ` +
    'the updated CVM attests the new one, an on-chain KMS must allow it before the update, ' +
    'and whoever verifies the app by its hash needs it (docs/platform.md#compose-hash)'
  );
}

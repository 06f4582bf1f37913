import { resolve } from 'node:path';
import type { Report } from '../findings/types.js';
import { planProjectFixes, type AppliedFix, type RefusedFix } from '../fix/apply.js';
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
  applied: AppliedFix[];
  refused: RefusedFix[];
  changes: FileChange[];
  /** The unified diff of every change, with a `#` header per file naming its fixes. */
  patch: string;
  /** Files written (with `write`). */
  written: string[];
  /** Every file the run read (compose, extends, env, config): what `-o` must never replace. */
  inputs: string[];
}

/** The rules that have a fix. */
export const FIXABLE_RULES: readonly Rule[] = RULES.filter((r) => r.fix);

/**
 * `preflight fix`: check, stage the fixes of the findings (ESLint's `--fix-dry-run` by default),
 * re-check the edited texts, and with `write` write them through the safe writer.
 */
export function fix(paths: string[], options: FixOptions = {}): FixResult {
  const cwd = options.cwd ?? process.cwd();
  const rules = selectRules(options.ruleIds);
  const { report: before, projects } = checkDetailed(paths, options);
  const applied: AppliedFix[] = [];
  const refused: RefusedFix[] = [];
  const changes: FileChange[] = [];
  const overlay = new Map<string, string>();
  const absOf = new Map<string, string>();
  for (const project of projects) {
    const mine = before.findings.filter((f) => project.sources.has(f.file) || f.file === project.config.file);
    const planned = planProjectFixes(project, mine, rules, { cwd, digests: options.digests ?? new Map() });
    applied.push(...planned.applied);
    refused.push(...planned.refused);
    for (const editor of planned.edits.editors.values()) {
      if (!editor.changed || absOf.has(editor.file)) continue;
      const after = editor.render();
      const created = editor.text === '' && !project.sources.has(editor.file) && editor.file !== project.config.file;
      const masked = maskedEdit(project, editor.file, editor.text, after);
      changes.push({ file: editor.file, before: editor.text, after, created, masked, edits: editor.edits() });
      overlay.set(editor.abs, after);
      absOf.set(editor.file, editor.abs);
    }
  }
  const written: string[] = [];
  if (options.write) {
    // Every file is checked before the first is written: a refusal leaves all of them as they were.
    for (const c of changes) verifyUnchanged(c, absOf.get(c.file)!);
    for (const c of changes) writeChange(c, absOf.get(c.file)!);
    written.push(...changes.map((c) => c.file));
  }
  const after = checkDetailed(paths, { ...options, overlay: options.write ? undefined : overlay }).report;
  const patch = unifiedPatch(changes, applied);
  return { before, after, applied, refused, changes, patch, written, inputs: projectInputs(projects, cwd) };
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

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { it } from 'node:test';
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { fix, type FixResult } from '../../src/commands/fix.js';
import { discoverRecursive } from '../../src/compose/discover.js';
import type { TextEdit } from '../../src/findings/types.js';
import { NODE_EXPORTER_SERVICE } from '../../src/knowledge/fix-templates.js';
import { REPO_ROOT } from '../support/cli.js';
import { CORPUS_DIR, describeCorpus } from '../support/corpus.js';

/**
 * Every project of the shared corpus, fixed (dry run, every rule that has a fix, a made-up digest
 * for every image so image-no-digest is exercised): each changed file must parse, differ from the
 * original only inside the edits (the parsed values outside them equal, the text outside them
 * byte for byte), `check` of the fixed files must no longer report the fixed findings, and no
 * corpus file may have been written.
 */
type Segment = string | number;

interface Region {
  path: Segment[];
  /** An insertion: under `path` only new keys or items may appear; what was there stays equal. */
  addOnly: boolean;
}

describeCorpus('preflight fix round trip over the shared corpus', { timeout: 600_000 }, () => {
  const projects = discoverRecursive(CORPUS_DIR);
  const totals = { projects: 0, files: 0, applied: 0, refused: 0, laterPasses: 0, maxPasses: 0, embedded: 0 };
  const perRule = new Map<string, { applied: number; refused: number }>();
  const reasons = new Map<string, number>();

  for (const project of projects) {
    const label = relative(CORPUS_DIR, project.dir) || '.';
    it(label, () => {
      const target = project.kind === 'app-compose' ? [project.files[0]!] : [];
      const files = project.kind === 'app-compose' ? undefined : project.files;
      const originals = new Map(project.files.map((f) => [f, readFileSync(f, 'utf8')]));
      const digests = new Map<string, string>();
      // Every image gets a digest (a stand-in: the round trip is about the edit, not the registry),
      // the node-exporter a fix adds too: a later pass then pins it.
      for (const text of [...originals.values(), `image: ${NODE_EXPORTER_SERVICE.definition.image}`])
        for (const m of text.matchAll(/^\s*image:\s*["']?([^\s"'#]+)/gm))
          digests.set(m[1]!, `sha256:${createHash('sha256').update(m[1]!).digest('hex')}`);
      const result = fix(target, { files, cwd: REPO_ROOT, digests });
      totals.projects++;
      totals.files += result.changes.length;
      totals.applied += result.applied.length;
      totals.refused += result.refused.length;
      totals.laterPasses += result.applied.filter((a) => (a.pass ?? 1) > 1).length;
      totals.maxPasses = Math.max(totals.maxPasses, result.passes);
      assert.equal(result.stoppedAtMaxPasses, false, `${label}: the fixes settle before the pass limit`);
      for (const a of result.applied) count(perRule, a.ruleId).applied++;
      for (const r of result.refused) {
        count(perRule, r.ruleId).refused++;
        const reason = `${r.ruleId}: ${r.reason.replace(/"[^"]*"|\S+\.(ya?ml|json)\S*|sha256:\S+|\$\{[^}]*\}|[\w./-]+:[\w.-]+/g, '…')}`;
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
      for (const change of result.changes) {
        assertOnlyEdited(change, `${label}: ${change.file}`);
        const embedded = embeddedChange(change);
        if (embedded) assertOnlyEdited(embedded, `${label}: ${change.file}#docker_compose_file`);
        if (embedded) totals.embedded++;
      }
      assertFixedFindingsGone(result, label);
      for (const [f, text] of originals) assert.equal(readFileSync(f, 'utf8'), text, `${f} was not written`);
    });
  }

  it('summary', () => {
    assert.ok(totals.projects > 0, 'the corpus has projects');
    assert.ok(totals.applied > 0, 'some fix applied');
    // A fix another fix made apply (a probe → depends-on-unhealthy, an added node-exporter → its digest).
    assert.ok(totals.laterPasses > 0, 'some fix applied in a later pass');
    assert.ok(totals.embedded > 0, 'some compose file embedded in an app-compose.json was fixed');
    const lines = [
      `# fix round trip: ${totals.projects} projects, ${totals.files} files changed, ${totals.applied} fixes applied (${totals.laterPasses} in a later pass; at most ${totals.maxPasses} passes; ${totals.embedded} embedded compose files), ${totals.refused} refused`,
      ...[...perRule].map(([id, n]) => `#   ${id}: ${n.applied} applied, ${n.refused} refused`),
      ...[...reasons].sort((a, b) => b[1] - a[1]).map(([r, n]) => `#   refused ${n}× ${r}`),
    ];
    process.stderr.write(`${lines.join('\n')}\n`);
  });
});

/**
 * The change of the compose file embedded in an app-compose.json (its decoded `docker_compose_file`
 * before and after, the manifest's edits inside the string literal as edits of the decoded text), so
 * the embedded YAML is held to what a compose file is; undefined when the string did not change.
 */
function embeddedChange(change: { file: string; before: string; after: string; edits: TextEdit[] }) {
  if (!change.file.endsWith('.json')) return undefined;
  const before = JSON.parse(change.before).docker_compose_file;
  const after = JSON.parse(change.after).docker_compose_file;
  if (typeof before !== 'string' || before === after) return undefined;
  // Where each decoded offset of the string is written in the manifest (escapes counted).
  const key = change.before.indexOf('"docker_compose_file"');
  let raw = change.before.indexOf('"', change.before.indexOf(':', key) + 1) + 1;
  const decodedAt = new Map<number, number>();
  for (let i = 0; ; i++) {
    decodedAt.set(raw, i);
    if (change.before[raw] === '"') break;
    raw += change.before[raw] === '\\' ? (change.before[raw + 1] === 'u' ? 6 : 2) : 1;
  }
  const edits = change.edits
    .filter((e) => decodedAt.has(e.start) && decodedAt.has(e.end) && e.end <= raw)
    .map((e) => ({
      ...e,
      start: decodedAt.get(e.start)!,
      end: decodedAt.get(e.end)!,
      text: JSON.parse(`"${e.text}"`),
    }));
  return { before, after, edits, created: false };
}

function count(map: Map<string, { applied: number; refused: number }>, id: string) {
  let c = map.get(id);
  if (!c) map.set(id, (c = { applied: 0, refused: 0 }));
  return c;
}

function assertOnlyEdited(
  change: { before: string; after: string; edits: TextEdit[]; created: boolean },
  label: string,
): void {
  const after = parseDocument(change.after, { merge: false, uniqueKeys: false });
  assert.deepEqual(after.errors.map(String), [], `${label}: the fixed file parses`);
  if (change.created) return;
  // The text outside the edits is the original, byte for byte, and the edits do not overlap.
  let rebuilt = '';
  let at = 0;
  for (const e of change.edits) {
    assert.ok(e.start >= at, `${label}: edits overlap at ${e.start}`);
    rebuilt += change.before.slice(at, e.start) + e.text;
    at = e.end;
  }
  assert.equal(rebuilt + change.before.slice(at), change.after, `${label}: only the edits differ`);
  // The values outside the edited regions are equal.
  const before = parseDocument(change.before, { merge: false, uniqueKeys: false });
  const regions = change.edits.flatMap((e) => regionsOf(before, change.before, e));
  const diffs: (Segment[] & { added?: boolean })[] = [];
  compare(before.toJS({ maxAliasCount: -1 }), after.toJS({ maxAliasCount: -1 }), [], diffs);
  for (const d of diffs) {
    const ok = regions.some((r) => within(d, r));
    assert.ok(ok, `${label}: ${d.join('.')} changed outside the edits (${JSON.stringify(regions)})`);
  }
}

/**
 * The written nodes an edit may change: the deepest value a replacement lies in; for an insertion,
 * each collection whose end it is at (where several end together, the test cannot tell which one
 * the fix meant, so any of them may gain a new key or item, and nothing else).
 */
function regionsOf(doc: Document, text: string, edit: TextEdit): Region[] {
  const insert = edit.start === edit.end;
  const found: Region[] = [];
  let best: Segment[] = [];
  const visit = (node: unknown, path: Segment[]) => {
    const n = node as YamlNode | null;
    if (!n?.range) return;
    const [start, valueEnd, nodeEnd] = n.range;
    // A collection whose last line has no line break inside its range ends with that line.
    const eol = text.indexOf('\n', nodeEnd);
    const end = eol === -1 ? text.length : eol + 1;
    const inside = insert ? start <= edit.start && edit.start <= end : start <= edit.start && edit.end <= valueEnd;
    if (!inside) return;
    if (insert && (isMap(n) || isSeq(n))) found.push({ path, addOnly: true });
    // Text inserted inside a string (the compose file embedded in app-compose.json) changes that string.
    if (insert && isScalar(n) && start < edit.start && edit.start < valueEnd) found.push({ path, addOnly: false });
    if (path.length >= best.length) best = path;
    if (isMap(n)) for (const p of n.items) visit(p.value, [...path, String((p.key as { value?: unknown })?.value)]);
    if (isSeq(n))
      n.items.forEach((item, i) => {
        visit(item, [...path, i]);
      });
  };
  visit(doc.contents, []);
  return insert ? found : [{ path: best, addOnly: false }];
}

function compare(a: unknown, b: unknown, path: Segment[], out: (Segment[] & { added?: boolean })[]): void {
  const obj = (v: unknown) => v !== null && typeof v === 'object';
  if (obj(a) && obj(b) && Array.isArray(a) === Array.isArray(b)) {
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    for (const k of kb) {
      const seg = Array.isArray(b) ? Number(k) : k;
      if (!ka.includes(k)) out.push(Object.assign([...path, seg], { added: true }));
      else compare((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], [...path, seg], out);
    }
    for (const k of ka) if (!kb.includes(k)) out.push([...path, Array.isArray(a) ? Number(k) : k]);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push([...path]);
}

function within(d: Segment[] & { added?: boolean }, r: Region): boolean {
  if (d.length < r.path.length || !r.path.every((seg, i) => String(d[i]) === String(seg))) return false;
  return !r.addOnly || (d.added === true && d.length === r.path.length + 1);
}

/** `check` of the fixed texts has, per rule and service, at most as many findings as were left unfixed. */
function assertFixedFindingsGone(result: FixResult, label: string): void {
  const key = (ruleId: string, service?: string) => `${ruleId}|${service ?? ''}`;
  const tally = (items: { ruleId: string; service?: string }[]) => {
    const m = new Map<string, number>();
    for (const i of items) m.set(key(i.ruleId, i.service), (m.get(key(i.ruleId, i.service)) ?? 0) + 1);
    return m;
  };
  const fixed = tally(result.applied);
  const before = tally(result.before.findings.flatMap(servicesOf));
  const after = tally(result.after.findings.flatMap(servicesOf));
  for (const [k, n] of fixed) {
    const left = after.get(k) ?? 0;
    assert.ok(
      left <= Math.max(0, (before.get(k) ?? 0) - n),
      `${label}: ${k} still reported ${left}× after ${n} fix(es)`,
    );
  }
}

/** A finding once per service it names (merged findings name several). */
function servicesOf(f: FixResult['after']['findings'][number]): { ruleId: string; service?: string }[] {
  const services = new Set([f.service, ...(f.related ?? []).map((r) => r.service)].filter((s) => s !== undefined));
  return services.size ? [...services].map((service) => ({ ruleId: f.ruleId, service })) : [{ ruleId: f.ruleId }];
}

import type { VolumeDiff } from '../../findings/drill-report.js';
import type { ExpectedChange, FileChange } from './config.js';
import type { VolumeFingerprint } from './fingerprint.js';

export type { VolumeDiff };

export function compareVolume(
  before: VolumeFingerprint,
  after: VolumeFingerprint | undefined,
  expect: readonly ExpectedChange[],
  mountedByNew: boolean,
): VolumeDiff {
  const d: VolumeDiff = {
    volume: before.volume,
    key: before.key,
    before: { files: before.fileCount, bytes: before.bytes },
    ...(after ? { after: { files: after.fileCount, bytes: after.bytes } } : {}),
    orphaned: !mountedByNew,
    deleted: [],
    shrunk: [],
    rewritten: [],
    expected: [],
    grown: 0,
    added: 0,
    unchanged: 0,
  };
  const incomplete = before.incomplete ?? after?.incomplete;
  if (incomplete) d.incomplete = incomplete;
  if (!after) return d;
  const allowed = (path: string, change: FileChange) =>
    expect.find(
      (e) => (e.volume === before.key || e.volume === before.volume) && e.changes.includes(change) && e.glob.test(path),
    );
  const note = (path: string, change: FileChange) => {
    const ok = allowed(path, change);
    if (ok) d.expected.push({ path, change, pattern: ok.pattern });
    else (change === 'deleted' ? d.deleted : change === 'shrunk' ? d.shrunk : d.rewritten).push(path);
  };
  for (const [path, old] of Object.entries(before.files)) {
    const now = after.files[path];
    if (!now) {
      // A listing cut short by a bound cannot tell deleted files from unlisted ones.
      if (!after.incomplete) note(path, 'deleted');
    } else if (now.sha256 === old.sha256) d.unchanged++;
    else if (now.size < old.size) note(path, 'shrunk');
    else if (now.prefixOfOld === old.sha256) d.grown++;
    else note(path, 'rewritten');
  }
  d.added = Object.keys(after.files).filter((p) => !(p in before.files)).length;
  for (const list of [d.deleted, d.shrunk, d.rewritten]) list.sort();
  return d;
}

/** One line per volume for the text report. */
export function describeVolumeDiff(d: VolumeDiff): string {
  const size = (n: { files: number; bytes: number }) => `${n.files} file${n.files === 1 ? '' : 's'}, ${n.bytes} B`;
  if (d.orphaned) return `${d.key} (${d.volume}): NOT MOUNTED by NEW — ${size(d.before)} orphaned`;
  const parts = [
    d.deleted.length ? `${d.deleted.length} deleted` : '',
    d.shrunk.length ? `${d.shrunk.length} shrunk` : '',
    d.rewritten.length ? `${d.rewritten.length} rewritten` : '',
    d.expected.length ? `${d.expected.length} expected change${d.expected.length === 1 ? '' : 's'}` : '',
    `${d.grown} grown`,
    `${d.added} added`,
    `${d.unchanged} unchanged`,
  ].filter(Boolean);
  return (
    `${d.key} (${d.volume}): before ${size(d.before)}${d.after ? `, after ${size(d.after)}` : ''} ` +
    `— ${parts.join(', ')}${d.incomplete ? ` (incomplete: ${d.incomplete})` : ''}`
  );
}

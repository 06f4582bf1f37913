// A node:test reporter (`--test-reporter=<this file>`) that scripts/run-tests.mjs runs beside node's own
// reporter. It writes JSON lines for the runner's closing summary: each skipped, todo or failed test with
// the names of the suites around it, and node's final counts.
//   {"test": {"outcome": "skip"|"todo"|"fail", "file", "path": [suite…, test], "reason"}}
//   {"counts": {"tests": N, "suites": N, "pass": N, "fail": N, "cancelled": N, "skipped": N, "todo": N}}
import { relative } from 'node:path';

export default async function* summaryReporter(source) {
  // Files run one at a time and a test finishes after everything inside it, so an entry waits at its
  // nesting level until the suite around it finishes and prepends its name. (Keyed by nesting alone: a
  // suite declared by a helper, e.g. describeDocker, carries the helper's file, not the test file's.)
  const pending = new Map(); // nesting -> entries
  const take = (nesting) => {
    const list = pending.get(nesting) ?? [];
    pending.delete(nesting);
    return list;
  };
  const counts = {};
  for await (const event of source) {
    const { type, data } = event;
    if (type === 'test:diagnostic' && data.nesting === 0) {
      const m = /^(tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(data.message);
      if (m) counts[m[1]] = Number(m[2]);
      continue;
    }
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    const file = data.file ? relative(process.cwd(), data.file) : '';
    const inner = take(data.nesting + 1);
    for (const entry of inner) {
      entry.path.unshift(data.name);
      if (!entry.file || entry.file.startsWith('test/support/')) entry.file = file;
    }
    const list = pending.get(data.nesting) ?? [];
    list.push(...inner);
    const isSuite = data.details?.type === 'suite';
    let outcome;
    if (type === 'test:fail' && !isSuite) outcome = 'fail';
    else if (type === 'test:fail' && !inner.some((e) => e.outcome === 'fail'))
      outcome = 'fail'; // by itself (a hook)
    else if (data.skip !== undefined && data.skip !== false) outcome = 'skip';
    else if (data.todo !== undefined && data.todo !== false) outcome = 'todo';
    if (outcome) {
      const reason = typeof data.skip === 'string' ? data.skip : typeof data.todo === 'string' ? data.todo : undefined;
      const error = outcome === 'fail' ? firstLine(data.details?.error) : undefined;
      list.push({ outcome, file, path: [data.name], reason: reason ?? error });
    }
    pending.set(data.nesting, list);
  }
  for (const list of pending.values()) for (const entry of list) yield `${JSON.stringify({ test: entry })}\n`;
  yield `${JSON.stringify({ counts })}\n`;
}

function firstLine(error) {
  if (!error) return undefined;
  const cause = error.cause ?? error;
  const text = cause instanceof Error ? cause.message : String(cause?.message ?? cause);
  return text.split('\n')[0].slice(0, 200);
}

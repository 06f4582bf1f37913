import { failsAt, type FailOn } from '../findings/order.js';
import { SECTIONS, type Finding, type Report } from '../findings/types.js';
import { checkedSections } from './checked.js';
import { fixText, type MetaLookup } from './rule-meta.js';

export interface JunitOptions {
  meta: MetaLookup;
  /**
   * The `--fail-on` threshold (default `error`, the CLI's): findings at or above it are failed
   * testcases, the others passing testcases whose output says what was found, so a CI test tab
   * agrees with the exit code. `never`: nothing fails.
   */
  failOn?: FailOn;
}

/**
 * JUnit XML for CI test tabs (GitLab, Jenkins, Azure, GitHub test reporters). One <testsuite> per
 * checklist section; one <testcase> per finding (so each shows up by name with its location and
 * fix hint): `<failure>` at or above `--fail-on`, else passed with the finding as `<system-out>`
 * (those consumers count only `<failure>`/`<error>` as failed); skipped for suppressed ones. A
 * section with no findings gets one passing case, so a clean section is visible as passed rather
 * than absent; a section no rule that ran covers gets one skipped case ("not checked"). A project
 * that could not be loaded is an `<error>` case in a suite of its own ("input").
 */
export function renderJunit(report: Report, opts: JunitOptions): string {
  const meta = opts.meta;
  const failOn = opts.failOn ?? 'error';
  const checked = checkedSections(report);
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const section of SECTIONS) {
    const found = report.findings.filter((f) => f.section === section);
    const hidden = report.suppressed.filter((f) => f.section === section);
    const cases: string[] = [];
    let sectionFailures = 0;
    let sectionSkipped = hidden.length;
    for (const f of found) {
      const failing = failsAt([f], failOn);
      if (failing) sectionFailures++;
      cases.push(testcase(section, f, failing ? 'failure' : 'pass', meta));
    }
    for (const f of hidden)
      cases.push(testcase(section, f, 'skipped', meta, `suppressed (${f.suppression.kind}): ${f.suppression.reason}`));
    if (!checked.has(section)) {
      sectionSkipped++;
      cases.push(
        `    <testcase classname="preflight.${section}" name="${attr(`${section}: not checked`)}">\n      ` +
          `<skipped message="no rule that ran covers this section"/>\n    </testcase>`,
      );
    } else if (!found.length && !hidden.length)
      cases.push(`    <testcase classname="preflight.${section}" name="${attr(`${section}: no findings`)}"/>`);
    const score = checked.has(section) ? report.score.sections[section] : 'not checked';
    suites.push(
      `  <testsuite name="${attr(section)}" tests="${cases.length}" failures="${sectionFailures}" errors="0" ` +
        `skipped="${sectionSkipped}">\n` +
        (`    <properties>\n      <property name="score" value="${score}"/>\n      <property name="fail-on" ` +
          `value="${failOn}"/>\n    </properties>\n`) +
        cases.join('\n') +
        '\n  </testsuite>',
    );
    tests += cases.length;
    failures += sectionFailures;
    skipped += sectionSkipped;
  }
  const failed = report.targets.filter((t) => t.error);
  if (failed.length) {
    const cases = failed.map((t) => {
      const e = t.error!;
      const file = e.file ?? t.files[0] ?? t.dir;
      return (
        `    <testcase classname="preflight.input" name="${attr(`${t.dir}: not loaded`)}" ` +
        `file="${attr(file.split('#')[0]!)}"${e.line ? ` line="${e.line}"` : ''}>\n      <error type="input-error" ` +
        `message="${attr(e.message)}">${text(e.message)}</error>\n    </testcase>`
      );
    });
    suites.push(
      `  <testsuite name="input" tests="${cases.length}" failures="0" errors="${cases.length}" ` +
        `skipped="0">\n${cases.join('\n')}\n  </testsuite>`,
    );
    tests += cases.length;
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    (`<testsuites name="${attr(`${report.tool.name} check`)}" tests="${tests}" failures="${failures}" ` +
      `errors="${failed.length}" skipped="${skipped}">\n`) +
    suites.join('\n') +
    '\n</testsuites>\n'
  );
}

function testcase(
  section: string,
  f: Finding,
  outcome: 'failure' | 'pass' | 'skipped',
  meta: MetaLookup,
  skipReason?: string,
): string {
  const where = `${f.file}:${f.line}:${f.column}`;
  const name = `${f.ruleId}${f.service ? ` [${f.service}]` : ''} ${where}`;
  const open =
    `    <testcase classname="preflight.${attr(section)}" name="${attr(name)}" ` +
    `file="${attr(f.file.split('#')[0]!)}" line="${f.line}"`;
  const fix = fixText(f, meta);
  const body = [`${f.severity} ${where} ${f.ruleId}`, f.message, fix ? `fix: ${fix}` : ''].filter(Boolean).join('\n');
  if (outcome === 'failure') {
    return (
      `${open}>\n      <failure type="${attr(f.severity)}" ` +
      `message="${attr(f.message)}">${text(body)}</failure>\n    </testcase>`
    );
  }
  if (outcome === 'skipped')
    return `${open}>\n      <skipped message="${attr(skipReason ?? 'suppressed')}"/>\n    </testcase>`;
  return `${open}>\n      <system-out>${text(body)}</system-out>\n    </testcase>`;
}

/** Characters XML 1.0 cannot carry at all (control characters other than tab, newline, CR). */
// eslint-disable-next-line no-control-regex
const INVALID_XML = new RegExp(
  [
    String.raw`[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]`,
    String.raw`[\uD800-\uDBFF](?![\uDC00-\uDFFF])`, // a high surrogate without its low half
    String.raw`(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]`, // a low surrogate without its high half
  ].join('|'),
  'g',
);

function text(s: string): string {
  return s.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

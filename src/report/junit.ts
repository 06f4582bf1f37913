import { ruleMeta } from '../findings/catalog.js';
import { SECTIONS, type Finding, type Report } from '../findings/types.js';

/**
 * JUnit XML for CI test tabs (GitLab, Jenkins, Azure, GitHub test reporters). One <testsuite> per
 * checklist section; one <testcase> per finding (so each shows up by name with its location and
 * fix hint), failed for errors and warnings, passed with a note for info findings, skipped for
 * suppressed ones. A section with no findings gets one passing case, so a clean section is visible
 * as passed rather than absent.
 */
export function renderJunit(report: Report): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const section of SECTIONS) {
    const found = report.findings.filter((f) => f.section === section);
    const hidden = report.suppressed.filter((f) => f.section === section);
    const cases: string[] = [];
    let sectionFailures = 0;
    for (const f of found) {
      const failing = f.severity !== 'info';
      if (failing) sectionFailures++;
      cases.push(testcase(section, f, failing ? 'failure' : 'pass'));
    }
    for (const f of hidden)
      cases.push(testcase(section, f, 'skipped', `suppressed (${f.suppression.kind}): ${f.suppression.reason}`));
    if (!found.length && !hidden.length)
      cases.push(`    <testcase classname="preflight.${section}" name="${attr(`${section}: no findings`)}"/>`);
    const score = report.score.sections[section];
    suites.push(
      `  <testsuite name="${attr(section)}" tests="${cases.length}" failures="${sectionFailures}" errors="0" skipped="${hidden.length}">\n` +
        `    <properties>\n      <property name="score" value="${score}"/>\n    </properties>\n` +
        cases.join('\n') +
        '\n  </testsuite>',
    );
    tests += cases.length;
    failures += sectionFailures;
    skipped += hidden.length;
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="${attr(`${report.tool.name} check`)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">\n` +
    suites.join('\n') +
    '\n</testsuites>\n'
  );
}

function testcase(section: string, f: Finding, outcome: 'failure' | 'pass' | 'skipped', skipReason?: string): string {
  const where = `${f.file}:${f.line}:${f.column}`;
  const name = `${f.ruleId}${f.service ? ` [${f.service}]` : ''} ${where}`;
  const open = `    <testcase classname="preflight.${attr(section)}" name="${attr(name)}" file="${attr(f.file.split('#')[0]!)}" line="${f.line}"`;
  const hint = ruleMeta(f.ruleId)?.fixHint;
  const body = [
    `${f.severity} ${where} ${f.ruleId}`,
    f.message,
    f.fix ? `fix: ${f.fix.description}` : hint ? `fix: ${hint}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  if (outcome === 'failure') {
    return `${open}>\n      <failure type="${attr(f.severity)}" message="${attr(f.message)}">${text(body)}</failure>\n    </testcase>`;
  }
  if (outcome === 'skipped')
    return `${open}>\n      <skipped message="${attr(skipReason ?? 'suppressed')}"/>\n    </testcase>`;
  return `${open}>\n      <system-out>${text(body)}</system-out>\n    </testcase>`;
}

/** Characters XML 1.0 cannot carry at all (control characters other than tab, newline, CR). */
// eslint-disable-next-line no-control-regex
const INVALID_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

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

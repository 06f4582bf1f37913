import { failsAt, type FailOn } from './order.js';
import type { Finding, Report } from './types.js';

/**
 * What turns a report into an exit code, as ESLint's CLI: 1 when a shown finding reaches `--fail-on`,
 * or when there are more warnings than `--max-warnings`, counted over every finding, shown or not
 * (ESLint 8 counts them so too: `--quiet --max-warnings 0` prints errors only and fails on a warning).
 */
export interface ExitPolicy {
  failOn: FailOn;
  /** Largest number of warnings that still passes; undefined or negative: no limit. */
  maxWarnings?: number;
}

export interface ExitVerdict {
  code: 0 | 1;
  /** Set when the warnings, not a finding at `--fail-on`, fail the run. */
  tooManyWarnings?: { count: number; max: number };
}

export function exitVerdict(shown: readonly Finding[], findings: readonly Finding[], policy: ExitPolicy): ExitVerdict {
  if (failsAt(shown, policy.failOn)) return { code: 1 };
  const max = policy.maxWarnings;
  if (max === undefined || max < 0) return { code: 0 };
  const count = findings.filter((f) => f.severity === 'warning').length;
  return count > max ? { code: 1, tooManyWarnings: { count, max } } : { code: 0 };
}

/**
 * `--quiet`: the report with its errors only. Scores stay those of the whole audit (hiding a warning
 * does not fix it); suppressed findings are kept when they are errors, as the rest.
 */
export function errorsOnly(report: Report): Report {
  return {
    ...report,
    findings: report.findings.filter((f) => f.severity === 'error'),
    suppressed: report.suppressed.filter((f) => f.severity === 'error'),
  };
}

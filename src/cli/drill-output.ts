import {
  type AnyDrillReport,
  DRILL_REPORT_FORMATS,
  type DrillReportFormat,
  renderDrillReport,
} from '../commands/drill.js';
import type { RunOutcome } from '../steps/index.js';
import { UsageError } from '../util/errors.js';
import type { SetExit } from './main.js';
import { type ReportDestination, writeReport } from './output.js';

/** The drills' --format: text, json or html. */
export function drillFormat(command: string, format: string): DrillReportFormat {
  if (!(DRILL_REPORT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`${command}: --format must be ${DRILL_REPORT_FORMATS.join(', ')}, got "${format}"`);
  return format as DrillReportFormat;
}

/**
 * After a drill ran: interrupted (SIGINT 130, SIGTERM 143, after its cleanup) it prints nothing;
 * otherwise the report, and exit 1 when a check failed.
 */
export function finishDrill(
  drill: AnyDrillReport,
  result: { failed: boolean; outcome: RunOutcome },
  format: DrillReportFormat,
  destination: ReportDestination,
  setExit: SetExit,
): void {
  const sig = result.outcome.signal;
  if (sig) process.exit(sig === 'SIGINT' ? 130 : 143);
  writeReport(renderDrillReport(drill, format), destination);
  setExit(result.failed ? 1 : 0);
}

import { checkOutputTarget, writeOutputFile } from '../util/write-file.js';
import { withOutputMarker } from '../util/output-marker.js';

/** Where a report goes: `-o FILE` (through the one safe writer, util/write-file.ts), else stdout. */
export interface ReportDestination {
  /** `-o` / `--output`; stdout when undefined. */
  file?: string;
  format: string;
  /** What the report is ("check report"), for the marker line of text files. */
  what: string;
  /** Files the run reads: the report never replaces one of them. */
  inputs?: readonly string[];
  /** `--force`: replace a file that is not a Preflight report. */
  force?: boolean;
}

/** Refuses a bad `-o` target before the work starts (a drill runs for minutes before it writes). */
export function checkReportDestination(dest: ReportDestination): void {
  if (dest.file) checkOutputTarget(dest.file, { inputs: dest.inputs, force: dest.force });
}

/** A report goes to `-o FILE` when given (marked as Preflight's, written safely), else to stdout. */
export function writeReport(text: string, dest: ReportDestination): void {
  if (!dest.file) {
    process.stdout.write(text);
    return;
  }
  writeOutputFile(dest.file, withOutputMarker(text, dest.format, dest.what), {
    inputs: dest.inputs,
    force: dest.force,
  });
}

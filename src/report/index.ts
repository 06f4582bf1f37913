import type { Report } from '../findings/types.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderSarif } from './sarif.js';
import type { Style } from './style.js';
import { renderText } from './text.js';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderOptions {
  sources?: ReadonlyMap<string, string>;
  style?: Style;
  /** SARIF: the directory relative file names are relative to (recorded as `%SRCROOT%`). */
  srcRoot?: string;
}

/** Every output format is a rendering of the same findings object. */
export function renderReport(report: Report, format: ReportFormat, opts: RenderOptions = {}): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'text':
      return renderText(report, opts);
    case 'sarif':
      return renderSarif(report, { srcRoot: opts.srcRoot });
    case 'junit':
      return renderJunit(report);
  }
}

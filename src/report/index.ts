import type { Report } from '../findings/types.js';
import { renderJson } from './json.js';
import type { Style } from './style.js';
import { renderText } from './text.js';

export const REPORT_FORMATS = ['text', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderOptions {
  sources?: ReadonlyMap<string, string>;
  style?: Style;
}

/** Every output format is a rendering of the same findings object. */
export function renderReport(report: Report, format: ReportFormat, opts: RenderOptions = {}): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'text':
      return renderText(report, opts);
  }
}

import type { Catalogue } from '../findings/catalogue.js';
import type { FailOn } from '../findings/order.js';
import type { Report } from '../findings/types.js';
import type { MaskedSources } from './excerpt.js';
import { renderGithub } from './github.js';
import { renderHtml } from './html/report.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { catalogueLookup } from './rule-meta.js';
import { renderSarif } from './sarif.js';
import type { Style } from './style.js';
import { renderFindingsText } from './text.js';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit', 'html', 'github'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderOptions {
  /** Masked source texts by file name as findings name them, for code excerpts (text, html). */
  maskedSources?: MaskedSources;
  style?: Style;
  /** SARIF: the directory relative file names are relative to (recorded as `%SRCROOT%`). */
  srcRoot?: string;
  /** Rule metadata (titles, rationales, fix hints, docs) for the ids the report names. */
  catalogue: Catalogue;
  /** JUnit: the `--fail-on` threshold, so failed testcases agree with the exit code (default `error`). */
  failOn?: FailOn;
}

/** The formats that show code excerpts, so need `RenderOptions.maskedSources`. */
export function showsExcerpts(format: ReportFormat): boolean {
  return format === 'text' || format === 'html';
}

/** Every output format is a rendering of the same findings object. */
export function renderReport(report: Report, format: ReportFormat, opts: RenderOptions): string {
  const meta = catalogueLookup(opts.catalogue);
  switch (format) {
    case 'json':
      return renderJson(report, { meta });
    case 'text':
      return renderFindingsText(report, { ...opts, meta });
    case 'sarif':
      return renderSarif(report, { srcRoot: opts.srcRoot, meta });
    case 'junit':
      return renderJunit(report, { meta, failOn: opts.failOn });
    case 'html':
      return renderHtml(report, { maskedSources: opts.maskedSources, meta });
    case 'github':
      return renderGithub(report, { meta });
  }
}

export { catalogueLookup, type MetaLookup } from './rule-meta.js';
export type { MaskedSources } from './excerpt.js';

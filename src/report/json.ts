import type { Report } from '../findings/types.js';

/** DESIGN.md's object: `{ tool, targets, score, findings, suppressed }`. */
export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

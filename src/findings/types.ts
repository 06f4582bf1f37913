/** The one data model every output (text, json, sarif, junit, html, github) is rendered from. */

export const SECTIONS = [
  'restart',
  'volumes',
  'secrets',
  'keys',
  'upgrades',
  'rollout',
  'observability',
  'logs',
  'platform',
] as const;
export type Section = (typeof SECTIONS)[number];

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Replace the bytes [start, end) of `file` with `text`. Offsets are into the file's source text. */
export interface TextEdit {
  file: string;
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  description: string;
  edits: TextEdit[];
}

/**
 * Another place one problem shows: a service that inherits the value through a YAML anchor, a `<<`
 * merge, `extends` or an `x-` block, or another reference of the same variable.
 */
export interface RelatedLocation {
  file: string;
  line: number;
  column: number;
  service?: string;
}

export interface Finding {
  ruleId: string;
  /** Which of the rule's messages this is (stable when the wording changes), when the rule names them. */
  messageId?: string;
  severity: Severity;
  section: Section;
  /** Never contains a secret value: key names and redacted previews only. */
  message: string;
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /**
   * Absent for findings about the deployment as a whole. When one written value affects several
   * services, the first of them; the message names them all and `related` has where each one is.
   */
  service?: string;
  /** The other places the same problem shows (each affected service, each reference of a variable). */
  related?: RelatedLocation[];
  fix?: Fix;
  /** Index into `Report.targets` of the project the finding is about (set by `check`). */
  target?: number;
}

export interface Suppression {
  kind: 'inline' | 'config';
  reason: string;
}

export interface SuppressedFinding extends Finding {
  suppression: Suppression;
}

export type DeploymentSource = 'app-compose.json' | '.preflight.yml' | 'phala-cloud-defaults';

export interface Target {
  /** Directory the project was found in (or the app-compose.json's directory). */
  dir: string;
  /** Files that make up the project, in merge order. */
  files: string[];
  /** Where the deployment settings came from (absent when the project could not be loaded). */
  deploymentSource?: DeploymentSource;
  services: number;
  /** This project's own overall score (the report's `score` covers every target together). */
  score?: number;
  /**
   * The compose file's `*.override.*` twin: `merged` into what was checked (`--with-override`, or
   * `-f` naming it), or not (the CVM is deployed one compose file; rule override-not-shipped).
   */
  override?: { file: string; merged: boolean };
  /** The compose hash of the app-compose.json (dstack's canonical form); absent for a compose file. */
  composeHash?: string;
  /**
   * The project could not be loaded (`-r`, or several projects): its input error, as one line
   * naming the file and line. It has no findings; the command exits 2.
   */
  error?: { message: string; file?: string; line?: number; column?: number };
}

export interface SectionScores {
  overall: number;
  sections: Record<Section, number>;
}

export interface Report {
  tool: { name: string; version: string };
  targets: Target[];
  score: SectionScores;
  findings: Finding[];
  suppressed: SuppressedFinding[];
  /**
   * The sections at least one of the rules that ran belongs to, in checklist order. A section
   * outside it was not checked (its score of 100 means nothing); absent: every section was.
   */
  checkedSections?: Section[];
}

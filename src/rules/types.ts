import type { Deployment, DeploymentSettings } from '../compose/deployment.js';
import type { Location, Path } from '../yaml/located.js';
import type { Project } from '../compose/project.js';
import type { ComposeModel, Service } from '../compose/types.js';
import type { RuleExample } from '../findings/catalogue.js';
import type { Fix, RelatedLocation, Section, Severity } from '../findings/types.js';
import type { RuleFix } from './fix-types.js';
import type { Who } from './who.js';

/**
 * A rule is one small module, like an ESLint rule: metadata plus `check(ctx)`, which reads the
 * parsed project and reports findings through `ctx.report`.
 */
export interface Rule {
  id: string;
  section: Section;
  severity: Severity;
  /** One line: what is wrong. */
  title: string;
  /** Why it matters in a CVM, citing the checklist or a platform fact. */
  rationale: string;
  /** What to do about it. */
  fixHint: string;
  docsUrl?: string;
  /** A snippet that draws the finding and the same snippet fixed (`preflight explain`, docs/rules.md). */
  example: RuleExample;
  /**
   * Runs only when `.preflight.yml` gives the rule a severity (`rules: { <id>: warning }`): advice that
   * holds for nearly every project and depends on how the app is run, not a defect in the file (like
   * the rules outside ESLint's `recommended` set, kube-score's optional tests). docs/decisions.md.
   */
  optIn?: boolean;
  check(ctx: RuleContext): void;
  /** Edits that fix one of the check's reports (`preflight fix`), when the rule can fix it safely. */
  fix?: RuleFix;
}

/**
 * A message that names the services it is about through `who` (`service "web"`, or `services "web"
 * and "worker"` once the engine has merged the services that share one written value).
 */
export type MessageFor = (who: Who) => string;

export interface RuleReport {
  /** A message naming `service` should be a MessageFor, so services sharing the problem merge into one finding. */
  message: string | MessageFor;
  /** Which of the rule's messages this is (tests and JSON consumers match on it). */
  messageId?: string;
  /** Model path whose key the finding points at (e.g. ['services', 'db', 'image']). */
  path?: Path;
  /** Model path whose value the finding points at. */
  valuePath?: Path;
  /** An explicit location (wins over paths). */
  loc?: Location;
  /** Omit for findings about the deployment as a whole. */
  service?: string;
  /** Overrides the rule's default severity for this finding (e.g. worse with debug logging on). */
  severity?: Severity;
  fix?: Fix;
  /**
   * What to do about this finding when it is more specific than the rule's fix hint (the variable's
   * own name, the real dependency, the probe that fits this image); becomes a fix without edits.
   */
  hint?: string;
  /** Other places the same problem shows (every reference of a variable…). */
  related?: RelatedLocation[];
}

export interface RuleContext {
  project: Project;
  model: ComposeModel;
  /** Services the CVM starts (profiles applied), in file order. */
  services: [name: string, service: Service][];
  deployment: DeploymentSettings;
  report(r: RuleReport): void;
  /** Where a deployment setting is written (manifest or .preflight.yml), else the top of the compose file. */
  deploymentLocation(field?: string): Location;
}

export type { Deployment };

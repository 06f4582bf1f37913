import type { Project } from '../compose/project.js';
import type { Finding } from '../findings/types.js';
import type { Location, Path } from '../yaml/located.js';
import type { RuleReport } from './types.js';

/**
 * A rule's fix, like an ESLint rule's `fix`: given one report of its check, it stages edits
 * through the `FixContext` and says what they do. The edits are made on the written YAML (src/fix/
 * implements the context), so comments, key order, anchors, quoting and formatting outside them
 * are kept. A region that cannot be edited safely is refused through `ctx.refuse(reason)`, and
 * nothing the fix staged is kept: a fix is applied whole or not at all.
 */
export type RuleFix = (ctx: FixContext, target: FixTarget) => FixOutcome;

/** One report of the rule that check kept (not suppressed, not turned off). */
export interface FixTarget {
  finding: Finding;
  /** What the rule's check reported: the service and the model paths the finding is about. */
  report: RuleReport;
  /** Where the report points (as the finding does). */
  loc: Location;
}

/** The fix's account of itself, for the patch header. */
export interface FixOutcome {
  /** One line: what the edit does (`set restart: unless-stopped on service "web"`). */
  description: string;
  /** When the edit changes what the app does at run time, how (the patch header labels it). */
  changesBehaviour?: string;
}

export interface FixContext {
  project: Project;
  /** The digest (`sha256:…`) supplied for an image reference (`--digest IMAGE=…`, `--lock FILE`). */
  digestFor(image: string): string | undefined;
  /** Give up on this report: the region cannot be edited safely. Nothing staged by the fix is kept. */
  refuse(reason: string): never;
  /** The service's own written mapping, to edit (refuses when the service is an alias of a shared anchor). */
  service(name: string): ServiceEdit;
  /** Declare a named volume under top-level `volumes:`; the name is `hint`, or `hint-2`… when that is taken. */
  declareVolume(hint: string): string;
  /** Add a service under `services:` (with a comment line above it); the name is `hint` or `hint-2`…. */
  addService(hint: string, definition: Record<string, unknown>, comment?: string): string;
  /**
   * Set a deployment setting where the project's deployment is written: app-compose.json, else
   * `deployment:` in .preflight.yml (created beside the compose file when there is none). Returns the file.
   */
  setDeployment(field: string, value: boolean | string | number): string;
  /** Replace `from` by `to` inside the literal text of the scalar at `loc` (where `from` starts). */
  replaceText(loc: Location, from: string, to: string): void;
}

export interface ServiceEdit {
  readonly name: string;
  /** The value at `path` (relative to the service) as written in the service's own mapping. */
  has(path: Path): boolean;
  /**
   * Set the value at `path` (relative to the service, e.g. ['restart'] or ['depends_on', 'db',
   * 'condition']): replaces it where the service itself writes it, adds it where absent. A value
   * written elsewhere (an anchor, an `extends` base) or built from `${VAR}` is refused.
   */
  set(path: Path, value: unknown): void;
  /** Like `set`, with the new value made from the current one (as written, or as another fix staged it). */
  update(path: Path, change: (current: unknown) => unknown): void;
  /** Append an item to the list at `key` (created when absent). */
  append(key: string, item: unknown): void;
  /** Replace the list item at `key[index]`. */
  replaceItem(key: string, index: number, item: unknown): void;
}

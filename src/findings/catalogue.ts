import type { Section, Severity } from './types.js';

/** The command that reports a rule id. */
export type RuleSource = 'check' | 'diff' | 'secrets' | 'drill' | 'rollout';

/** What every report, the configuration and the docs know about one rule id. */
export interface RuleMeta {
  id: string;
  section: Section;
  severity: Severity;
  title: string;
  rationale: string;
  fixHint: string;
  docsUrl?: string;
  source: RuleSource;
  /** A compose snippet that draws the finding and its corrected form (`preflight explain`, docs/rules.md). */
  example?: RuleExample;
}

/** `bad` draws the rule's finding, `good` (when given) is the same snippet fixed: a test runs both. */
export interface RuleExample {
  bad: string;
  good?: string;
}

/**
 * Every rule id any command can report, declared once with its metadata. Built explicitly by
 * the caller (src/commands/catalogue.ts assembles Preflight's) and passed to the configuration,
 * the rules and the renderers: nothing registers itself by being imported.
 */
export class Catalogue {
  readonly #byId = new Map<string, RuleMeta>();

  constructor(metas: Iterable<RuleMeta>) {
    for (const m of metas) {
      if (this.#byId.has(m.id)) throw new Error(`rule id "${m.id}" is declared twice in the catalogue`);
      this.#byId.set(m.id, m);
    }
  }

  get(id: string): RuleMeta | undefined {
    return this.#byId.get(id);
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** In declaration order (the order of sections and of rules within a section). */
  all(): RuleMeta[] {
    return [...this.#byId.values()];
  }

  bySource(source: RuleSource): RuleMeta[] {
    return this.all().filter((m) => m.source === source);
  }
}

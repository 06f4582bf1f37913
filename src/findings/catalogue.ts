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
  /** Reported only when the configuration gives the rule a severity (see Rule.optIn). */
  optIn?: boolean;
  /** A compose snippet that draws the finding and its corrected form (`preflight explain`, docs/rules.md). */
  example?: RuleExample;
}

/**
 * A rule's example, as ESLint's and hadolint's docs give one: `bad` draws the rule's finding, `good`
 * is the same snippet fixed. test/check/rule-examples.test.ts runs both through `check`.
 */
export interface RuleExample {
  bad: string;
  good: string;
  /** The file the snippets are (default `docker-compose.yml`; `app-compose.json`, `.preflight.yml`…). */
  file?: string;
  /** Files beside it, the same in both (the compose file when the snippets are `.preflight.yml`…). */
  beside?: Record<string, string>;
  /** Files beside it in the bad form only: the fix is to remove them (an override file nothing ships). */
  removedByFix?: Record<string, string>;
  /** A line of `bad` that stands for itself repeated `times` times: a payload too long to print. */
  repeat?: { line: string; times: number };
}

/** The files of an example's bad or good form, by name, as `check` reads them (repeated lines written out). */
export function exampleFiles(example: RuleExample, which: 'bad' | 'good'): Record<string, string> {
  let text = example[which];
  const { repeat } = example;
  if (which === 'bad' && repeat) text = text.replace(`${repeat.line}\n`, `${repeat.line}\n`.repeat(repeat.times));
  return {
    ...example.beside,
    ...(which === 'bad' ? example.removedByFix : {}),
    [example.file ?? 'docker-compose.yml']: text,
  };
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

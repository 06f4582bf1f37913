/** How many names a message lists before it says "and N more" (related locations list them all). */
const LISTED = 5;

/**
 * The services a finding is about, as words for its message: one service (`service "web"`), or
 * every service that shares one written value (`services "web", "worker" and "beat"`).
 */
export class Who {
  readonly names: readonly string[];

  constructor(names: readonly string[]) {
    this.names = names;
  }

  get many(): boolean {
    return this.names.length > 1;
  }

  /** `"web"`, `"web" and "worker"`, `"a", "b", "c", "d", "e" and 3 more`. */
  get quoted(): string {
    const q = this.names.map((n) => `"${n}"`);
    if (q.length <= 1) return q.join('');
    if (q.length > LISTED + 1) return `${q.slice(0, LISTED).join(', ')} and ${q.length - LISTED} more`;
    return `${q.slice(0, -1).join(', ')} and ${q.at(-1)}`;
  }

  /** `service "web"` or `services "web" and "worker"`. */
  toString(): string {
    return `${this.many ? 'services' : 'service'} ${this.quoted}`;
  }

  /** The word that agrees with the subject: `who.v('uses', 'use')`. */
  v(one: string, many: string): string {
    return this.many ? many : one;
  }
}

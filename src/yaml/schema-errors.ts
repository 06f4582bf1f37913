import type { ErrorObject } from 'ajv';
import { nodeAt, type LNode, type Location } from './located.js';

export interface SchemaProblem {
  message: string;
  loc: Location;
  path: string;
}

/**
 * Turn ajv's errors into one problem per place, worded for people: `anyOf`/`oneOf` wrappers are
 * dropped in favour of the branch errors, and each error is located at the offending key or value.
 */
export function explainErrors(errors: ErrorObject[], root: LNode): SchemaProblem[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  const problems: SchemaProblem[] = [];
  const paths = [...byPath.keys()];
  for (const [path, errs] of byPath) {
    // A union mismatch at a parent is explained better by its child's error.
    if (
      paths.some((p) => p !== path && p.startsWith(path + '/')) &&
      errs.every((e) => ['anyOf', 'oneOf', 'type', 'required', 'not', 'enum', 'const'].includes(e.keyword))
    )
      continue;
    const segs = path
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const e = pickError(errs);
    let segsForLoc = segs;
    let message: string;
    const expected = expectedOf(errs);
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      segsForLoc = [...segs, extra];
      message = `${describe(segs)}: unknown key "${extra}"`;
    } else if (expected) {
      message = `${describe(segs)}: must be ${expected}`;
    } else if (e.keyword === 'required') {
      message = `${describe(segs)}: needs \`${(e.params as { missingProperty: string }).missingProperty}\``;
    } else if (e.keyword === 'enum') {
      message =
        `${describe(segs)}: must be one ` +
        `of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'type') {
      const types = errs
        .filter((x) => x.keyword === 'type')
        .flatMap((x) => (x.params as { type: string | string[] }).type);
      message = `${describe(segs)}: must be ${[...new Set(types.flatMap((t) => t.split(',')))].join(' or ')}`;
    } else {
      message = `${describe(segs)}: ${e.message ?? 'is invalid'}`;
    }
    const at = nodeAt(
      root,
      segsForLoc.map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
    );
    const loc = (at.keyLoc ?? at.node?.loc ?? at.nearestKeyLoc ?? at.nearest?.loc)!;
    problems.push({ message, loc, path });
  }
  return problems;
}

/**
 * The wording a schema gives for what it accepts (`x-expected`, with ajv's `verbose` errors). A
 * union's own wording wins over its branches' (`"healthcheck", "running", or a mapping…` rather than
 * "must be one of …"); the innermost union comes first in ajv's error order.
 */
function expectedOf(errs: ErrorObject[]): string | undefined {
  const wording = (e: ErrorObject) => (e.parentSchema as { 'x-expected'?: string } | undefined)?.['x-expected'];
  const union = errs.find((e) => (e.keyword === 'oneOf' || e.keyword === 'anyOf') && wording(e));
  if (union) return wording(union);
  if (errs.some((e) => e.keyword === 'required')) return undefined;
  return errs.map(wording).find((w) => w !== undefined);
}

function pickError(errs: ErrorObject[]): ErrorObject {
  const order = ['additionalProperties', 'enum', 'type', 'pattern', 'format', 'minimum', 'maximum', 'required'];
  for (const k of order) {
    const hit = errs.find((e) => e.keyword === k);
    if (hit) return hit;
  }
  return errs[0]!;
}

/** `drill.faults[1]`: keys joined with dots, list indexes in brackets. */
function describe(segs: string[]): string {
  if (!segs.length) return 'the file';
  return segs.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i ? `.${s}` : s)).join('');
}

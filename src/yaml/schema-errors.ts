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
      errs.every((e) => ['anyOf', 'oneOf', 'type', 'required', 'not'].includes(e.keyword))
    )
      continue;
    const segs = path
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const e = pickError(errs);
    let segsForLoc = segs;
    let message: string;
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      segsForLoc = [...segs, extra];
      message = `${describe(segs)}: unknown key "${extra}"`;
    } else if (e.keyword === 'enum') {
      message = `${describe(segs)}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
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

function pickError(errs: ErrorObject[]): ErrorObject {
  const order = ['additionalProperties', 'enum', 'type', 'pattern', 'format', 'minimum', 'maximum', 'required'];
  for (const k of order) {
    const hit = errs.find((e) => e.keyword === k);
    if (hit) return hit;
  }
  return errs[0]!;
}

function describe(segs: string[]): string {
  return segs.length ? segs.join('.') : 'the file';
}

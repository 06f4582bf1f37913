import { interpolateString, type VarRef } from '../../compose/interpolate.js';
import type { Project } from '../../compose/project.js';
import { parseImage, type ImageRef } from '../../knowledge/image.js';
import { nodeAt } from '../../yaml/located.js';

/** A service's `image:` as written and as the rules judge it. */
export interface WrittenImage {
  /** The text in the compose file, before interpolation. */
  written: string;
  /** The variables the text references (`${TAG}`, `${IMAGE:-app:1}`); empty for a literal image. */
  refs: Omit<VarRef, 'loc' | 'path' | 'service'>[];
  /** The reference after interpolation with the local env (what `docker compose config` shows here). */
  ref: ImageRef;
  /** The tag and digest are written literally (no variable in them), so the local value is what the CVM gets. */
  literalVersion: boolean;
}

/** The image of a service as written (located through aliases, merges and `extends`), or undefined without one. */
export function writtenImage(project: Project, service: string, image: string | undefined): WrittenImage | undefined {
  if (!image) return undefined;
  const node = nodeAt(project.tree, ['services', service, 'image']).node;
  const written = node?.kind === 'scalar' ? String(node.raw ?? node.value ?? '') : image;
  let refs: WrittenImage['refs'] = [];
  try {
    refs = interpolateString(written, () => undefined).refs;
  } catch {
    // The loader already reported an invalid interpolation; judge the value as it came out.
  }
  const version = versionPart(written);
  return { written, refs, ref: parseImage(image), literalVersion: refs.length === 0 || !/\$/.test(version) };
}

/**
 * The tag-and-digest part of an image as written: what follows the last `:` after the last `/`
 * (and any `@`), not counting those inside `${…}`. A reference holding the whole image (`${IMAGE}`)
 * counts as all version.
 */
function versionPart(written: string): string {
  const t = written.trim();
  if (/^\$\{[^}]*\}$|^\$[A-Za-z_]\w*$/.test(t)) return t;
  const masked = maskBraces(t);
  const at = masked.indexOf('@');
  const beforeDigest = at >= 0 ? masked.slice(0, at) : masked;
  const slash = beforeDigest.lastIndexOf('/');
  const colon = beforeDigest.lastIndexOf(':');
  const start = colon > slash ? colon : at;
  return start >= 0 ? t.slice(start) : '';
}

/** `a:${B:-c:d}` → `a:${xxxxxxx}`: the text with the inside of every `${…}` blanked, same length. */
function maskBraces(text: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '$' && text[i + 1] === '{') {
      depth++;
      out += '${';
      i++;
    } else if (c === '}' && depth > 0) {
      depth--;
      out += '}';
    } else out += depth > 0 ? 'x' : c;
  }
  return out;
}

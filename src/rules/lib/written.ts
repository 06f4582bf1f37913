import type { Project } from '../../compose/project.js';
import { nodeAt, type Path } from '../../yaml/located.js';

/**
 * Was the key at `path` written in a file (by the author, in any file, anchor or `x-` block), rather
 * than filled in by the loader when it brought a short syntax to its long form (`depends_on: [db]`
 * becomes `{db: {condition: service_started}}`, located at the list item)?
 */
export function keyWritten(project: Project, path: Path): boolean {
  const keyLoc = nodeAt(project.tree, path).keyLoc;
  if (!keyLoc) return false;
  const text = project.sources.get(keyLoc.file)?.text;
  if (text === undefined) return false;
  const written = text.slice(keyLoc.offset, keyLoc.endOffset).replace(/^["']|["']$/g, '');
  return written === String(path[path.length - 1]);
}

import type { Project } from '../../compose/project.js';
import { nodeAt, type Location, type Path } from '../../yaml/located.js';

/**
 * Where a value inside a deployment setting is written (`port_policy.ports[1].pp`): in the
 * app-compose.json or under `deployment:` of .preflight.yml; undefined when it is not written there.
 */
export function deploymentValueLocation(project: Project, path: Path): Location | undefined {
  const d = project.deployment;
  const tree =
    d.source === 'app-compose.json'
      ? project.manifest?.tree
      : d.source === '.preflight.yml'
        ? project.config.tree
        : undefined;
  if (!tree) return undefined;
  const at = nodeAt(tree, d.source === '.preflight.yml' ? ['deployment', ...path] : path);
  return at.keyLoc ?? at.node?.loc;
}

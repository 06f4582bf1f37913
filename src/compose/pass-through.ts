import type { LMap } from '../yaml/located.js';
import type { VarRef } from './interpolate.js';

/**
 * References that are not `${VAR}`: a bare pass-through (`- POSTGRES_PASSWORD`, `SECRET_KEY:` with no
 * value) takes the variable from Compose's own environment, and a top-level `secrets: {x:
 * {environment: VAR}}` reads it from there too. In the CVM that environment is the decrypted env
 * (docs/platform.md#secrets), so these names need a value and a place in `allowed_envs` like any
 * `${VAR}`. Read from the final tree (merges, `extends` and profiles applied): environment is a map
 * there, a pass-through an entry whose value is null.
 */
export function passThroughRefs(tree: LMap): VarRef[] {
  const found: VarRef[] = [];
  const services = tree.entries.get('services')?.node;
  if (services?.kind === 'map')
    for (const [service, s] of services.entries) {
      const env = s.node.kind === 'map' ? s.node.entries.get('environment')?.node : undefined;
      if (env?.kind !== 'map') continue;
      for (const [name, e] of env.entries) {
        if (e.node.kind !== 'scalar' || e.node.value !== null) continue;
        found.push({
          name,
          modifier: '',
          loc: e.keyLoc,
          path: ['services', service, 'environment', name],
          service,
          whole: true,
          via: 'pass-through',
        });
      }
    }
  const secrets = tree.entries.get('secrets')?.node;
  if (secrets?.kind === 'map')
    for (const [secret, s] of secrets.entries) {
      const env = s.node.kind === 'map' ? s.node.entries.get('environment') : undefined;
      if (env?.node.kind !== 'scalar' || typeof env.node.value !== 'string' || !env.node.value) continue;
      found.push({
        name: env.node.value,
        modifier: '',
        loc: env.node.loc,
        path: ['secrets', secret, 'environment'],
        whole: true,
        via: 'secret-environment',
      });
    }
  return found;
}

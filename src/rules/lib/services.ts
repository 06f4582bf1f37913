import type { ComposeModel, Service } from '../../compose/types.js';

const dependentsIndex = new WeakMap<ComposeModel, Map<string, [string, Service][]>>();

/** Services that list `name` in their depends_on (indexed once per model: rules ask for every service). */
export function dependentsOf(model: ComposeModel, name: string): [string, Service][] {
  let index = dependentsIndex.get(model);
  if (!index) {
    index = new Map();
    for (const [other, s] of Object.entries(model.services ?? {})) {
      for (const dep of Object.keys(s.depends_on ?? {})) {
        const list = index.get(dep) ?? [];
        list.push([other, s]);
        index.set(dep, list);
      }
    }
    dependentsIndex.set(model, index);
  }
  return index.get(name) ?? [];
}

/**
 * A one-shot job (migration, init, seed) rather than a long-running service: something waits for it
 * to complete, or its restart policy says it should not come back.
 */
export function isOneShot(model: ComposeModel, name: string, svc: Service): boolean {
  if (dependentsOf(model, name).some(([, s]) => s.depends_on?.[name]?.condition === 'service_completed_successfully'))
    return true;
  const condition = svc.deploy?.restart_policy?.condition;
  if (condition === 'none') return true;
  return false;
}

/** Publishes or exposes a port: something sends it traffic. */
export function servesTraffic(svc: Service): boolean {
  return (svc.ports?.length ?? 0) > 0 || (svc.expose?.length ?? 0) > 0;
}

/** The command or entrypoint as one string, for pattern checks. */
export function commandLine(value: string | string[] | null | undefined): string {
  if (value == null) return '';
  return Array.isArray(value) ? value.join(' ') : value;
}

export function argv(value: string | string[] | null | undefined): string[] {
  if (value == null) return [];
  return Array.isArray(value) ? value.map(String) : value.split(/\s+/).filter(Boolean);
}

/** Environment value as a string, or undefined when unset (`KEY` without `=`). */
export function envString(svc: Service, key: string): string | undefined {
  const v = svc.environment?.[key];
  return v === null || v === undefined ? undefined : String(v);
}

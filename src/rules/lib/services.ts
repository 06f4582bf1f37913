import type { ComposeModel, Service } from '../../compose/types.js';

/** Services that list `name` in their depends_on. */
export function dependentsOf(model: ComposeModel, name: string): [string, Service][] {
  return Object.entries(model.services ?? {}).filter(([, s]) => s.depends_on && name in s.depends_on);
}

/**
 * A one-shot job (migration, init, seed) rather than a long-running service: something waits for it
 * to complete, or its restart policy says it should not come back.
 */
export function isOneShot(model: ComposeModel, name: string, svc: Service): boolean {
  if (dependentsOf(model, name).some(([, s]) => s.depends_on?.[name]?.condition === 'service_completed_successfully')) return true;
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

/** Does `dir` lie at or below `mount` (both absolute container paths)? */
export function pathCovers(mount: string, dir: string): boolean {
  const m = mount.replace(/\/+$/, '') || '/';
  const d = dir.replace(/\/+$/, '') || '/';
  return m === '/' || d === m || d.startsWith(m + '/');
}

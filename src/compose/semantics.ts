import { nodeAt, type LMap, type LNode, type LScalar, type Location, type Path } from '../yaml/located.js';
import type { SchemaProblem } from '../yaml/schema-errors.js';
import { parseComposeDuration } from './duration.js';

/**
 * What `docker compose up` refuses although the compose-spec schema accepts it: invalid durations,
 * restart policies the engine rejects, dependencies on services that do not exist (or that a
 * profile leaves out), dependency cycles, and references to undefined secrets, configs, networks
 * and volumes. Each is a problem at the key or value that causes it, reported by compose-invalid
 * (the wording of Compose v2.26's own errors is given in the comments, from `docker compose config`).
 * Runs on the merged, normalised model after profiles, as Compose validates the project it will run.
 */
export function semanticProblems(tree: LMap, inactive: ReadonlyMap<string, readonly string[]>): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const services = mapAt(tree, ['services']);
  if (!services) return out;
  const defined = (section: string) => new Set(mapAt(tree, [section])?.entries.keys() ?? []);
  const secrets = defined('secrets');
  const configs = defined('configs');
  const networks = defined('networks');
  const volumes = defined('volumes');
  const add = (path: Path, message: string, at: 'key' | 'value' = 'key') =>
    out.push({ message, loc: locate(tree, path, at), path: '/' + path.join('/') });

  for (const [name, entry] of services.entries) {
    if (entry.node.kind !== 'map') continue;
    const svc = entry.node;
    const base = ['services', name];
    const where = (...rest: (string | number)[]) => [...base, ...rest].join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]');

    // "time: invalid duration "often"", "time: missing unit in duration "10"".
    for (const path of DURATION_PATHS) {
      const node = nodeAt(svc, path).node;
      if (node?.kind !== 'scalar' || typeof node.value !== 'string') continue; // other types: a schema error
      if (parseComposeDuration(node.value) !== undefined) continue;
      add(
        [...base, ...path],
        `${where(...path)}: ${shown(node)} is not a duration; Compose refuses it (write e.g. 30s, 1m30s or 500ms)`,
        'value',
      );
    }

    // "service "web" has neither an image nor a build context specified: invalid compose project".
    // An image that only a variable names is left to image-from-variable: the CVM's encrypted env
    // supplies it, so its value is unknown here.
    const image = svc.entries.get('image');
    const imageGiven =
      image?.node.kind === 'scalar' && (image.node.value !== '' || (image.node.raw ?? '').includes('$'));
    if (!svc.entries.has('build') && !imageGiven && !(image && image.node.kind !== 'scalar')) {
      add(
        image ? [...base, 'image'] : base,
        `service "${name}" has neither an image nor a build context; Compose refuses the project`,
        image ? 'value' : 'key',
      );
    }

    // The engine refuses the container: "invalid restart policy 'sometimes'", "maximum retry count
    // cannot be used with restart policy 'always'".
    const restart = svc.entries.get('restart')?.node;
    if (restart?.kind === 'scalar' && typeof restart.value === 'string' && !RESTART_POLICY.test(restart.value)) {
      add(
        [...base, 'restart'],
        `${where('restart')}: ${shown(restart)} is not a restart policy (no, always, on-failure[:N], ` +
          `unless-stopped); the engine refuses to create the container`,
        'value',
      );
    }

    // "service "web" depends on undefined service "db": invalid compose project" (also for links,
    // volumes_from and network_mode: service:…, and whatever `required:` says).
    for (const dep of dependencies(svc)) {
      if (services.entries.has(dep.service)) continue;
      const profiles = inactive.get(dep.service);
      add(
        [...base, ...dep.path],
        profiles
          ? `service "${name}" depends on "${dep.service}", which only runs under profile ${profiles.join(', ')}; ` +
              `Compose refuses the project when no such profile is active (the CVM activates none unless ` +
              `COMPOSE_PROFILES says so)`
          : `service "${name}" depends on undefined service "${dep.service}"; Compose refuses the project`,
        dep.at,
      );
    }

    // "service "a" refers to undefined secret s", "… undefined build secret s", "… undefined config s".
    for (const [key, known, what] of [
      ['secrets', secrets, 'secret'],
      ['configs', configs, 'config'],
    ] as const) {
      const refs = [
        ...references(svc, [key], 'source').map((r) => ({ ...r, what })),
        ...(key === 'secrets'
          ? references(svc, ['build', 'secrets'], 'source').map((r) => ({ ...r, what: 'build secret' }))
          : []),
      ];
      for (const ref of refs) {
        if (known.has(ref.name)) continue;
        add(
          [...base, ...ref.path],
          `service "${name}" refers to undefined ${ref.what} "${ref.name}" (no top-level ${key}: entry); ` +
            `Compose refuses the project`,
          'value',
        );
      }
    }

    // "service "a" refers to undefined network n" (`default` always exists).
    const nets = svc.entries.get('networks')?.node;
    if (nets?.kind === 'map') {
      for (const net of nets.entries.keys()) {
        if (net === 'default' || networks.has(net)) continue;
        add(
          [...base, 'networks', net],
          `service "${name}" refers to undefined network "${net}" (no top-level networks: entry); Compose ` +
            `refuses the project`,
        );
      }
    }

    // "service "a" refers to undefined volume data" (a named volume; paths are bind mounts).
    const vols = svc.entries.get('volumes')?.node;
    if (vols?.kind === 'seq') {
      vols.items.forEach((v, i) => {
        if (v.kind !== 'map') return;
        const type = scalarOf(v.entries.get('type')?.node);
        const source = scalarOf(v.entries.get('source')?.node);
        if (type !== 'volume' || typeof source !== 'string' || source === '' || volumes.has(source)) return;
        add(
          [...base, 'volumes', i],
          `service "${name}" refers to undefined volume "${source}" (no top-level volumes: entry); Compose ` +
            `refuses the project`,
          'value',
        );
      });
    }
  }

  for (const { cycle, first } of dependencyCycles(services)) {
    add(
      ['services', cycle[0]!, ...first.path],
      `dependency cycle ${cycle.join(' → ')}; Compose refuses the project`,
      first.at,
    );
  }
  return out;
}

/** Service keys that hold a Go duration. */
const DURATION_PATHS: Path[] = [
  ['healthcheck', 'interval'],
  ['healthcheck', 'timeout'],
  ['healthcheck', 'start_period'],
  ['healthcheck', 'start_interval'],
  ['stop_grace_period'],
  ['deploy', 'restart_policy', 'delay'],
  ['deploy', 'restart_policy', 'window'],
  ['deploy', 'update_config', 'delay'],
  ['deploy', 'update_config', 'monitor'],
  ['deploy', 'rollback_config', 'delay'],
  ['deploy', 'rollback_config', 'monitor'],
];

/** Docker's restart policies (`docker run --restart`); a retry count only with on-failure. */
const RESTART_POLICY = /^(no|always|unless-stopped|on-failure(:\d+)?)$/;

/** Whether the engine accepts `restart: value`. */
export function isRestartPolicy(value: string): boolean {
  return RESTART_POLICY.test(value);
}

interface Dependency {
  service: string;
  path: Path;
  at: 'key' | 'value';
}

/** Every service another one needs started first, as Compose's dependency graph counts them. */
function dependencies(svc: LMap): Dependency[] {
  const out: Dependency[] = [];
  const deps = svc.entries.get('depends_on')?.node;
  if (deps?.kind === 'map')
    for (const dep of deps.entries.keys()) out.push({ service: dep, path: ['depends_on', dep], at: 'key' });
  const links = svc.entries.get('links')?.node;
  if (links?.kind === 'seq')
    links.items.forEach((l, i) => {
      const v = scalarOf(l);
      if (typeof v === 'string') out.push({ service: v.split(':')[0]!, path: ['links', i], at: 'value' });
    });
  const from = svc.entries.get('volumes_from')?.node;
  if (from?.kind === 'seq')
    from.items.forEach((f, i) => {
      const v = scalarOf(f);
      if (typeof v === 'string' && !v.startsWith('container:'))
        out.push({ service: v.split(':')[0]!, path: ['volumes_from', i], at: 'value' });
    });
  for (const key of ['network_mode', 'ipc', 'pid']) {
    const v = scalarOf(svc.entries.get(key)?.node);
    if (typeof v === 'string' && v.startsWith('service:'))
      out.push({ service: v.slice('service:'.length), path: [key], at: 'value' });
  }
  return out;
}

/** `secrets: [{source: x}]`-style references (long form after normalisation). */
function references(svc: LMap, path: Path, field: string): { name: string; path: Path }[] {
  const list = nodeAt(svc, path).node;
  if (list?.kind !== 'seq') return [];
  const out: { name: string; path: Path }[] = [];
  list.items.forEach((item, i) => {
    const name = item.kind === 'map' ? scalarOf(item.entries.get(field)?.node) : scalarOf(item);
    if (typeof name === 'string') out.push({ name, path: [...path, i] });
  });
  return out;
}

/**
 * Each dependency cycle once, as the list of services from its first (in file order) back to it,
 * with the edge it starts by. Compose counts links, volumes_from and network_mode: service: as
 * dependencies too, so a cycle through them is refused as well ("dependency cycle detected").
 */
function dependencyCycles(services: LMap): { cycle: string[]; first: Dependency }[] {
  const edges = new Map<string, Dependency[]>();
  for (const [name, e] of services.entries)
    edges.set(name, e.node.kind === 'map' ? dependencies(e.node).filter((d) => services.entries.has(d.service)) : []);
  const cycles: { cycle: string[]; first: Dependency }[] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const d of edges.get(n) ?? []) {
      if (state.get(d.service) === 'open') {
        const cycle = [...stack.slice(stack.indexOf(d.service)), d.service];
        const key = [...new Set(cycle)].sort().join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          const first = edges.get(cycle[0]!)!.find((e) => e.service === cycle[1]) ?? d;
          cycles.push({ cycle, first });
        }
      } else if (!state.has(d.service)) visit(d.service);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of edges.keys()) if (!state.has(n)) visit(n);
  return cycles;
}

function mapAt(root: LNode, path: Path): LMap | undefined {
  const n = nodeAt(root, path).node;
  return n?.kind === 'map' ? n : undefined;
}

function scalarOf(n: LNode | undefined): LScalar['value'] | undefined {
  return n?.kind === 'scalar' ? n.value : undefined;
}

function locate(root: LMap, path: Path, at: 'key' | 'value'): Location {
  const found = nodeAt(root, path);
  const loc =
    at === 'key'
      ? (found.keyLoc ?? found.node?.loc ?? found.nearestKeyLoc ?? found.nearest?.loc)
      : (found.node?.loc ?? found.keyLoc ?? found.nearestKeyLoc ?? found.nearest?.loc);
  return loc ?? root.loc;
}

/**
 * A value for a message: the text as written when it came through interpolation (`${VAR}` rather
 * than what VAR holds: values of variables may be secrets), else the value, quoted and cut short.
 */
export function shown(node: LScalar): string {
  const text = node.raw ?? String(node.value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}

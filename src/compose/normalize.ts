import type { LEntry, LMap, LNode, LScalar, LSeq, Location } from '../yaml/located.js';
import type { SchemaProblem } from '../yaml/schema-errors.js';

/**
 * Bring the short syntaxes of a compose file to their long forms, on located nodes, so that merging
 * and the rules see one shape: environment/labels/annotations as maps, depends_on as a map,
 * service volumes/ports/secrets/configs as long-syntax maps, healthcheck.test as a list,
 * build/extends/env_file in long form. Each produced node keeps the location of what was written.
 * A short form Compose refuses (`${UNSET}:/media`, an empty section between colons) is left out of
 * the model and added to `problems`.
 */
export function normalizeFile(root: LNode, problems: SchemaProblem[] = []): void {
  if (root.kind !== 'map') return;
  const services = root.entries.get('services')?.node;
  if (services?.kind === 'map') {
    for (const [name, e] of services.entries) if (e.node.kind === 'map') normalizeService(e.node, name, problems);
  }
  for (const top of ['volumes', 'networks', 'secrets', 'configs']) {
    const section = root.entries.get(top)?.node;
    if (section?.kind !== 'map') continue;
    for (const [, e] of section.entries)
      if (e.node.kind === 'scalar' && e.node.value === null) e.node = emptyMap(e.node.loc);
  }
}

export function normalizeService(svc: LMap, name = '', problems: SchemaProblem[] = []): void {
  for (const key of ['environment', 'labels', 'annotations', 'extra_hosts'] as const) {
    const e = svc.entries.get(key);
    if (e?.node.kind === 'seq') e.node = listToMap(e.node, key === 'extra_hosts' ? /[=:]/ : /=/);
  }
  const dep = svc.entries.get('depends_on');
  if (dep?.node.kind === 'seq') {
    const m = emptyMap(dep.node.loc, dep.node.tag);
    for (const item of dep.node.items) {
      if (item.kind !== 'scalar' || item.value === null) continue;
      m.entries.set(String(item.value), {
        keyLoc: item.loc,
        node: mapOf(item.loc, { condition: 'service_started', required: true }),
      });
    }
    dep.node = m;
  }
  const vols = svc.entries.get('volumes');
  if (vols?.node.kind === 'seq')
    vols.node.items = vols.node.items.flatMap((v, i): LNode[] => {
      if (v.kind === 'map') {
        // Compose: "service volume services.proxy.volumes.[0] is missing a mount target". Left in, the
        // mount would reach every volume rule with no path to reason about.
        const target = v.entries.get('target')?.node;
        if (target?.kind === 'scalar' && typeof target.value === 'string' && target.value !== '') return [v];
        // Not a string: the schema error says so; missing or empty: Compose's own refusal.
        if (target && !(target.kind === 'scalar' && target.value === '')) return [];
        problems.push({
          message:
            `services.${name}.volumes[${i}]: the mount has no target (the path inside the container); Compose ` +
            `refuses it`,
          loc: v.loc,
          path: `/services/${name}/volumes/${i}`,
        });
        return [];
      }
      if (v.kind !== 'scalar' || typeof v.value !== 'string') return [v];
      const parts = splitVolumeSpec(v.value);
      if (parts.length > 1 && parts.includes('')) {
        // Compose: "invalid spec: :/media: empty section between colons".
        const text = v.raw ?? v.value;
        const unset = v.raw !== undefined && /\$/.test(v.raw) ? ' (a variable in it is unset or empty)' : '';
        problems.push({
          message:
            `services.${name}.volumes[${i}]: ${JSON.stringify(text)} has an empty section between colons${unset}; ` +
            `Compose refuses it`,
          loc: v.loc,
          path: `/services/${name}/volumes/${i}`,
        });
        return [];
      }
      return [shortVolume(v)];
    });
  const ports = svc.entries.get('ports');
  if (ports?.node.kind === 'seq')
    ports.node.items = ports.node.items.flatMap((p) => (p.kind === 'scalar' && p.value !== null ? shortPorts(p) : [p]));
  for (const key of ['secrets', 'configs'] as const) {
    const list = svc.entries.get(key);
    if (list?.node.kind === 'seq')
      list.node.items = list.node.items.map((s) =>
        s.kind === 'scalar' && s.value !== null
          ? mapOf(s.loc, {
              source: String(s.value),
              target: key === 'secrets' ? `/run/secrets/${s.value}` : `/${s.value}`,
            })
          : s,
      );
  }
  const networks = svc.entries.get('networks');
  if (networks?.node.kind === 'seq') networks.node = listToMap(networks.node, /$^/);
  const hc = svc.entries.get('healthcheck')?.node;
  if (hc?.kind === 'map') {
    const test = hc.entries.get('test');
    if (test?.node.kind === 'scalar' && typeof test.node.value === 'string') {
      test.node = seqOf(test.node.loc, ['CMD-SHELL', test.node.value], test.node);
    }
  }
  const build = svc.entries.get('build');
  if (build?.node.kind === 'scalar' && build.node.value !== null)
    build.node = mapOf(build.node.loc, { context: String(build.node.value) });
  const ext = svc.entries.get('extends');
  if (ext?.node.kind === 'scalar' && ext.node.value !== null)
    ext.node = mapOf(ext.node.loc, { service: String(ext.node.value) });
  const envFile = svc.entries.get('env_file');
  if (envFile) {
    const items = envFile.node.kind === 'seq' ? envFile.node.items : [envFile.node];
    envFile.node = {
      kind: 'seq',
      loc: envFile.node.loc,
      items: items.map((i) => (i.kind === 'scalar' ? mapOf(i.loc, { path: String(i.value), required: true }) : i)),
    };
  }
  // command and entrypoint stay strings when written as strings: the shell form matters to the rules.
  for (const key of ['tmpfs', 'dns', 'dns_search'] as const) {
    const e = svc.entries.get(key);
    if (e?.node.kind === 'scalar' && e.node.value !== null) e.node = seqOf(e.node.loc, [String(e.node.value)], e.node);
  }
}

/** `["A=1", "B"]` → `{A: "1", B: null}`, each entry located at its list item. */
function listToMap(seq: LSeq, sep: RegExp): LMap {
  const m = emptyMap(seq.loc, seq.tag);
  for (const item of seq.items) {
    if (item.kind !== 'scalar' || item.value === null) continue;
    const text = String(item.value);
    const match = sep.exec(text);
    const key = match ? text.slice(0, match.index) : text;
    const value: LScalar = match
      ? { kind: 'scalar', value: text.slice(match.index + 1), loc: item.loc }
      : { kind: 'scalar', value: null, loc: item.loc };
    if (item.raw !== undefined) {
      const rawMatch = sep.exec(item.raw);
      if (rawMatch) value.raw = item.raw.slice(rawMatch.index + 1);
    }
    m.entries.set(key, { keyLoc: item.loc, node: value });
  }
  return m;
}

/**
 * Short volume syntax `[SOURCE:]TARGET[:MODE]`. SOURCE is a host path when it starts with `.`, `/`
 * or `~` (a bind mount), else a named volume; no SOURCE is an anonymous volume.
 */
export function parseShortVolume(spec: string): {
  type: 'bind' | 'volume';
  source?: string;
  target: string;
  read_only?: boolean;
  mode?: string;
} {
  const parts = splitVolumeSpec(spec);
  let source: string | undefined;
  let target: string;
  let mode: string | undefined;
  if (parts.length === 1) target = parts[0]!;
  else if (parts.length === 2) {
    // `/data:ro` is not a thing compose accepts, so two parts are source and target.
    [source, target] = parts as [string, string];
  } else {
    [source, target, mode] = parts as [string, string, string];
  }
  const isPath = source !== undefined && /^([.~/]|[A-Za-z]:[\\/])/.test(source);
  const out: ReturnType<typeof parseShortVolume> = { type: isPath ? 'bind' : 'volume', target };
  if (source !== undefined && source !== '') out.source = source;
  if (mode) {
    out.mode = mode;
    if (mode.split(',').includes('ro')) out.read_only = true;
  }
  return out;
}

function splitVolumeSpec(spec: string): string[] {
  // Windows drive letters (`C:\x:/y`) keep their colon.
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === ':' && !(cur.length === 1 && /[A-Za-z]/.test(cur) && /[\\/]/.test(spec[i + 1] ?? ''))) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function shortVolume(node: LScalar): LMap {
  const v = parseShortVolume(String(node.value));
  const m = mapOf(node.loc, { type: v.type, target: v.target });
  if (v.source !== undefined) m.entries.set('source', entry(node.loc, v.source));
  if (v.read_only) m.entries.set('read_only', entry(node.loc, true));
  if (v.mode) m.entries.set('mode', entry(node.loc, v.mode));
  return m;
}

/** Short port syntax `[[IP:]PUBLISHED:]TARGET[/PROTOCOL]`, ranges expanded to one entry each. */
export function parseShortPort(
  spec: string,
): { target: string; published?: string; host_ip?: string; protocol: string }[] {
  let rest = spec;
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  let host_ip: string | undefined;
  const ipv6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (ipv6) {
    host_ip = ipv6[1];
    rest = ipv6[2]!;
  }
  const parts = rest.split(':');
  if (parts.length === 3) host_ip = parts.shift();
  const target = parts.pop()!;
  const published = parts.pop();
  const out: { target: string; published?: string; host_ip?: string; protocol: string } = { target, protocol };
  if (published) out.published = published;
  if (host_ip) out.host_ip = host_ip;
  return [out];
}

function shortPorts(node: LScalar): LMap[] {
  return parseShortPort(String(node.value)).map((p) => mapOf(node.loc, p));
}

export function emptyMap(loc: Location, tag?: string): LMap {
  return { kind: 'map', entries: new Map(), loc, tag };
}

function entry(loc: Location, value: string | number | boolean | null): LEntry {
  return { keyLoc: loc, node: { kind: 'scalar', value, loc } };
}

function mapOf(loc: Location, obj: Record<string, string | number | boolean | undefined>): LMap {
  const m = emptyMap(loc);
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) m.entries.set(k, entry(loc, v));
  return m;
}

function seqOf(loc: Location, values: string[], from?: LScalar): LSeq {
  return {
    kind: 'seq',
    loc,
    tag: from?.tag,
    items: values.map((v, i) => ({
      kind: 'scalar',
      value: v,
      loc,
      raw: i === values.length - 1 ? from?.raw : undefined,
    })),
  };
}

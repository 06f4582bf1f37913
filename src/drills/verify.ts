import type { TopLevelVolume } from '../compose/types.js';
import type { CvmApp, LocalCvm } from '../cvm/index.js';

/**
 * Before a drill resumes, the engine must still hold what the journal says the drill created: the
 * named volumes its services use (the data under test) and, unless a boot is in progress, the
 * networks they attach to and a container per service. Anything else (a restarted container, a stopped one) the next
 * step handles.
 */
export async function verifyEngineState(
  cvm: LocalCvm,
  app: CvmApp,
  opts: { containers: boolean },
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const declared = (app.project.model.volumes ?? {}) as Record<string, TopLevelVolume | null>;
  const used = new Set(
    Object.values(app.project.model.services ?? {}).flatMap((s) =>
      (s.volumes ?? []).flatMap((v) => (v.type === 'volume' && v.source ? [v.source] : [])),
    ),
  );
  const names = Object.entries(declared)
    .filter(([key, v]) => used.has(key) && !v?.external)
    .map(([key, v]) => v?.name ?? `${cvm.projectName}_${key}`);
  const present = await cvm.engine.volumeLabels(names);
  for (const name of names)
    if (!present.has(name))
      return {
        ok: false,
        reason:
          `volume ${name} is gone, and with it the data the drill wrote; remove the run with \`preflight drill ` +
          `clean\``,
      };
  if (!opts.containers) return { ok: true };
  // The networks the services are attached to: a container whose network is gone cannot start again.
  const declaredNets = (app.project.model.networks ?? {}) as Record<
    string,
    { name?: string; external?: unknown } | null
  >;
  const wanted = new Set<string>();
  for (const svc of Object.values(app.project.model.services ?? {})) {
    if (svc.network_mode) continue;
    const keys = svc.networks ? Object.keys(svc.networks) : ['default'];
    for (const key of keys) {
      const n = declaredNets[key];
      if (n?.external) continue;
      wanted.add(n?.name ?? `${cvm.projectName}_${key}`);
    }
  }
  const nets = new Set(
    (await cvm.engine.networks([`com.docker.compose.project=${cvm.projectName}`])).map((n) => n.Name),
  );
  for (const name of wanted)
    if (!nets.has(name))
      return {
        ok: false,
        reason: `network ${name} is gone (removed outside the drill); remove the run with \`preflight drill clean\``,
      };
  const containers = await cvm.containers();
  for (const svc of app.services)
    if (!containers.some((c) => c.Config.Labels?.['com.docker.compose.service'] === svc))
      return {
        ok: false,
        reason:
          `service ${svc} has no container any more (removed outside the drill); remove the run with \`preflight ` +
          `drill clean\``,
      };
  return { ok: true };
}

import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject, resolveTargets } from '../../src/compose/index.js';
import type { Project } from '../../src/compose/project.js';
import { type BootEvent, type CvmOs, LocalCvm } from '../../src/cvm/index.js';
import { cleanup } from '../../src/docker/cleanup.js';
import { detectCompose } from '../../src/docker/compose.js';
import { Engine } from '../../src/docker/engine.js';
import { projectName } from '../../src/docker/labels.js';
import { newDrillId } from '../../src/drills/lifecycle.js';
import { appDir, envFileFor, scratch } from '../drills/helpers.js';

/**
 * A test app folder under the scratch dir: a copy of test/fixtures/drill-apps/<app>, with the given
 * .preflight.yml (the deployment's pre_launch_script, allowed_envs…), loaded with a fresh env file.
 */
export async function appVersion(
  app: string,
  opts: { preflight?: string; env?: Record<string, string>; as?: string } = {},
): Promise<{ project: Project; port: number; dir: string }> {
  const dir = join(scratch, 'apps', `${opts.as ?? app}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  cpSync(appDir(app), dir, { recursive: true });
  if (opts.preflight !== undefined) writeFileSync(join(dir, '.preflight.yml'), opts.preflight);
  const { file, port } = await envFileFor(opts.as ?? app, opts.env);
  const [target] = resolveTargets([dir], {});
  return { project: loadProject(target!, { envFiles: [file], strictRequired: true }), port, dir };
}

/** A LocalCvm of its own (own drill id and project), its events collected; `done()` removes it all. */
export async function testCvm(opts: { os?: CvmOs } = {}): Promise<{
  cvm: LocalCvm;
  events: BootEvent[];
  drillId: string;
  done: () => Promise<void>;
}> {
  const cli = (await detectCompose())!;
  const drillId = newDrillId('cvm');
  const events: BootEvent[] = [];
  const engine = new Engine();
  const cvm = new LocalCvm({
    project: projectName(drillId),
    dir: join(scratch, 'cvms', drillId),
    engine,
    cli,
    drillId,
    os: opts.os,
    onEvent: (e) => events.push(e),
  });
  return {
    cvm,
    events,
    drillId,
    done: async () => {
      await cvm.close();
      await cleanup({ drillId, engine });
    },
  };
}

export function ofType<T extends BootEvent['type']>(events: BootEvent[], type: T): Extract<BootEvent, { type: T }>[] {
  return events.filter((e): e is Extract<BootEvent, { type: T }> => e.type === type);
}

import type { Service } from '../../compose/types.js';
import { findStatefulImage, type StatefulImage } from '../../knowledge/stateful-images.js';
import { parseImage } from '../../knowledge/image.js';
import { argv, commandLine, envString } from './services.js';

export interface StatefulService {
  entry: StatefulImage;
  /** Where this service keeps its data, after env and flag overrides. */
  dataDirs: string[];
  /** What moved the data directory, when something did (e.g. `PGDATA`, `--dir`). */
  overriddenBy?: string;
}

/** The stateful-image entry for a service, with its data directory as this service configures it. */
export function statefulService(svc: Service): StatefulService | undefined {
  if (!svc.image) return undefined;
  const ref = parseImage(svc.image);
  const entry = findStatefulImage(ref.path, ref.name);
  if (!entry) return undefined;
  const cmd = commandLine(svc.command) + ' ' + commandLine(svc.entrypoint);
  if (entry.statefulWhenCommand && !entry.statefulWhenCommand.test(cmd)) return undefined;
  for (const name of entry.dataDirEnv ?? []) {
    const v = envString(svc, name);
    if (v?.startsWith('/')) return { entry, dataDirs: [v], overriddenBy: name };
  }
  const args = [...argv(svc.entrypoint), ...argv(svc.command)];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    for (const flag of entry.dataDirFlags ?? []) {
      if (a === flag && args[i + 1]?.startsWith('/')) return { entry, dataDirs: [args[i + 1]!], overriddenBy: flag };
      if (a.startsWith(flag + '=') && a.slice(flag.length + 1).startsWith('/'))
        return { entry, dataDirs: [a.slice(flag.length + 1)], overriddenBy: flag };
    }
    if (entry.dataDirArgAfter?.includes(a) && args[i + 1]?.startsWith('/'))
      return { entry, dataDirs: [args[i + 1]!], overriddenBy: `${a} argument` };
  }
  return { entry, dataDirs: entry.dataDirs };
}

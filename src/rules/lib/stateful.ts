import type { Service } from '../../compose/types.js';
import type { StatefulImage } from '../../knowledge/stateful-images.js';
import { recogniseStateful, versionedDataDirs, type StatefulMatch } from '../../knowledge/stateful-recognise.js';
import { argv, commandLine, envString } from './services.js';

export interface StatefulService {
  entry: StatefulImage;
  /** Where this service keeps its data, after version, env and flag overrides (a volume over any one counts). */
  dataDirs: string[];
  /** Where a volume should go to hold the data (the data directory, or the image's VOLUME that holds it). */
  mountAt: string;
  /** What moved the data directory, when something did (e.g. `PGDATA`, `--dir`). */
  overriddenBy?: string;
  /** The image's major version, when the table knows that the data directory depends on it. */
  major?: number;
  /** How the product was recognised (the image table, the image name, the command, the environment). */
  recognisedBy: StatefulMatch['recognisedBy'];
}

/**
 * The data store a service runs, with its data directory as this service configures it. `imageVersionKnown`
 * is false when the tag comes from a variable (the CVM's value may differ from the local one).
 */
export function statefulService(svc: Service, imageVersionKnown = true): StatefulService | undefined {
  // Several rules ask this of every service; the answer depends on the service alone (models are not changed
  // once loaded), so it is worked out once per service object. Callers only read it.
  let answers = known.get(svc);
  if (!answers) known.set(svc, (answers = new Map()));
  if (answers.has(imageVersionKnown)) return answers.get(imageVersionKnown);
  const answer = recognise(svc, imageVersionKnown);
  answers.set(imageVersionKnown, answer);
  return answer;
}

const known = new WeakMap<Service, Map<boolean, StatefulService | undefined>>();

function recognise(svc: Service, imageVersionKnown: boolean): StatefulService | undefined {
  // A service built here is the app, not a packaged server: its POSTGRES_* variables are a client's.
  const environment = svc.build
    ? {}
    : Object.fromEntries(Object.keys(svc.environment ?? {}).map((k) => [k, envString(svc, k)]));
  const words = [...argv(svc.entrypoint), ...argv(svc.command)];
  const match = recogniseStateful({ image: svc.image, environment, argv: words });
  if (!match) return undefined;
  const { entry } = match;
  const cmd = commandLine(svc.command) + ' ' + commandLine(svc.entrypoint);
  if (entry.statefulWhenCommand && !entry.statefulWhenCommand.test(cmd)) return undefined;
  const base = { entry, recognisedBy: match.recognisedBy };
  for (const name of entry.dataDirEnv ?? []) {
    const v = envString(svc, name);
    if (v?.startsWith('/')) return { ...base, dataDirs: [v], mountAt: v, overriddenBy: name };
  }
  for (let i = 0; i < words.length; i++) {
    const a = words[i]!;
    for (const flag of entry.dataDirFlags ?? []) {
      if (a === flag && words[i + 1]?.startsWith('/'))
        return { ...base, dataDirs: [words[i + 1]!], mountAt: words[i + 1]!, overriddenBy: flag };
      if (a.startsWith(flag + '=') && a.slice(flag.length + 1).startsWith('/')) {
        const dir = a.slice(flag.length + 1);
        return { ...base, dataDirs: [dir], mountAt: dir, overriddenBy: flag };
      }
    }
    if (entry.dataDirArgAfter?.includes(a) && words[i + 1]?.startsWith('/'))
      return { ...base, dataDirs: [words[i + 1]!], mountAt: words[i + 1]!, overriddenBy: `${a} argument` };
  }
  const versioned = versionedDataDirs(entry, imageVersionKnown ? svc.image : undefined);
  return { ...base, ...versioned };
}

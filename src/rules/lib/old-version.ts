import type { ComposeModel, Service } from '../../compose/types.js';
import { isOneShot, servesTraffic } from './services.js';
import { statefulService } from './stateful.js';
import { isReadOnly } from './volumes.js';

/**
 * What the old version of a `restart: always` service keeps taking while an upgrade boots, if
 * anything: dockerd starts it with its old image before compose up recreates it
 * (docs/platform.md#boot-sequence, step 6). A data store of the stateful-image table is left out: its old
 * version serving until it is recreated is what any upgrade of it does, and whether the new version reads
 * its data is `preflight diff`'s question. An application of that table (Gitea, Nextcloud…) is not: its
 * old version writes.
 */
export function oldVersionTakes(model: ComposeModel, name: string, svc: Service): 'traffic' | 'writes' | undefined {
  if (svc.restart?.trim() !== 'always' || isOneShot(model, name, svc)) return undefined;
  const stateful = statefulService(svc);
  if (stateful && !stateful.entry.application) return undefined;
  if (servesTraffic(svc)) return 'traffic';
  if (stateful) return 'writes';
  if ((svc.volumes ?? []).some((v) => v.type === 'volume' && v.source && !isReadOnly(v))) return 'writes';
  return undefined;
}

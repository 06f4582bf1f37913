import type { RuleMeta } from '../findings/catalogue.js';
import type { Section, Severity } from '../findings/types.js';

/**
 * What `preflight diff` reports, as data: one entry per rule id, registered in the findings
 * catalogue so the text, SARIF and docs renderers know them. `severity` is the default; a check
 * may report a finding lower (e.g. a heuristic) or higher.
 */
const DIFF_RULES = [
  {
    id: 'volume-removed',
    section: 'volumes',
    severity: 'error',
    title: 'A named volume that OLD mounts is mounted by no service of NEW',
    rationale:
      'An upgrade reattaches named volumes by name (`dstack_<volume>` in the CVM). A volume NEW no longer ' +
      'mounts keeps its data on the disk, but no service reads it any more: the service starts empty.',
    fixHint: 'Keep mounting the volume in NEW, or migrate its data first and remove it on purpose in a later upgrade.',
  },
  {
    id: 'volume-renamed',
    section: 'volumes',
    severity: 'error',
    title: 'Same service and mount path, but a new volume name: the old data is orphaned',
    rationale:
      'The CVM names volumes `dstack_<volume>`; renaming the volume (or its `name:`) gives the service a new, ' +
      'empty volume at the same path. Compose does not migrate data between volumes.',
    fixHint:
      'Keep the old volume name (set `name:` on the new volume key to the old Docker volume name, e.g. `name: ' +
      'dstack_<old>`), or copy the data in a one-shot service before switching.',
  },
  {
    id: 'service-data-orphaned',
    section: 'volumes',
    severity: 'error',
    title: 'A service that kept data is removed or renamed, and no service of NEW mounts its volumes',
    rationale:
      'Renaming or removing a service does not move its volumes: the data stays on the disk with nothing ' +
      'reading it, and a renamed service starts empty.',
    fixHint:
      'Mount the old volumes in the renamed service (same volume names), or migrate the data before removing ' +
      'the service.',
  },
  {
    id: 'service-renamed-anonymous-data',
    section: 'volumes',
    severity: 'error',
    title: 'A service with anonymous volumes is removed or renamed: its data is deleted at the next boot',
    rationale:
      "An anonymous volume (a bare `- /data`, or an image's `VOLUME` nothing mounts over) lives as long as its " +
      'container. At the next boot `dstack-util remove-orphans` deletes the container of a service no longer in ' +
      'the compose file, and `docker volume prune -f` after `compose up` then deletes its anonymous volumes ' +
      '(docs/platform.md#boot-sequence, steps 5 and 8; #volumes). A renamed service starts without that data.',
    fixHint:
      'Before the rename, move the data to a named volume in a release that keeps the old service name (mount a ' +
      'named volume at the same path and copy the data over), then rename.',
  },
  {
    id: 'data-dir-moved',
    section: 'volumes',
    severity: 'error',
    title: 'The data directory moved relative to its volume (mount target or data-dir override changed)',
    rationale:
      'The volume keeps its files where OLD wrote them. If NEW mounts it elsewhere, or the app (e.g. `PGDATA`) ' +
      'looks in another directory, NEW starts with an empty data directory, or writes outside the volume and ' +
      'loses everything when its container is next recreated (the next upgrade; at every boot when that place is ' +
      'on the tmpfs, docs/platform.md#volumes).',
    fixHint:
      'Keep the mount target and the data-directory setting as they were, or move both together so the data ' +
      'sits at the same place inside the volume.',
  },
  {
    id: 'stateful-major-upgrade',
    section: 'upgrades',
    severity: 'error',
    title: 'A stateful image changes major version where the on-disk format is not forward compatible',
    rationale:
      'Databases such as PostgreSQL cannot start on a data directory written by an older major version; others ' +
      'upgrade in place only one major version at a time. The upgraded service fails to start, or refuses the ' +
      'old data.',
    fixHint:
      "Run the product's migration (see the message and docs/upgrades.md) before switching the image, and " +
      'rehearse it with `preflight drill upgrade` on a copy of the data.',
  },
  {
    id: 'stateful-downgrade',
    section: 'upgrades',
    severity: 'error',
    title: 'A stateful image goes back to an older version',
    rationale:
      'Data written by a newer version is generally not readable by an older one (new file formats, catalog ' +
      'versions, feature flags).',
    fixHint: 'Roll back only to a version that shares the data format, or restore a backup taken before the upgrade.',
  },
  {
    id: 'user-changed',
    section: 'upgrades',
    severity: 'warning',
    title: 'The user a service with persistent data runs as changed',
    rationale:
      'Files on the volume keep their owner: a service that now runs as another uid may be unable to read or ' +
      'write its existing data.',
    fixHint: 'Keep the user, or add a one-shot service that chowns the volume to the new uid before the app starts.',
  },
  {
    id: 'project-name-changed',
    section: 'volumes',
    severity: 'error',
    title:
      "The compose project name changes: every volume starts empty and the old project's containers keep coming back",
    rationale:
      'In the CVM the compose project is the top-level `name:`, else `dstack` (docs/platform.md#boot-sequence, ' +
      'step 5). Named volumes are `<project>_<key>`, so a new project name gives every volume without an ' +
      'explicit `name:` a new, empty Docker volume (#volumes). Orphan removal only deletes containers of the ' +
      "current project, so the old project's containers stay: dockerd starts those with `restart: always` at " +
      'every boot (`unless-stopped` and `on-failure` ones after a forced stop, #boot-sequence step 6), with the ' +
      'old image and the old data, and they hold the ports the new ones need.',
    fixHint:
      'Keep the project name as it was (restore or remove the top-level `name:`); if it must change, give each ' +
      "volume `name: <old project>_<key>` and remove the old project's containers in a one-off step.",
  },
  {
    id: 'storage-fs-changed',
    section: 'volumes',
    severity: 'error',
    title: 'storage_fs changes: the next boot cannot mount the existing data disk',
    rationale:
      'The data disk is formatted once, with `storage_fs` (`zfs` or `ext4`), at the first boot; later boots ' +
      'only open the LUKS volume and mount it with the filesystem `storage_fs` names now. With another value the ' +
      "mount fails and so does the boot (docs/platform.md#boot-sequence, step 2; inferred from dstack-util's " +
      'code, not tested on a CVM).',
    fixHint: 'Keep storage_fs as it was; to change filesystems, deploy a new CVM and migrate the data to it.',
  },
  {
    id: 'instance-id-changed',
    section: 'keys',
    severity: 'error',
    title: 'no_instance_id flips: the disk key changes, and the gateway route with it',
    rationale:
      'The KMS derives the data disk key from the app id and the instance id; `no_instance_id: true` makes the ' +
      'instance id empty (docs/platform.md#volumes, #key-derivation). Flipping it after the first boot gives the ' +
      'disk another key, so the existing encrypted disk does not open. Without an instance id the gateway also ' +
      'refuses to register the CVM (#ingress): no route, a failed boot on dstack v0.5.11.',
    fixHint: 'Keep no_instance_id as it was; to change it, deploy a new CVM and migrate the data to it.',
  },
  {
    id: 'deployment-changed',
    section: 'upgrades',
    severity: 'info',
    title: 'A deployment setting changes (public_logs, allowed_envs, …) or the compose hash changes',
    rationale:
      'The compose hash (sha256 of app-compose.json) is what attestation shows and what the KMS authorises; any ' +
      'change to the manifest changes it, and settings such as public_logs change who can read what.',
    fixHint:
      'Confirm each change is intended; register the new compose hash where your attestation policy or KMS ' +
      'allow-list needs it.',
  },
  {
    id: 'key-provider-changed',
    section: 'keys',
    severity: 'error',
    title: "The key provider changes: the app's keys and disk key change",
    rationale:
      'Keys derive from the key provider: the KMS from the app id, `local` and `tpm` from one machine, `none` ' +
      'from a seed drawn at each boot (docs/platform.md#key-derivation). After the change, derived keys differ ' +
      'and data encrypted with the old keys, the encrypted disk included, may become unreadable.',
    fixHint:
      'Keep the key provider as it was; to change it, export the data and re-encrypt it under the new keys first.',
  },
] as const satisfies readonly {
  id: string;
  section: Section;
  severity: Severity;
  title: string;
  rationale: string;
  fixHint: string;
}[];

export type DiffRuleId = (typeof DIFF_RULES)[number]['id'];

export const DIFF_RULE_META: readonly RuleMeta[] = DIFF_RULES.map((r) => ({
  ...r,
  docsUrl: 'docs/upgrades.md',
  source: 'diff' as const,
}));
/** Every id `diff` reports: its own, and the secrets plan's it passes on (declared in src/secrets/rules.ts). */
export const DIFF_RULE_IDS: ReadonlySet<string> = new Set([
  ...DIFF_RULES.map((r) => r.id),
  'secret-missing',
  'secret-dropped',
]);

export function diffRule(id: DiffRuleId): { section: Section; severity: Severity } {
  const r = DIFF_RULES.find((x) => x.id === id)!;
  return { section: r.section, severity: r.severity };
}

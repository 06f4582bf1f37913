import type { RuleMeta } from '../findings/catalogue.js';
import type { Section, Severity } from '../findings/types.js';

/**
 * The restart drill's checks (also reported by the upgrade drill, whose own ids live in
 * upgrade/checks.ts): section, default severity, and what the rule catalogue shows for them.
 */
/** A drill's table of checks: id → section, default severity and catalogue text. */
export type DrillRuleTable = Record<
  string,
  { section: Section; severity: Severity; title: string; rationale: string; fixHint: string }
>;

/** A drill's checks as catalogue entries, so reports, SARIF, the configuration and docs/rules.md know them. */
export function drillRuleMetas(table: DrillRuleTable, docsUrl: string): RuleMeta[] {
  return Object.entries(table).map(([id, r]) => ({ id, ...r, docsUrl, source: 'drill' as const }));
}

export const DRILL_RULES = {
  'drill-not-ready': {
    section: 'restart',
    severity: 'error',
    title: 'A service was not ready again within its deadline after a start, a fault or an upgrade',
    rationale:
      'The checklist: the app must handle being stopped and started at any time. A CVM restarts every container ' +
      'on reboot and upgrade; a service that does not come back is an outage no one is there to fix.',
    fixHint:
      'Read the quoted log line; make start-up idempotent (tolerate leftover lock or pid files, re-run ' +
      'migrations safely) and raise drill.ready.<service>.timeout only if it is merely slow.',
  },
  'drill-lost-writes': {
    section: 'volumes',
    severity: 'error',
    title: 'Acknowledged writes were not read back after the faults (or the final read failed)',
    rationale:
      'The checklist: data that must persist belongs on a mounted volume; named volumes survive CVM restarts ' +
      'and upgrades, the container filesystem and anonymous volumes do not (the guest prunes them at boot).',
    fixHint:
      'Store data on a named volume, flush (fsync) before acknowledging, and make sure the data stays readable ' +
      'after a restart (for encrypted data: a key from the guest agent, not one made at start).',
  },
  'drill-sigterm-ignored': {
    section: 'restart',
    severity: 'warning',
    title: 'A container did not exit on SIGTERM within its stop_grace_period and was killed',
    rationale:
      'The checklist asks for graceful shutdown handlers so the app can save state when the container stops; a ' +
      'CVM restart or upgrade stops every container, and what is not saved within the grace period is cut off by ' +
      'SIGKILL.',
    fixHint:
      'Handle SIGTERM (close servers, flush, exit); run with `init: true` when the main process is a shell; ' +
      'raise stop_grace_period if a clean stop needs longer.',
  },
  'drill-write-outside-volume': {
    section: 'volumes',
    severity: 'error',
    title: 'A container wrote files outside every volume',
    rationale:
      "The checklist: write files (databases, uploads) to a mounted volume, not the container's ephemeral " +
      'filesystem. A CVM recreates containers on reboot and upgrade, so the writable layer is lost.',
    fixHint:
      "Mount a named volume at the directory listed (or point the app's data directory at one); scratch files " +
      'belong in /tmp.',
  },
  'drill-secret-in-logs': {
    section: 'logs',
    severity: 'warning',
    title: "A secret value appeared in a container's logs",
    rationale:
      "Phala Cloud treats logs as public by default (public_logs): anyone can read them at the CVM's /logs " +
      'endpoint, and the secrets were encrypted end to end only to be printed there.',
    fixHint:
      'Stop printing configuration values (log key names, or a redacted preview); rotate the secret; turn ' +
      'public_logs off if logs must stay private.',
  },
  'drill-restart-loop': {
    section: 'restart',
    severity: 'error',
    title: 'The engine restarted a service again and again: it crashes on start',
    rationale:
      'A restart policy hides a crash on start as a loop; after a CVM reboot or upgrade the app never comes ' +
      'back, and the loop fills the (possibly public) logs.',
    fixHint:
      "Read the service's last log lines; fix what fails at start (data left by the previous run, a missing " +
      'secret, a port in use).',
  },
  'drill-bind-not-shipped': {
    section: 'platform',
    severity: 'error',
    title: 'A relative bind mount points at files that are not shipped to the CVM',
    rationale:
      'Only the compose YAML is shipped into the CVM (platform facts): a relative bind mount gets an empty ' +
      'directory there, so the drill ran the app that way.',
    fixHint: 'Bake the files into the image or use inline `configs: content:`; keep data on named volumes.',
  },
  'drill-key-changed': {
    section: 'keys',
    severity: 'error',
    title: 'A key the app derives from the guest agent changed after a restart or an upgrade',
    rationale:
      'The checklist: TEE-managed keys are stable across restarts and upgrades, so encrypted data stays ' +
      'readable. A key that comes back different makes everything encrypted or signed with it unreadable or ' +
      'unverifiable.',
    fixHint:
      'Deploy with the KMS (kms_enabled: true, key_provider kms) and keep the same app id across upgrades; ' +
      'derive keys with a fixed path and never from per-boot values.',
  },
  'drill-keys-unstable': {
    section: 'keys',
    severity: 'error',
    title: 'The app asks the guest agent for keys, but the deployment has no key provider that keeps them',
    rationale:
      'Keys are stable per app only with the KMS (platform facts: kms_enabled); with key provider none every ' +
      'boot gets a new root, so data encrypted with a derived key is lost on the next reboot or upgrade.',
    fixHint:
      'Enable the KMS (kms_enabled: true, or key_provider: kms) in the deployment settings, or stop relying on ' +
      'the derived keys for data that must outlive a boot.',
  },
  'drill-boot-failed': {
    section: 'restart',
    severity: 'error',
    title: "The CVM's boot stopped before the app was (re)started: pre-launch script, env or compose up",
    rationale:
      'Every CVM boot runs the same steps (docs/platform.md#boot-sequence): the env is filtered and checked, ' +
      'the pre_launch_script is sourced by the boot shell (on dstack main under `set -euo pipefail`, so any ' +
      'failing command or unset variable ends the boot), then `docker compose up`. A step that fails ends the ' +
      'boot with `boot.error`: the app is not started or not upgraded, and only containers dockerd restored keep ' +
      'running, on their old version.',
    fixHint:
      'Read the quoted line: guard variables (`${VAR:-}`), make optional commands `|| true`, keep gates out of ' +
      'pre_launch_script (they belong in init_script), and make sure everything `compose up` needs is in the ' +
      'compose file or the image.',
  },
  'drill-old-version-served': {
    section: 'upgrades',
    severity: 'warning',
    title: 'During an upgrade the old version served again, or ran alongside the new one',
    rationale:
      'At boot dockerd restores `restart: always` containers (and `unless-stopped` ones after a power cut) with ' +
      'their OLD config and image before the pre-launch script and `compose up` run ' +
      '(docs/platform.md#boot-sequence, step 6; dstack#1023): the old version answers requests until compose ' +
      'recreates it. When old and new containers run at once with the same volume mounted read-write, both ' +
      'versions write the same data (an error).',
    fixHint:
      'Use `restart: unless-stopped` (a clean upgrade stops it first), or make the old version refuse traffic ' +
      'it cannot handle; keep writers of one volume in one service, or stop them in an init_script before ' +
      'dockerd starts.',
  },
  'drill-image-pruned': {
    section: 'upgrades',
    severity: 'warning',
    title: "A boot needs an image an earlier boot's prune deleted from the CVM: it is pulled again",
    rationale:
      'Every boot ends with `docker image prune -af` (docs/platform.md#boot-sequence, step 8): once an upgrade ' +
      "recreated the containers, the old version's images are gone from the CVM's disk. Going back (a rollback) " +
      'pulls them again: if the registry no longer has the tag, or it moved, the rollback fails or boots another ' +
      'build. The local engine still has the image, so without this check a rehearsal would hide it.',
    fixHint:
      'Pin images by digest (`image: name@sha256:…`) and keep old versions in the registry for as long as you ' +
      'may roll back to them.',
  },
} as const satisfies DrillRuleTable;
export type DrillRuleId = keyof typeof DRILL_RULES;

export const RESTART_DRILL_RULE_METAS: readonly RuleMeta[] = drillRuleMetas(DRILL_RULES, 'docs/drills.md');

import { registerRuleMeta } from '../findings/catalog.js';
import type { Rule } from './types.js';
import { composeInvalid } from './compose-invalid.js';
import { restartPolicy } from './restart-policy.js';
import { shellPid1 } from './shell-pid1.js';
import { stopGracePeriod } from './stop-grace-period.js';
import { healthcheckMissing } from './healthcheck-missing.js';
import { healthcheckDisabled } from './healthcheck-disabled.js';
import { healthcheckTiming } from './healthcheck-timing.js';
import { dependsOnUnhealthy } from './depends-on-unhealthy.js';
import { anonymousVolume } from './anonymous-volume.js';
import { relativeBindMount } from './relative-bind-mount.js';
import { hostPathVolatile } from './host-path-volatile.js';
import { tmpfsData } from './tmpfs-data.js';
import { externalVolume } from './external-volume.js';
import { statefulNoVolume } from './stateful-no-volume.js';
import { suppressionWithoutReason } from './suppression-without-reason.js';
import { plaintextSecret } from './plaintext-secret.js';
import { secretDefault } from './secret-default.js';
import { envFileLocal } from './env-file-local.js';
import { secretFileLocal } from './secret-file-local.js';
import { envNotAllowed } from './env-not-allowed.js';
import { requiredEnvUnguarded } from './required-env-unguarded.js';
import { buildArgSecret } from './build-arg-secret.js';
import { envNameInvalid } from './env-name-invalid.js';
import { legacyTappdSocket } from './legacy-tappd-socket.js';
import { socketLockMount } from './socket-lock-mount.js';
import { dockerSocket } from './docker-socket.js';
import { privileged } from './privileged.js';
import { hostNamespace } from './host-namespace.js';
import { kmsDisabled } from './kms-disabled.js';
import { sharedDiskKey } from './shared-disk-key.js';
import { imageUnpinned } from './image-unpinned.js';
import { imageNoDigest } from './image-no-digest.js';
import { buildInCvm } from './build-in-cvm.js';
import { composeTooLarge } from './compose-too-large.js';
import { noMetricsExporter } from './no-metrics-exporter.js';
import { loggingDisabled } from './logging-disabled.js';
import { publicLogs } from './public-logs.js';
import { privateLogsNoForwarder } from './private-logs-no-forwarder.js';
import { publicSysinfo } from './public-sysinfo.js';
import { udpPort } from './udp-port.js';
import { profileNotStarted } from './profile-not-started.js';
import { preLaunchNotOrdered } from './pre-launch-not-ordered.js';

/** Every rule, in report order within its section. Adding a rule: its module, and one line here. */
export const RULES: readonly Rule[] = [
  // restart
  restartPolicy,
  shellPid1,
  stopGracePeriod,
  healthcheckMissing,
  healthcheckDisabled,
  healthcheckTiming,
  dependsOnUnhealthy,
  // volumes
  statefulNoVolume,
  anonymousVolume,
  relativeBindMount,
  hostPathVolatile,
  tmpfsData,
  externalVolume,
  // secrets
  plaintextSecret,
  secretDefault,
  envFileLocal,
  secretFileLocal,
  envNotAllowed,
  requiredEnvUnguarded,
  buildArgSecret,
  envNameInvalid,
  // keys
  legacyTappdSocket,
  socketLockMount,
  dockerSocket,
  privileged,
  hostNamespace,
  kmsDisabled,
  sharedDiskKey,
  // upgrades
  imageUnpinned,
  imageNoDigest,
  buildInCvm,
  composeTooLarge,
  // observability
  noMetricsExporter,
  loggingDisabled,
  // logs
  publicLogs,
  privateLogsNoForwarder,
  publicSysinfo,
  // platform
  composeInvalid,
  udpPort,
  profileNotStarted,
  preLaunchNotOrdered,
  suppressionWithoutReason,
];

registerRuleMeta(
  RULES.map(({ id, section, severity, title, rationale, fixHint, docsUrl }) => ({
    id,
    section,
    severity,
    title,
    rationale,
    fixHint,
    docsUrl,
    source: 'check' as const,
  })),
);

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

export type { Rule, RuleContext, RuleReport } from './types.js';

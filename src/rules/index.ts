import type { RuleMeta } from '../findings/catalogue.js';
import type { Rule } from './types.js';
import { composeInvalid } from './platform/compose-invalid.js';
import { restartPolicy } from './restart/restart-policy.js';
import { shellPid1 } from './restart/shell-pid1.js';
import { stopGracePeriod } from './restart/stop-grace-period.js';
import { healthcheckMissing } from './restart/healthcheck-missing.js';
import { healthcheckDisabled } from './restart/healthcheck-disabled.js';
import { healthcheckTiming } from './restart/healthcheck-timing.js';
import { healthcheckIneffective } from './restart/healthcheck-ineffective.js';
import { dependsOnUnhealthy } from './restart/depends-on-unhealthy.js';
import { anonymousVolume } from './volumes/anonymous-volume.js';
import { relativeBindMount } from './volumes/relative-bind-mount.js';
import { hostPathVolatile } from './volumes/host-path-volatile.js';
import { tmpfsData } from './volumes/tmpfs-data.js';
import { externalVolume } from './volumes/external-volume.js';
import { statefulNoVolume } from './volumes/stateful-no-volume.js';
import { suppressionWithoutReason } from './platform/suppression-without-reason.js';
import { plaintextSecret } from './secrets/plaintext-secret.js';
import { secretDefault } from './secrets/secret-default.js';
import { envFileLocal } from './secrets/env-file-local.js';
import { secretFileLocal } from './secrets/secret-file-local.js';
import { envNotAllowed } from './secrets/env-not-allowed.js';
import { requiredEnvUnguarded } from './secrets/required-env-unguarded.js';
import { buildArgSecret } from './secrets/build-arg-secret.js';
import { envNameInvalid } from './secrets/env-name-invalid.js';
import { legacyTappdSocket } from './keys/legacy-tappd-socket.js';
import { socketLockMount } from './keys/socket-lock-mount.js';
import { dockerSocket } from './keys/docker-socket.js';
import { privileged } from './keys/privileged.js';
import { hostNamespace } from './keys/host-namespace.js';
import { kmsDisabled } from './keys/kms-disabled.js';
import { sharedDiskKey } from './keys/shared-disk-key.js';
import { imageUnpinned } from './upgrades/image-unpinned.js';
import { imageNoDigest } from './upgrades/image-no-digest.js';
import { imageFromVariable } from './upgrades/image-from-variable.js';
import { buildInCvm } from './upgrades/build-in-cvm.js';
import { payloadTooLarge } from './upgrades/payload-too-large.js';
import { mutableTagPulledAtBoot } from './upgrades/mutable-tag-pulled-at-boot.js';
import { restartServesOldVersion } from './upgrades/restart-serves-old-version.js';
import { noMetricsExporter } from './observability/no-metrics-exporter.js';
import { loggingDisabled } from './observability/logging-disabled.js';
import { publicLogs } from './logs/public-logs.js';
import { privateLogsNoForwarder } from './logs/private-logs-no-forwarder.js';
import { publicSysinfo } from './logs/public-sysinfo.js';
import { udpPort } from './platform/udp-port.js';
import { publishedInternalPort } from './platform/published-internal-port.js';
import { profileNotStarted } from './platform/profile-not-started.js';
import { preLaunchNotOrdered } from './platform/pre-launch-not-ordered.js';
import { preLaunchUnsafe } from './restart/pre-launch-unsafe.js';
import { manifestVersionRequired } from './platform/manifest-version-required.js';
import { portPolicyMismatch } from './platform/port-policy-mismatch.js';
import { secureTimeEgress } from './platform/secure-time-egress.js';
import { fileNotShipped } from './platform/file-not-shipped.js';
import { overrideNotShipped } from './platform/override-not-shipped.js';
import { pullPolicyNever } from './platform/pull-policy-never.js';
import { unusedSuppression } from './platform/unused-suppression.js';

/** Every rule, in report order within its section. Adding a rule: its module, and one line here. */
export const RULES: readonly Rule[] = [
  // restart
  restartPolicy,
  shellPid1,
  stopGracePeriod,
  healthcheckMissing,
  healthcheckDisabled,
  healthcheckTiming,
  healthcheckIneffective,
  dependsOnUnhealthy,
  preLaunchUnsafe,
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
  mutableTagPulledAtBoot,
  imageNoDigest,
  imageFromVariable,
  buildInCvm,
  payloadTooLarge,
  restartServesOldVersion,
  // observability
  noMetricsExporter,
  loggingDisabled,
  // logs
  publicLogs,
  privateLogsNoForwarder,
  publicSysinfo,
  // platform
  composeInvalid,
  manifestVersionRequired,
  udpPort,
  publishedInternalPort,
  portPolicyMismatch,
  secureTimeEgress,
  profileNotStarted,
  preLaunchNotOrdered,
  fileNotShipped,
  overrideNotShipped,
  pullPolicyNever,
  suppressionWithoutReason,
  unusedSuppression,
];

/** The check rules as catalogue entries. */
export const CHECK_RULE_METAS: readonly RuleMeta[] = RULES.map(
  ({ id, section, severity, title, rationale, fixHint, docsUrl, example, optIn }) => ({
    id,
    section,
    severity,
    title,
    rationale,
    fixHint,
    docsUrl,
    example,
    ...(optIn ? { optIn } : {}),
    source: 'check' as const,
  }),
);

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

export type { Rule, RuleContext, RuleReport } from './types.js';

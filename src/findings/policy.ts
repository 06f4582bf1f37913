import type { Finding, Severity, SuppressedFinding } from './types.js';

/**
 * What `.preflight.yml` says about findings, for every command: a severity or `off` per rule id,
 * and exemptions (a rule, optionally one service, and the reason).
 */
export interface FindingPolicy {
  rules: Readonly<Record<string, Severity | 'off'>>;
  exemptions: readonly { rule: string; service?: string; reason: string }[];
}

/** The exemption that covers a finding, if any. */
export function exemptionFor(policy: FindingPolicy, f: Pick<Finding, 'ruleId' | 'service'>) {
  return policy.exemptions.find((e) => e.rule === f.ruleId && (e.service === undefined || e.service === f.service));
}

/** The finding under the policy: dropped (`off`), with the configured severity, or suppressed by an exemption. */
export function underPolicy(
  policy: FindingPolicy,
  f: Finding,
): { finding: Finding } | { suppressed: SuppressedFinding } | undefined {
  const configured = policy.rules[f.ruleId];
  if (configured === 'off') return undefined;
  const finding = configured ? { ...f, severity: configured } : f;
  const exemption = exemptionFor(policy, f);
  if (exemption) return { suppressed: { ...finding, suppression: { kind: 'config', reason: exemption.reason } } };
  return { finding };
}

/** Apply the policy to a command's findings (diff, secrets plan, drills; `check` applies it per rule run). */
export function applyPolicy(
  policy: FindingPolicy,
  findings: readonly Finding[],
): { findings: Finding[]; suppressed: SuppressedFinding[] } {
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const f of findings) {
    const r = underPolicy(policy, f);
    if (!r) continue;
    if ('finding' in r) kept.push(r.finding);
    else suppressed.push(r.suppressed);
  }
  return { findings: kept, suppressed };
}

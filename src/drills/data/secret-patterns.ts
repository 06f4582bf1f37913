/**
 * Well-known credential formats, found in container logs without knowing the value. Patterns are
 * anchored on the provider's fixed prefix so ordinary log text does not match.
 */
export interface SecretPattern {
  name: string;
  pattern: RegExp;
}

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { name: 'AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'GitHub token', pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b/ },
  { name: 'GitHub fine-grained token', pattern: /\bgithub_pat_[A-Za-z0-9_]{60,}\b/ },
  { name: 'OpenAI API key', pattern: /\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}\b/ },
  { name: 'Anthropic API key', pattern: /\bsk-ant-[A-Za-z0-9_-]{32,}\b/ },
  { name: 'Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/ },
  { name: 'Stripe secret key', pattern: /\b(?:sk|rk)_live_[A-Za-z0-9]{16,}\b/ },
  { name: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: 'private key block', pattern: /-----BEGIN (?:RSA |EC |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/ },
  { name: 'hex private key (0x + 64 hex)', pattern: /\b0x[0-9a-fA-F]{64}\b/ },
  { name: 'Phala Cloud API key', pattern: /\bphak_[A-Za-z0-9_-]{20,}\b/ },
];

/** Env names that hold secrets even when their values look ordinary. */
export const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|PASS|PRIVATE|CREDENTIAL|API_?KEY|AUTH|MNEMONIC|SEED|_KEY$|^KEY$)/i;

/** Values too common to prove anything when they show up in a log (ports, booleans, words). */
export function worthScanning(name: string, value: string): boolean {
  if (value.length < 4) return false;
  if (/^(true|false|yes|no|on|off|null|none|\d{1,6})$/i.test(value)) return false;
  if (SECRET_NAME.test(name)) return value.length >= 6;
  // Other variables: only long, random-looking values (mixed classes, no spaces).
  return value.length >= 16 && !/\s/.test(value) && /[0-9]/.test(value) && /[A-Za-z]/.test(value);
}

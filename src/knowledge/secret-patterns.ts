/**
 * What secrets look like: provider token formats, credential-shaped variable names, and the
 * placeholders people leave in examples. Data only; the logic is in src/knowledge/secret-detect.ts, which
 * the `check` rules and `preflight secrets plan` share. Each entry names where its format comes from.
 */

export interface SecretValuePattern {
  id: string;
  /** Shown in messages ("looks like a GitHub token"). */
  provider: string;
  /** Matches the secret inside a longer text (no anchors, no `g` flag: callers add it). */
  pattern: RegExp;
  source: string;
}

export const SECRET_VALUE_PATTERNS: readonly SecretValuePattern[] = [
  {
    id: 'aws-access-key-id',
    provider: 'AWS access key id',
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/,
    source: 'AWS IAM User Guide, "Understanding unique ID prefixes" (AKIA long-term, ASIA temporary)',
  },
  {
    id: 'aws-secret-access-key',
    provider: 'AWS secret access key',
    // 40 base64 characters are too common alone; only with the variable name beside them.
    pattern: /\baws_?secret_?access_?key\b["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/i,
    source: 'AWS CLI config docs (aws_secret_access_key, 40 characters)',
  },
  {
    id: 'github-fine-grained-pat',
    provider: 'GitHub fine-grained token',
    pattern: /\bgithub_pat_[A-Za-z0-9_]{50,}/,
    source: 'GitHub docs, "About personal access tokens" (github_pat_ prefix)',
  },
  {
    id: 'github-token',
    provider: 'GitHub token',
    pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/,
    source: 'GitHub blog 2021-04-05 "Behind GitHub\'s new authentication token formats" (ghp_, gho_, ghu_, ghs_, ghr_)',
  },
  {
    // Before OpenAI: both start with `sk-`.
    id: 'anthropic-api-key',
    provider: 'Anthropic API key',
    pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/,
    source: 'Anthropic API docs (keys start with sk-ant-)',
  },
  {
    id: 'openai-api-key',
    provider: 'OpenAI API key',
    pattern:
      /\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{20,}T3BlbkFJ[A-Za-z0-9]{20,}|[A-Za-z0-9]{48}\b)/,
    source: 'OpenAI API keys: sk-, sk-proj-, sk-svcacct-, sk-admin-; legacy keys embed base64("OpenAI") = T3BlbkFJ',
  },
  {
    id: 'stripe-live-key',
    provider: 'Stripe live secret key',
    pattern: /\b[sr]k_live_[A-Za-z0-9]{20,}/,
    source: 'Stripe docs, "API keys" (sk_live_ secret, rk_live_ restricted)',
  },
  {
    id: 'slack-token',
    provider: 'Slack token',
    pattern: /\bxox[abposre]-[A-Za-z0-9-]{10,}/,
    source: 'Slack docs, "Token types" (xoxb-, xoxp-, xoxa-, xoxo-, xoxs-, xoxe-)',
  },
  {
    id: 'slack-webhook',
    provider: 'Slack incoming webhook',
    pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+/,
    source: 'Slack docs, "Sending messages using incoming webhooks"',
  },
  {
    id: 'google-api-key',
    provider: 'Google API key',
    pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/,
    source: 'Google Cloud docs, "Manage API keys" (AIza prefix, 39 characters)',
  },
  {
    id: 'private-key',
    provider: 'private key (PEM)',
    pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/,
    source: 'RFC 7468 (PEM labels: PRIVATE KEY, RSA/EC/DSA/OPENSSH/ENCRYPTED PRIVATE KEY, PGP PRIVATE KEY BLOCK)',
  },
  {
    id: 'jwt',
    provider: 'JSON Web Token',
    // header and payload are base64url JSON objects, so both start with `eyJ` ("{"").
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}/,
    source: 'RFC 7519 (JWS compact serialization: base64url(header).base64url(payload).signature)',
  },
  {
    id: 'url-password',
    provider: 'URL with a password',
    // scheme://user:password@host — group 1 is the password (detect.ts skips ${VAR} references).
    // The scheme starts where a run of scheme characters starts (not `\b`): tried at every letter of
    // a long word, the scheme would be re-scanned from each, quadratic in the word's length.
    pattern: /(?<![a-zA-Z0-9+.-])[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s:@/'"]*:([^\s@/'"]+)@[^\s'"]/,
    source: 'RFC 3986 §3.2.1 (userinfo, "user:password" deprecated because it leaks)',
  },
];

/**
 * Credential words in variable names. A name is split into words (`DB_PASSWORD`, `dbPassword` →
 * DB, PASSWORD). `strong` words also count at the end of a longer word (`DBPASSWORD`, `APIKEY`);
 * `weak` ones only as a whole word (`DB_PASS` but not `PASSENGER`).
 */
export const SECRET_NAME_WORDS = {
  strong: [
    'PASSWORD',
    'PASSWD',
    'SECRET',
    'SECRETS',
    'TOKEN',
    'APIKEY',
    'PRIVATEKEY',
    'PRIVKEY',
    'ACCESSKEY',
    'SECRETKEY',
    'CREDENTIAL',
    'CREDENTIALS',
    'PASSPHRASE',
    'MNEMONIC',
    'AUTHORIZATION',
  ],
  weak: ['PASS', 'PWD', 'AUTH', 'DSN', 'CREDS', 'SALT', 'PEPPER', 'HMAC', 'CONNSTR'],
  /** Two-word phrases (adjacent words). */
  phrases: [
    ['API', 'KEY'],
    ['PRIVATE', 'KEY'],
    ['ACCESS', 'KEY'],
    ['SECRET', 'KEY'],
    ['CONNECTION', 'STRING'],
    ['CONN', 'STR'],
    ['SEED', 'PHRASE'],
  ] as ReadonlyArray<readonly [string, string]>,
  /** `<X>_KEY` is a credential (STRIPE_KEY, APP_KEY, SIGNING_KEY) unless X says otherwise. */
  keySuffix: 'KEY',
  notCredentialKeyQualifiers: [
    'PUBLIC',
    'PUB',
    'PUBLISHABLE',
    'CACHE',
    'SORT',
    'PARTITION',
    'PRIMARY',
    'FOREIGN',
    'ROUTING',
    'IDEMPOTENCY',
    'LOOKUP',
    'SHARD',
    'HOST',
    'MAP',
    'HOT',
    'SITE',
    'PUSH',
  ],
} as const;

/**
 * Words that make a credential-looking name a setting about credentials, not one
 * (`PASSWORD_MIN_LENGTH`, `TOKEN_EXPIRY`, `DB_PASSWORD_FILE`, `MYSQL_ALLOW_EMPTY_PASSWORD`).
 * `_FILE` is the Docker secrets convention (a path to the secret), `_URL` and friends are
 * addresses (a URL's own credentials are found by value).
 */
export const NOT_SECRET_NAME_WORDS: readonly string[] = [
  'FILE',
  'PATH',
  'DIR',
  'URL',
  'URI',
  'HOST',
  'HOSTNAME',
  'PORT',
  'ENDPOINT',
  'REGION',
  'BUCKET',
  'LOCATION',
  'ID',
  'USER',
  'USERNAME',
  'LOGIN',
  'EMAIL',
  'NAME',
  'ISSUER',
  'AUDIENCE',
  'SCOPE',
  'SCOPES',
  'MIN',
  'MAX',
  'LENGTH',
  'LEN',
  'SIZE',
  'COUNT',
  'ROUNDS',
  'COST',
  'COMPLEXITY',
  'STRENGTH',
  'EXPIRY',
  'EXPIRE',
  'EXPIRES',
  'EXPIRATION',
  'TTL',
  'TIMEOUT',
  'LIFETIME',
  'INTERVAL',
  'RETRIES',
  'ROTATION',
  'AGE',
  'ALGORITHM',
  'ALGO',
  'ALG',
  'TYPE',
  'MODE',
  'METHOD',
  'PROVIDER',
  'BACKEND',
  'STRATEGY',
  'POLICY',
  'FORMAT',
  'HEADER',
  'FIELD',
  'PARAM',
  'PREFIX',
  'VERSION',
  'HINT',
  'CHARSET',
  'ENABLE',
  'ENABLED',
  'DISABLE',
  'DISABLED',
  'REQUIRE',
  'REQUIRED',
  'ALLOW',
  'SKIP',
  'EMPTY',
  'RANDOM',
  'GENERATE',
];

/** Names that look like credentials but are well-known non-secrets. */
export const NOT_SECRET_NAMES: readonly string[] = [
  'PWD',
  'OLDPWD', // shell working directories
  'GOOGLE_APPLICATION_CREDENTIALS', // a path to a key file, by Google's convention
  'TOKENIZERS_PARALLELISM', // Hugging Face setting
];

/**
 * Values that stand for "put the real secret here" (compared case-insensitively, after trimming
 * `<>`, quotes and surrounding underscores). A placeholder is not a leaked secret, but a secret
 * left at a placeholder is a weak one.
 */
export const PLACEHOLDER_VALUES: readonly string[] = [
  'changeme',
  'change_me',
  'change-me',
  'changeit',
  'change_this',
  'changethis',
  'replace_me',
  'replaceme',
  'replace-me',
  'password',
  'passw0rd',
  'secret',
  'example',
  'sample',
  'dummy',
  'placeholder',
  'todo',
  'tbd',
  'fixme',
  'test',
  'null',
  'none',
  'nil',
  'undefined',
  'empty',
  'default',
  'xxx',
  'redacted',
  'hidden',
  'your_password',
  'yourpassword',
];

/** Placeholder shapes: `your-api-key-here`, `<token>`, `xxxx`, `****`, `...`. */
export const PLACEHOLDER_PATTERNS: readonly RegExp[] = [
  /^<[^<>]*>$/,
  /^\[[^[\]]*\]$/,
  /^(?:your|my|insert|enter|put|add)[-_ ].*$/i,
  /^.*[-_ ]here$/i,
  /^(.)\1{2,}$/, // xxxx, ****, 0000, ....
  /^(?:sk|pk|rk)_(?:live|test)_x+$/i,
];

/** Command-line flags whose next word (or `=value`) is a secret. */
export const SECRET_FLAGS: readonly string[] = [
  'password',
  'passwd',
  'pass',
  'requirepass',
  'masterauth',
  'token',
  'secret',
  'api-key',
  'apikey',
  'auth',
  'auth-token',
  'private-key',
  'access-key',
  'secret-key',
  'client-secret',
];

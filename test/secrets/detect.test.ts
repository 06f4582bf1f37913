import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyValue,
  findSecretInText,
  isSecretLikeName,
  redact,
  shannonEntropy,
  nameWords,
} from '../../src/knowledge/secret-detect.js';
import { SECRET_VALUE_PATTERNS } from '../../src/knowledge/secret-patterns.js';

// Fake tokens built at runtime so this file itself does not look like it leaks anything.
const rep = (c: string, n: number) => c.repeat(n);
const AWS_ID = 'AKIA' + 'IOSFODNN7EXAMPLE';
const GH = 'ghp_' + 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5';
const GH_FINE =
  'github_pat_' + '11ABCDEFG0' + rep('x', 12) + '_' + 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5hJ7kL9mN1pQ3sT5vW7yZ9bC';
const OPENAI = 'sk-proj-' + 'Ab3De5Gh7Jk9Mn1Pq3St5Vw7Yz9Bc1De3';
const OPENAI_LEGACY = 'sk-' + 'Ab3De5Gh7Jk9Mn1Pq3St' + 'T3BlbkFJ' + 'Ab3De5Gh7Jk9Mn1Pq3St';
const ANTHROPIC = 'sk-ant-api03-' + 'Ab3De5Gh7Jk9Mn1Pq3St5Vw7Yz9Bc1De3Fg5Hj7';
const STRIPE = 'sk_live_' + '51Hab3De5Gh7Jk9Mn1Pq3St5';
const STRIPE_R = 'rk_live_' + '51Hab3De5Gh7Jk9Mn1Pq3St5';
const SLACK = 'xoxb-' + '123456789012-1234567890123-Ab3De5Gh7Jk9';
const GOOGLE = 'AIza' + 'SyAb3De5Gh7Jk9Mn1Pq3St5Vw7Yz9Bc1De3'.padEnd(35, 'Q');
const PEM = '-----BEGIN ' + 'RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----';
const OPENSSH = '-----BEGIN ' + 'OPENSSH PRIVATE KEY-----';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' +
  '.eyJzdWIiOiIxMjM0NTY3ODkwIn0' +
  '.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

test('nameWords splits snake, kebab, dotted and camel case', () => {
  assert.deepEqual(nameWords('dbPassword'), ['DB', 'PASSWORD']);
  assert.deepEqual(nameWords('db-pass.word_X'), ['DB', 'PASS', 'WORD', 'X']);
});

test('isSecretLikeName: must detect', () => {
  const names = [
    'PASSWORD',
    'DB_PASSWORD',
    'POSTGRES_PASSWORD',
    'MYSQL_ROOT_PASSWORD',
    'REDIS_PASS',
    'DB_PWD',
    'SMTP_PASSWD',
    'dbPassword',
    'DBPASSWORD',
    'SECRET',
    'JWT_SECRET',
    'NEXTAUTH_SECRET',
    'SECRET_KEY_BASE',
    'CLIENT_SECRET',
    'GITHUB_TOKEN',
    'ACCESS_TOKEN',
    'GHTOKEN',
    'API_KEY',
    'OPENAI_API_KEY',
    'APIKEY',
    'PRIVATE_KEY',
    'SSH_PRIVATE_KEY',
    'AWS_SECRET_ACCESS_KEY',
    'ACCESS_KEY',
    'MINIO_ACCESS_KEY',
    'CREDENTIALS',
    'DB_CREDS',
    'BASIC_AUTH',
    'REDIS_AUTH',
    'HTTP_AUTHORIZATION',
    'SENTRY_DSN',
    'DSN',
    'CONNECTION_STRING',
    'DB_CONNECTION_STRING',
    'MONGO_CONN_STR',
    'STRIPE_KEY',
    'APP_KEY',
    'SIGNING_KEY',
    'ENCRYPTION_KEY',
    'MASTER_KEY',
    'AUTH_SALT',
    'WALLET_MNEMONIC',
    'SEED_PHRASE',
    'GPG_PASSPHRASE',
    'webhook-secret',
  ];
  for (const n of names) assert.equal(isSecretLikeName(n), true, n);
});

test('isSecretLikeName: must not detect', () => {
  const names = [
    'DB_PASSWORD_FILE',
    'POSTGRES_PASSWORD_FILE',
    'SECRETS_DIR',
    'TOKEN_PATH',
    'AUTH_URL',
    'NEXTAUTH_URL',
    'DATABASE_URL',
    'REDIS_URL',
    'TOKEN_ENDPOINT',
    'PASSWORD_MIN_LENGTH',
    'PASSWORD_MAX_LENGTH',
    'TOKEN_EXPIRY',
    'JWT_EXPIRES_IN',
    'TOKEN_TTL',
    'SESSION_TIMEOUT',
    'AUTH_ENABLED',
    'AUTH_PROVIDER',
    'AUTH_TYPE',
    'POSTGRES_HOST_AUTH_METHOD',
    'MYSQL_ALLOW_EMPTY_PASSWORD',
    'MYSQL_RANDOM_ROOT_PASSWORD',
    'MAX_TOKENS',
    'TOKENIZERS_PARALLELISM',
    'PWD',
    'OLDPWD',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'CLIENT_ID',
    'AWS_ACCESS_KEY_ID',
    'DB_USER',
    'POSTGRES_USER',
    'AUTHOR',
    'PASSENGER_COUNT',
    'BYPASS',
    'PUBLIC_KEY',
    'STRIPE_PUBLISHABLE_KEY',
    'CACHE_KEY',
    'KEY',
    'SORT_KEY',
    'KEYCLOAK_REALM',
    'PORT',
    'NODE_ENV',
    'TZ',
    'LOG_LEVEL',
    'PASSWORD_HASH_ALGORITHM',
    'TOKEN_PREFIX',
    'SECRET_NAME',
  ];
  for (const n of names) assert.equal(isSecretLikeName(n), false, n);
});

const PROVIDER_SAMPLES: Record<string, string> = {
  'aws-access-key-id': AWS_ID,
  'aws-secret-access-key': 'aws_secret_access_key = ' + 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'github-fine-grained-pat': GH_FINE,
  'github-token': GH,
  'anthropic-api-key': ANTHROPIC,
  'openai-api-key': OPENAI,
  'stripe-live-key': STRIPE,
  'slack-token': SLACK,
  'slack-webhook': 'https://hooks.slack.com/services/' + 'T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
  'google-api-key': GOOGLE,
  'private-key': PEM,
  jwt: JWT,
  'url-password': 'postgres://app:' + 'hunter2hunter2' + '@db:5432/app',
};

test('every provider pattern has a source and detects its sample', () => {
  const samples = PROVIDER_SAMPLES;
  for (const p of SECRET_VALUE_PATTERNS) {
    assert.ok(p.source.length > 10, p.id);
    assert.ok(samples[p.id], `no sample for ${p.id}`);
    assert.match(samples[p.id]!, p.pattern, p.id);
  }
});

test('findSecretInText and classifyValue find every provider sample, alone and inside other text', () => {
  // Both try the provider patterns only when their union matches (secret-detect.ts): each must get through.
  for (const p of SECRET_VALUE_PATTERNS) {
    const sample = PROVIDER_SAMPLES[p.id]!;
    const what = p.id === 'url-password' ? 'URL with a password' : p.provider;
    for (const text of [sample, `echo ${sample} done`, `${sample}\n# next line`]) {
      const found = findSecretInText(text);
      assert.ok(
        found.some((f) => f.what === what && sample.includes(text.slice(f.index, f.index + f.length))),
        `${p.id} in ${JSON.stringify(found)}`,
      );
    }
    assert.equal(classifyValue(sample).provider, what, p.id);
  }
});

test('classifyValue: providers and must-detect values', () => {
  const cases: Array<[string, string]> = [
    [AWS_ID, 'AWS access key id'],
    [GH, 'GitHub token'],
    [GH_FINE, 'GitHub fine-grained token'],
    [OPENAI, 'OpenAI API key'],
    [OPENAI_LEGACY, 'OpenAI API key'],
    [ANTHROPIC, 'Anthropic API key'],
    [STRIPE, 'Stripe live secret key'],
    [STRIPE_R, 'Stripe live secret key'],
    [SLACK, 'Slack token'],
    [GOOGLE, 'Google API key'],
    [PEM, 'private key (PEM)'],
    [OPENSSH, 'private key (PEM)'],
    [JWT, 'JSON Web Token'],
    ['postgres://app:' + 's3cr3tpass' + '@db/app', 'URL with a password'],
    ['redis://:' + 'p4ssw0rdXYZ' + '@cache:6379', 'URL with a password'],
  ];
  for (const [value, provider] of cases) {
    const c = classifyValue(value);
    assert.equal(c.provider, provider, value.slice(0, 12));
    assert.equal(c.looksSecret, true, value.slice(0, 12));
  }
  for (const v of [
    'Xk9#mP2$vL7@qR4!',
    'a8f5f167f44f4964e6c998dee827110c',
    'dGhpcyBpcyBhIHJhbmRvbSBzZWNyZXQ=',
    'Zr4-Tq8_Wn2.Yp6-Kd1',
  ]) {
    const c = classifyValue(v);
    assert.equal(c.looksSecret, true, v);
    assert.equal(c.kind, 'high-entropy', v);
  }
});

test('classifyValue: must not detect', () => {
  const cases: Array<[string, string]> = [
    ['', 'empty'],
    ['${DB_PASSWORD}', 'reference'],
    ['$DB_PASSWORD', 'reference'],
    ['${A}${B}', 'reference'],
    ['true', 'boolean'],
    ['no', 'boolean'],
    ['5432', 'number'],
    ['1.5', 'number'],
    ['30s', 'number'],
    ['512M', 'number'],
    ['changeme', 'placeholder'],
    ['CHANGEME', 'placeholder'],
    ['<your-token>', 'placeholder'],
    ['your-api-key-here', 'placeholder'],
    ['xxxxxxxx', 'placeholder'],
    ['********', 'placeholder'],
    ['password', 'placeholder'],
    ['sk_live_xxxxxxxx', 'placeholder'],
    ['postgres://app:${DB_PASSWORD}@db/app', 'text'],
    ['postgres://db:5432/app', 'text'],
    ['https://example.com/a?b=c', 'text'],
    ['/run/secrets/db_password', 'text'],
    ['info', 'text'],
    ['production', 'text'],
    ['hello world this is text', 'text'],
    ['550e8400-e29b-41d4-a716-446655440000', 'text'],
    ['db.internal.example.com', 'text'],
    ['admin@example.com', 'text'],
    ['ghcr.io/org/image:1.2.3', 'text'],
    ['postgres://user:changeme@db/app', 'text'],
  ];
  for (const [value, kind] of cases) {
    const c = classifyValue(value);
    assert.equal(c.looksSecret, false, `${value} ${JSON.stringify(c)}`);
    assert.equal(c.kind, kind, value);
    assert.equal(c.provider, undefined, value);
  }
});

test('shannonEntropy', () => {
  assert.equal(shannonEntropy(''), 0);
  assert.equal(shannonEntropy('aaaa'), 0);
  assert.equal(shannonEntropy('abcd'), 2);
  assert.ok(shannonEntropy('Xk9#mP2$vL7@qR4!') > 3.9);
  // The same bits as counting code points in a Map, summed in the order they first appear.
  const byMap = (s: string) => {
    const chars = [...s];
    const counts = new Map<string, number>();
    for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
    let h = 0;
    for (const n of counts.values()) h -= (n / chars.length) * Math.log2(n / chars.length);
    return h;
  };
  for (const s of [
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'postgres:16-alpine',
    'pässwörd-ünïcode',
    '🔑🔑x',
    'a\u007f',
  ])
    assert.equal(shannonEntropy(s), byMap(s), s);
});

test('findSecretInText: commands, labels, URLs', () => {
  const check = (text: string, secret: string, what: RegExp) => {
    const found = findSecretInText(text);
    assert.equal(found.length, 1, `${text} -> ${JSON.stringify(found)}`);
    const [m] = found;
    assert.equal(text.slice(m!.index, m!.index + m!.length), secret, text);
    assert.match(m!.what, what);
    assert.ok(!m!.preview.includes(secret), 'preview must be redacted');
  };
  check(`redis-server --requirepass ${'Sup3rS3cret!'}`, 'Sup3rS3cret!', /--requirepass flag/);
  check(`mysqld --password=${'hunter2hunter'} --user=mysql`, 'hunter2hunter', /--password flag/);
  check(`sh -c "PGPASSWORD=${'pgS3cretValue'} psql -h db"`, 'pgS3cretValue', /PGPASSWORD= assignment/);
  check(`curl -H 'Authorization: token ${GH}' https://api.github.com`, GH, /GitHub token/);
  check(`--url postgres://app:${'pgS3cretValue'}@db/app`, 'pgS3cretValue', /URL with a password/);
});

test('findSecretInText: must not detect', () => {
  const texts = [
    'redis-server --requirepass ${REDIS_PASSWORD}',
    'redis-server --requirepass "$REDIS_PASSWORD"',
    'mysqld --password=changeme',
    'sh -c "PGPASSWORD=$DB_PASSWORD psql -h db"',
    'postgres://app:${DB_PASSWORD}@db/app',
    'node server.js --port 8080 --token-file /run/secrets/token',
    'LOG_LEVEL=debug NODE_ENV=production node app.js',
    'npm run start -- --auth=true',
    'traefik.http.routers.app.rule=Host(`example.com`)',
  ];
  for (const t of texts) assert.deepEqual(findSecretInText(t), [], t);
});

test('redact: never the whole value; short values fully masked', () => {
  assert.equal(redact(''), '(empty)');
  assert.equal(redact('hunter2'), '****(7 chars)');
  assert.equal(redact('abcdefghijklmnop'), 'ab…(16 chars)');
  assert.equal(redact('🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀'), '🚀🚀…(12 chars)');
});

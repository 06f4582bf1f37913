import { nodeAt, type LMap, type Path } from '../../yaml/located.js';
import { isSecretLikeName } from '../../knowledge/secret-detect.js';
import { describeSecret, literalSecretInPair, writtenText } from '../lib/secrets.js';
import type { Rule } from '../types.js';

export const buildArgSecret: Rule = {
  id: 'build-arg-secret',
  section: 'secrets',
  severity: 'warning',
  title: 'Secret passed as a build argument',
  rationale:
    'Build arguments are recorded in the image (its history and the layers of any `RUN` that reads them), so a ' +
    'secret passed as one leaks to whoever gets the image. The checklist asks for secrets to be encrypted and ' +
    'decrypted only inside the TEE; build-time credentials belong in BuildKit build secrets.',
  fixHint:
    'Pass it as a build secret (`build: { secrets: [npm_token] }` and `RUN --mount=type=secret,id=npm_token ' +
    '...`), or give it to the container at run time as an encrypted environment variable.',
  example: {
    bad: `services:
  web:
    build:
      context: .
      args:
        NPM_TOKEN: \${NPM_TOKEN}
`,
    good: `services:
  web:
    build:
      context: .
      secrets:
        - npm_token
secrets:
  npm_token:
    environment: NPM_TOKEN
`,
  },
  check(ctx) {
    for (const [name] of ctx.services) {
      const argsPath: Path = ['services', name, 'build', 'args'];
      const args = nodeAt(ctx.project.tree, argsPath).node;
      if (!args) continue;
      const pairs: { key: string; path: Path; text?: string }[] = [];
      if (args.kind === 'map') {
        for (const [key, e] of args.entries) pairs.push({ key, path: [...argsPath, key], text: writtenText(e.node) });
      } else if (args.kind === 'seq') {
        args.items.forEach((item, i) => {
          const written = writtenText(item);
          if (written === undefined) return;
          const eq = written.indexOf('=');
          pairs.push({
            key: eq < 0 ? written : written.slice(0, eq),
            path: [...argsPath, i],
            text: eq < 0 ? undefined : written.slice(eq + 1),
          });
        });
      }
      for (const { key, path, text } of pairs) {
        const literal = text !== undefined ? literalSecretInPair(key, text) : undefined;
        if (!literal && !isSecretLikeName(key)) {
          // A URL-valued arg (`DATABASE_URL: ${DATABASE_URL}`) is not named like a secret, but the
          // value it takes from the environment, or a secret-like variable inside it, carries one.
          const carried = text !== undefined ? carriedSecret(ctx.project.tree, path, key, text) : undefined;
          if (carried)
            ctx.report({
              service: name,
              path,
              messageId: 'carriesSecret',
              message: (who) =>
                `${who} ${who.v('passes', 'pass')} build arg ${key}, whose value ${carried}; build args are ` +
                `recorded in the image`,
            });
          continue;
        }
        ctx.report({
          service: name,
          path,
          severity: literal?.severity === 'error' ? 'error' : undefined,
          message: (who) =>
            literal
              ? `${who} ${who.v('passes', 'pass')} build arg ${key} with ${describeSecret(literal.what)} ` +
                `(${literal.preview}); build args are recorded in the image`
              : `${who} ${who.v('passes', 'pass')} the secret-like build arg ${key}; build args are recorded in ` +
                `the image`,
        });
      }
    }
  },
};

/**
 * What secret a `${…}`-valued build arg carries: a secret-like variable in it, or a credential in its interpolated
 * value.
 */
function carriedSecret(tree: LMap, path: Path, key: string, text: string): string | undefined {
  if (!text.includes('$')) return undefined;
  for (const m of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g))
    if (isSecretLikeName(m[1]!)) return `carries \${${m[1]}}`;
  const node = nodeAt(tree, path).node;
  const raw = node?.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined;
  const value =
    raw === undefined ? undefined : raw.includes('=') && raw.startsWith(`${key}=`) ? raw.slice(key.length + 1) : raw;
  const found = value ? literalSecretInPair(key, value) : undefined;
  return found ? `(from the environment) holds ${describeSecret(found.what)}` : undefined;
}

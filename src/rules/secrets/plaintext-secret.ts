import { nodeAt, type LNode, type Path } from '../../yaml/located.js';
import type { Project } from '../../compose/project.js';
import { configTextKind } from '../../knowledge/config-formats.js';
import { findSecretInText } from '../../knowledge/secret-detect.js';
import {
  describeSecret,
  literalSecretInPair,
  locationInScalar,
  writtenText,
  type LiteralSecret,
} from '../lib/secrets.js';
import type { Rule, RuleContext } from '../types.js';

const PAIR_FIELDS = [
  ['environment', 'environment'],
  ['labels', 'labels'],
] as const;
const TEXT_FIELDS = ['command', 'entrypoint'] as const;
const HEALTHCHECK_KINDS = new Set(['CMD', 'CMD-SHELL', 'NONE']);

export const plaintextSecret: Rule = {
  id: 'plaintext-secret',
  section: 'secrets',
  severity: 'error',
  title: 'Literal credential written in the compose file',
  rationale:
    'The checklist asks for secrets (API keys, tokens, passwords) to be sent as encrypted environment ' +
    'variables, decrypted only inside the TEE. The compose file itself is not encrypted: it is part of ' +
    'app-compose.json, whose hash is attested and whose text the platform and anyone auditing the app can read.',
  fixHint:
    'Replace the value with a reference (`KEY: ${KEY:?KEY is required}`), send the value as an encrypted secret ' +
    '(`preflight secrets encrypt`), and rotate the credential: it has been published.',
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    environment:
      STRIPE_SECRET_KEY: sk_live_51HxQ2eKz8vN3mP4qR7sT9uW
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    environment:
      STRIPE_SECRET_KEY: \${STRIPE_SECRET_KEY:?set it in the encrypted secrets}
`,
  },
  check(ctx) {
    for (const [name] of ctx.services) {
      for (const [field, label] of PAIR_FIELDS) {
        const map = nodeAt(ctx.project.tree, ['services', name, field]).node;
        if (map?.kind !== 'map') continue;
        for (const [key, entry] of map.entries) {
          const text = writtenText(entry.node);
          if (text === undefined) continue;
          const found = literalSecretInPair(key, text);
          if (found) report(ctx, name, ['services', name, field, key], entry.node, text, found, `${key} in ${label}`);
        }
      }
      for (const field of TEXT_FIELDS) {
        forEachText(ctx.project, ['services', name, field], (path, node, text) => {
          for (const m of findSecretInText(text))
            report(ctx, name, path, node, text, { ...m, severity: 'error' }, field);
        });
      }
      forEachText(ctx.project, ['services', name, 'healthcheck', 'test'], (path, node, text) => {
        if (path[path.length - 1] === 0 && HEALTHCHECK_KINDS.has(text)) return;
        for (const m of findSecretInText(text))
          report(ctx, name, path, node, text, { ...m, severity: 'error' }, 'healthcheck test');
      });
    }
    checkInlineConfigs(ctx);
  },
};

// `key: value`, `key = value`, `KEY=value` lines of an inline config file.
const CONFIG_LINE = /^\s*(?:-\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*[:=]\s*["']?(.*?)["']?\s*$/;

/**
 * Top-level `configs: x: content:` is how a file reaches the CVM (docs/platform.md#shipped-files),
 * and the file text lands in the compose file: look for secrets in each of its lines, as
 * `key: value` pairs when the file is a config format (env, ini, yaml, toml, json, properties…),
 * for provider-format credentials only when it is source code (knowledge/config-formats.ts).
 */
function checkInlineConfigs(ctx: RuleContext): void {
  for (const name of Object.keys(ctx.model.configs ?? {})) {
    const path = ['configs', name, 'content'];
    const node = nodeAt(ctx.project.tree, path).node;
    // The text as the container sees it (after compose interpolation): `$${TOKEN}` there is the
    // config file's own reference to its environment, not a literal.
    const text = node?.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined;
    if (!node || text === undefined) continue;
    const source = ctx.project.sources.get(node.loc.file)?.text;
    const block = source !== undefined && /^[|>]/.test(source.slice(node.loc.offset));
    const targets = ctx.services.flatMap(([, svc]) =>
      (svc.configs ?? []).flatMap((c) => (c.source === name && c.target ? [c.target] : [])),
    );
    const code = configTextKind([...targets, name], text) === 'code';
    text.split('\n').forEach((line, i) => {
      // In source code `key = value` is an assignment: only provider-format credentials count.
      const kv = code ? null : CONFIG_LINE.exec(line);
      // A flow collection (`auth: { strategy: bearer, token: ... }`) is structure, not one value.
      const pairValue = kv && !/^[{[]/.test(kv[2]!.trim()) ? kv[2]! : undefined;
      const found: LiteralSecret | undefined =
        (kv && pairValue !== undefined ? literalSecretInPair(kv[1]!, pairValue) : undefined) ?? fromLine(line);
      if (!found) return;
      const lineNo = node.loc.line + (block ? 1 : 0) + i;
      const srcLine = source?.split('\n')[lineNo - 1] ?? '';
      const col = srcLine.indexOf(line.trim());
      const loc =
        block && col >= 0
          ? { ...node.loc, line: lineNo, endLine: lineNo, column: col + 1, endColumn: col + 1 + line.trim().length }
          : node.loc;
      ctx.report({
        valuePath: path,
        loc,
        severity: found.severity === 'error' ? undefined : found.severity,
        message:
          `config "${name}" has ${describeSecret(found.what)} (${found.preview}) ` +
          `in ${kv ? kv[1] : 'its content'}, in plain text in the compose file`,
      });
    });
  }
}

function fromLine(line: string): LiteralSecret | undefined {
  const m = findSecretInText(line)[0];
  return m ? { ...m, severity: 'error' } : undefined;
}

/** Every string scalar at `path` (a string or a list of strings). */
function forEachText(project: Project, path: Path, visit: (path: Path, node: LNode, text: string) => void): void {
  const node = nodeAt(project.tree, path).node;
  if (!node) return;
  if (node.kind === 'seq') {
    node.items.forEach((item, i) => {
      const text = writtenText(item);
      if (text !== undefined) visit([...path, i], item, text);
    });
    return;
  }
  const text = writtenText(node);
  if (text !== undefined) visit(path, node, text);
}

function report(
  ctx: RuleContext,
  service: string,
  valuePath: Path,
  node: LNode,
  text: string,
  found: LiteralSecret,
  where: string,
): void {
  const loc = locationInScalar(ctx.project, node.loc, text, found.index, found.length);
  ctx.report({
    service,
    valuePath,
    loc,
    severity: found.severity === 'error' ? undefined : found.severity,
    message: (who) =>
      found.what === 'placeholder literal'
        ? `${who} ${who.v('sets', 'set')} ${where} to a placeholder (${found.preview}) in plain text; the ` +
          `deployed app would use a published, guessable secret`
        : `${who} ${who.v('has', 'have')} ${describeSecret(found.what)} (${found.preview}) in ${where}, in plain ` +
          `text in the compose file`,
  });
}

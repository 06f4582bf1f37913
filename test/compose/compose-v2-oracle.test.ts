import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { discoverRecursive, type DiscoveredProject } from '../../src/compose/discover.js';
import { loadProject, resolveTargets, type Project } from '../../src/compose/project.js';
import { detectCompose } from '../../src/docker/compose.js';
import type { Finding } from '../../src/findings/types.js';
import { runRules } from '../../src/rules/engine.js';
import { RULES } from '../../src/rules/index.js';
import { InputError } from '../../src/util/errors.js';
import { REPO_ROOT } from '../support/cli.js';
import {
  composeConfig,
  shapeDifferences,
  shapeOf,
  withoutEnvFileKeys,
  withoutImpliedDependencies,
} from '../support/compose-oracle.js';
import { CORPUS_DIR, describeCorpus } from '../support/corpus.js';
import { describeDocker } from '../support/docker.js';

/**
 * Compose v2 (`docker compose config --format json`) is the oracle of Preflight's loader: parse,
 * `include`, `extends`, merge, profiles, interpolation and short-to-long forms. For every project
 * of the shared corpus, of the test fixtures and of examples/, and for small cases written here:
 * where Compose accepts the project, both agree on each service's image, environment keys, mount
 * targets and named-volume sources, port targets and published ports, depends_on and conditions,
 * restart, command and entrypoint (a string split into words as Compose splits it), healthcheck
 * test, networks, secret and config references, user and stop_grace_period (test/support/
 * compose-oracle.ts ServiceShape); where Compose refuses it, Preflight reports an error
 * (the rule that says so is named per refusal below), never reads it as something else.
 *
 * Deliberate differences, so not compared:
 * - `env_file` contents: Compose adds their keys to the environment; a CVM gets only the compose
 *   file, so Preflight leaves them out (env-file-local reports the file). See withoutEnvFileKeys.
 * - Implied dependencies: Compose writes links, volumes_from and network_mode: service:x into
 *   depends_on; Preflight's model keeps depends_on as written (see withoutImpliedDependencies).
 * - Trailing slashes on mount targets: Compose cleans the path, Preflight keeps it as written (rules
 *   compare paths through knowledge's normalizePath).
 * - `restart` values the engine refuses (`sometimes`): `compose config` accepts them, the engine
 *   refuses the container; compose-invalid reports them (its own tests).
 * - Variables: the environment is empty but for the project's `.env` (Compose reads it as
 *   Preflight does) and what the CVM's encrypted env would hold: a placeholder for each variable
 *   guarded with `:?`/`?` that `.env` leaves unset, and for the fixtures the IMAGE and PORT their
 *   drills set. An image only a variable names, unset, is left to the encrypted env by Preflight
 *   (Compose refuses "neither an image nor a build context").
 */

/** Compose's refusal → the Preflight rule that must report it as an error. */
const REFUSALS: { compose: RegExp; rule: string }[] = [
  { compose: /empty section between colons/, rule: 'compose-invalid' },
  { compose: /is missing a mount target/, rule: 'compose-invalid' },
  { compose: /depends on undefined service|dependency cycle/, rule: 'compose-invalid' },
  { compose: /refers to undefined (secret|build secret|config|network|volume)/, rule: 'compose-invalid' },
  { compose: /invalid duration|missing unit in duration/, rule: 'compose-invalid' },
  { compose: /neither an image nor a build context/, rule: 'compose-invalid' },
  { compose: /conflicts with imported resource/, rule: 'compose-invalid' },
  { compose: /env file .* not found/, rule: 'env-file-local' },
];

/** What the drills of test/fixtures give their apps (test/drills/helpers.ts). */
const DRILL_ENV = { IMAGE: 'preflight-drill-node:oracle', PORT: '18080' };

const compose = await detectCompose().catch(() => undefined);

await describeDocker('Compose v2 as the oracle of the loader', () => {
  if (compose?.kind !== 'v2') {
    it('needs Compose v2', { skip: `the oracle is Compose v2 (this pass runs ${compose?.kind ?? 'none'})` }, () => {});
    return;
  }

  describeCorpus('the shared corpus', { timeout: 600_000 }, () => {
    const projects = discoverRecursive(CORPUS_DIR);
    it('has projects to compare', () => assert.ok(projects.length > 0));
    for (const target of projects) it(label(target, CORPUS_DIR), () => assertAgrees(target, {}));
  });

  describe('the test fixtures and examples/', { timeout: 600_000 }, () => {
    const projects = ['test/fixtures', 'examples'].flatMap((d) => discoverRecursive(resolve(REPO_ROOT, d)));
    it('has projects to compare', () => assert.ok(projects.length >= 20, `${projects.length} projects`));
    for (const target of projects) it(label(target, REPO_ROOT), () => assertAgrees(target, DRILL_ENV));
  });

  describe('what Compose refuses, Preflight reports as an error at the line', () => {
    const refused: { name: string; files: Record<string, string>; line: number }[] = [
      {
        name: 'an undefined secret',
        files: { 'compose.yaml': 'services:\n  a:\n    image: nginx\n    secrets: [s]\n' },
        line: 4,
      },
      {
        name: 'an undefined config',
        files: { 'compose.yaml': 'services:\n  a:\n    image: nginx\n    configs: [c]\n' },
        line: 4,
      },
      {
        name: 'an undefined network',
        files: { 'compose.yaml': 'services:\n  a:\n    image: nginx\n    networks: [n]\n' },
        line: 4,
      },
      {
        name: 'an undefined volume',
        files: { 'compose.yaml': 'services:\n  a:\n    image: nginx\n    volumes: ["data:/data"]\n' },
        line: 4,
      },
      {
        name: 'an undefined build secret',
        files: { 'compose.yaml': 'services:\n  a:\n    build:\n      context: .\n      secrets: [s]\n' },
        line: 5,
      },
      {
        name: '${UNSET}:/media',
        files: { 'compose.yaml': 'services:\n  a:\n    image: nginx\n    volumes: ["${MEDIA}:/media"]\n' },
        line: 4,
      },
      {
        name: 'a long-form mount with no target',
        files: {
          'compose.yaml':
            'services:\n  a:\n    image: nginx\n    volumes:\n      - type: bind\n        source: ./conf\n',
        },
        line: 5,
      },
      {
        name: 'depends_on an undefined service',
        files: { 'compose.yaml': 'services:\n  a:\n    image: nginx\n    depends_on: [b]\n' },
        line: 4,
      },
      {
        name: 'depends_on with required: false on an undefined service',
        files: {
          'compose.yaml':
            'services:\n  a:\n    image: nginx\n    depends_on:\n      b: { condition: service_started, required: false }\n',
        },
        line: 5,
      },
      {
        name: 'depends_on a service only a profile starts',
        files: {
          'compose.yaml':
            'services:\n  a:\n    image: nginx\n    depends_on: [b]\n  b:\n    image: nginx\n    profiles: [debug]\n',
        },
        line: 4,
      },
      {
        name: 'network_mode of an undefined service',
        files: { 'compose.yaml': 'services:\n  a:\n    image: nginx\n    network_mode: "service:b"\n' },
        line: 4,
      },
      {
        name: 'links to an undefined service',
        files: { 'compose.yaml': 'services:\n  a:\n    image: nginx\n    links: [b]\n' },
        line: 4,
      },
      {
        name: 'volumes_from an undefined service',
        files: { 'compose.yaml': 'services:\n  a:\n    image: nginx\n    volumes_from: [b]\n' },
        line: 4,
      },
      {
        name: 'a dependency cycle',
        files: {
          'compose.yaml':
            'services:\n  a:\n    image: nginx\n    depends_on: [b]\n  b:\n    image: nginx\n    depends_on: [a]\n',
        },
        line: 4,
      },
      {
        name: 'a dependency cycle through network_mode',
        files: {
          'compose.yaml':
            'services:\n  a:\n    image: nginx\n    depends_on: [b]\n  b:\n    image: nginx\n    network_mode: "service:a"\n',
        },
        line: 4,
      },
      {
        name: 'interval: often',
        files: {
          'compose.yaml':
            'services:\n  a:\n    image: nginx\n    healthcheck:\n      test: ["CMD", "true"]\n      interval: often\n',
        },
        line: 6,
      },
      {
        name: 'a duration without a unit',
        files: { 'compose.yaml': 'services:\n  a:\n    image: nginx\n    stop_grace_period: "10"\n' },
        line: 4,
      },
      {
        name: 'deploy.restart_policy.delay: soon',
        files: {
          'compose.yaml': 'services:\n  a:\n    image: nginx\n    deploy:\n      restart_policy: { delay: soon }\n',
        },
        line: 5,
      },
      {
        name: 'neither an image nor a build context',
        files: { 'compose.yaml': 'services:\n  a:\n    command: [run]\n' },
        line: 2,
      },
      {
        name: 'an included service defined again',
        files: {
          'compose.yaml': 'include: [db.yaml]\nservices:\n  db:\n    image: nginx\n',
          'db.yaml': 'services:\n  db:\n    image: postgres:16\n',
        },
        line: 3,
      },
    ];
    for (const c of refused)
      it(c.name, () => {
        const target = project(c.files);
        const answer = composeConfig(target);
        assert.equal(answer.ok, false, 'Compose refuses it');
        const errors = preflightErrors(target, {});
        const expected = REFUSALS.find((r) => !answer.ok && r.compose.test(answer.error));
        assert.ok(expected, `a known refusal: ${!answer.ok && answer.error}`);
        const hit = errors.find((f) => f.ruleId === expected.rule);
        assert.ok(
          hit,
          `${expected.rule} reports it; Preflight reported ${errors.map((f) => f.ruleId).join(', ') || 'nothing'}`,
        );
        assert.equal(hit.line, c.line);
      });
  });

  describe('what Compose accepts, Preflight loads the same and reports no compose-invalid', () => {
    const accepted: { name: string; files: Record<string, string>; profiles?: string[]; withOverride?: boolean }[] = [
      {
        name: 'interpolation: defaults, alternatives, nesting, $$ and bare keys',
        files: {
          'compose.yaml':
            'services:\n  web:\n    image: "nginx:${TAG:-1.27}"\n    environment:\n      A: "${UNSET-dash}"\n      B: "${EMPTY:-colon}"\n      C: "${EMPTY-keep}"\n      D: "$$HOME"\n      E: "${SET:+alt}"\n      F: "${UNSET:-${SET}}"\n      G: "${SET}x"\n      H:\n      I: "${EMPTY:+alt}"\n      J: "${SET:?}"\n',
          '.env': 'EMPTY=\nSET=yes\n',
        },
      },
      {
        name: 'include: a file of services, each resolved relative to itself',
        files: {
          'compose.yaml': 'include:\n  - sub/db.yaml\nservices:\n  web:\n    image: nginx\n    depends_on: [db]\n',
          'sub/db.yaml':
            'services:\n  db:\n    image: postgres:16\n    volumes: ["data:/var/lib/postgresql/data"]\nvolumes:\n  data: {}\n',
        },
      },
      {
        name: 'extends from another file, environment merged',
        files: {
          'compose.yaml':
            'services:\n  web:\n    extends: { file: base.yaml, service: app }\n    environment: { B: "2" }\n',
          'base.yaml':
            'services:\n  app:\n    image: nginx\n    restart: always\n    environment: { A: "1" }\n    ports: ["8080:80"]\n',
        },
      },
      {
        name: 'a profile left inactive, and one activated with --profile',
        files: {
          'compose.yaml':
            'services:\n  web:\n    image: nginx\n  dbg:\n    image: busybox\n    profiles: [debug]\n  ops:\n    image: alpine\n    profiles: [ops]\n',
        },
        profiles: ['ops'],
      },
      {
        name: 'COMPOSE_PROFILES in .env',
        files: {
          'compose.yaml': 'services:\n  web:\n    image: nginx\n  dbg:\n    image: busybox\n    profiles: [debug]\n',
          '.env': 'COMPOSE_PROFILES=debug\n',
        },
      },
      {
        name: 'the override twin, merged when -f names both files',
        files: {
          'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n    environment: { A: "1" }\n    ports: ["80"]\n',
          'compose.override.yaml':
            'services:\n  web:\n    image: nginx:1.28\n    environment: { B: "2" }\n    ports: ["443"]\n    restart: always\n',
        },
        withOverride: true,
      },
      {
        name: 'short forms: ports with ranges and protocols, volumes with modes, depends_on lists',
        files: {
          'compose.yaml':
            'services:\n  web:\n    image: nginx\n    ports: ["127.0.0.1:8080:80", "53:53/udp", "9000"]\n    volumes: ["data:/data:ro", "./conf:/etc/conf", "/anon"]\n    depends_on: [db]\n    links: ["db:database"]\n  db:\n    image: postgres:16\n  vpn:\n    image: alpine\n    network_mode: "service:web"\n    volumes_from: ["db:ro"]\nvolumes:\n  data: {}\n',
        },
      },
    ];
    for (const c of accepted)
      it(c.name, () => {
        const dir = write(c.files);
        const target = c.withOverride ? resolveTargets([dir], { withOverride: true })[0]! : project(c.files, dir);
        const answer = composeConfig(target, { profiles: c.profiles });
        assert.ok(answer.ok, `Compose accepts it: ${!answer.ok && answer.error}`);
        const loaded = loadProject(target, { cwd: dir, profiles: c.profiles });
        const theirs = withoutImpliedDependencies(shapeOf(answer.config.services), loaded);
        assert.deepEqual(shapeDifferences(shapeOf(modelServices(loaded)), theirs), []);
        assert.deepEqual(environments(modelServices(loaded)), environments(answer.config.services));
        assert.deepEqual(
          [...loaded.schemaProblems, ...loaded.semanticProblems].map((p) => p.message),
          [],
          'no compose-invalid problem',
        );
      });
  });
});

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function write(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-oracle-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function project(files: Record<string, string>, dir = write(files)): DiscoveredProject {
  return { dir, files: [join(dir, 'compose.yaml')], kind: 'compose' };
}

function label(target: DiscoveredProject, root: string): string {
  return target.dir.slice(root.length + 1) || '.';
}

/**
 * The variables the CVM's encrypted env would give (see the header): `base`, and a placeholder for
 * each variable guarded with `:?`/`?` that neither `base` nor the project's `.env` sets.
 */
function deploymentEnv(target: DiscoveredProject, base: Record<string, string>): Record<string, string> {
  const first = loadProject(target, { cwd: target.dir, env: base });
  const guarded = first.variables.filter((v) => (v.modifier === ':?' || v.modifier === '?') && !first.env.has(v.name));
  return { ...base, ...Object.fromEntries(guarded.map((v) => [v.name, 'oracle-placeholder'])) };
}

function preflightErrors(target: DiscoveredProject, env: Record<string, string>): Finding[] {
  const loaded = loadProject(target, { cwd: target.dir, env });
  return runRules(loaded, RULES).findings.filter((f) => f.severity === 'error');
}

function assertAgrees(target: DiscoveredProject, base: Record<string, string>): void {
  let loaded: Project | undefined;
  let loadError: InputError | undefined;
  let env = base;
  try {
    env = deploymentEnv(target, base);
    loaded = loadProject(target, { cwd: target.dir, env });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    loadError = err;
  }
  const answer = composeConfig(target, { env, stdin: loaded?.manifest?.compose?.text });
  if (!answer.ok) {
    if (loadError) return; // both refuse the input
    const expected = REFUSALS.find((r) => r.compose.test(answer.error));
    assert.ok(expected, `Compose refuses it with no known Preflight counterpart: ${answer.error}`);
    const errors = preflightErrors(target, env);
    assert.ok(
      errors.some((f) => f.ruleId === expected.rule),
      `Compose refuses it (${answer.error}); ${expected.rule} must report it, Preflight reported ${errors.map((f) => f.ruleId).join(', ') || 'no error'}`,
    );
    return;
  }
  assert.equal(loadError, undefined, `Compose accepts it, Preflight refuses it: ${loadError?.message}`);
  const ours = shapeOf(modelServices(loaded!));
  const theirs = withoutImpliedDependencies(withoutEnvFileKeys(shapeOf(answer.config.services), loaded!), loaded!);
  assert.deepEqual(shapeDifferences(ours, theirs), []);
  const invalid = [...loaded!.schemaProblems, ...loaded!.semanticProblems].map((p) => p.message);
  assert.deepEqual(invalid, [], 'Compose accepts it, so compose-invalid reports nothing');
}

function modelServices(p: Project): Record<string, Record<string, unknown>> {
  return (p.model.services ?? {}) as Record<string, Record<string, unknown>>;
}

/** Each service's environment values as strings (composeConfig has read Compose's `$$` back as `$`). */
function environments(services: Record<string, Record<string, unknown>> | undefined) {
  const out: Record<string, Record<string, string | null>> = {};
  for (const [name, s] of Object.entries(services ?? {})) {
    const env: Record<string, string | null> = {};
    for (const [k, v] of Object.entries((s.environment as Record<string, unknown> | undefined) ?? {}))
      env[k] = v === null || v === undefined ? null : String(v);
    out[name] = env;
  }
  return out;
}

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { discoverInDir, discoverRecursive } from '../../src/compose/discover.js';
import { locate } from '../../src/compose/project.js';
import { check } from '../../src/commands/check.js';
import { load, scratchDir } from '../support/project.js';

const scratch = scratchDir('structure');

/** file:line:column of the key at a model path. */
const at = (p: Parameters<typeof locate>[0], path: (string | number)[]) => {
  const l = locate(p, path);
  return `${l.file}:${l.line}:${l.column}`;
};

describe('YAML anchors, aliases and << merge keys', () => {
  const dir = scratch.project('anchors', {
    'compose.yaml': [
      'x-common: &common', //                1
      '  restart: unless-stopped', //         2
      '  environment:', //                    3
      '    LOG: info', //                       4
      'x-limits: &limits', //                 5
      '  mem_limit: 512m', //                 6
      '  restart: "no"', //                   7
      'services:', //                         8
      '  web:', //                            9
      '    <<: *common', //                  10
      '    image: nginx:1.27', //            11
      '    restart: always', //              12
      '  api:', //                           13
      '    <<: [*common, *limits]', //       14
      '    image: api:1', //                 15
      '    labels: &labels', //              16
      '      team: core', //                 17
      '  worker:', //                        18
      '    image: worker:1', //              19
      '    labels: *labels', //              20
      '',
    ].join('\n'),
  });
  const p = load(dir);
  const s = p.model.services!;

  it('explicit keys win over merged ones', () => {
    assert.equal(s.web!.restart, 'always');
    assert.deepEqual(s.web!.environment, { LOG: 'info' });
  });

  it('earlier merge sources win over later ones', () => {
    assert.equal(s.api!.restart, 'unless-stopped');
    assert.equal((s.api as Record<string, unknown>).mem_limit, '512m');
  });

  it('aliases resolve to the anchored value', () => {
    assert.deepEqual(s.worker!.labels, { team: 'core' });
  });

  it('merged keys point at where the anchor wrote them', () => {
    assert.equal(at(p, ['services', 'web', 'restart']), 'compose.yaml:12:5');
    assert.equal(at(p, ['services', 'api', 'restart']), 'compose.yaml:2:3');
    assert.equal(at(p, ['services', 'api', 'mem_limit']), 'compose.yaml:6:3');
    assert.equal(at(p, ['services', 'web', 'environment', 'LOG']), 'compose.yaml:4:5');
  });
});

describe('extends', () => {
  const dir = scratch.project('extends', {
    'compose.yaml': [
      'services:', //                       1
      '  base:', //                         2
      '    image: app:1', //                3
      '    restart: unless-stopped', //     4
      '    environment:', //                5
      '      A: "1"', //                    6
      '  web:', //                          7
      '    extends: base', //               8
      '    environment:', //                9
      '      B: "2"', //                   10
      '  worker:', //                      11
      '    extends:', //                   12
      '      file: common/base.yml', //    13
      '      service: job', //             14
      '    command: ["run", "worker"]', // 15
      '',
    ].join('\n'),
    'common/base.yml': [
      'services:', //                1
      '  job:', //                   2
      '    image: job:2', //         3
      '    command: ["run"]', //     4
      '    environment:', //         5
      '      QUEUE: jobs', //        6
      '',
    ].join('\n'),
  });
  const p = load(dir);
  const s = p.model.services!;

  it('within a file: inherits keys, merges environment, the extending service wins', () => {
    assert.equal(s.web!.image, 'app:1');
    assert.equal(s.web!.restart, 'unless-stopped');
    assert.deepEqual(s.web!.environment, { A: '1', B: '2' });
    assert.equal((s.web as Record<string, unknown>).extends, undefined);
  });

  it('within a file: inherited keys point at the base service, own keys at the extending one', () => {
    assert.equal(at(p, ['services', 'web', 'image']), 'compose.yaml:3:5');
    assert.equal(at(p, ['services', 'web', 'environment', 'B']), 'compose.yaml:10:7');
  });

  it('across files: inherited keys point into the other file', () => {
    assert.equal(s.worker!.image, 'job:2');
    assert.deepEqual(s.worker!.command, ['run', 'worker'], 'command is replaced, not appended');
    assert.deepEqual(s.worker!.environment, { QUEUE: 'jobs' });
    assert.equal(at(p, ['services', 'worker', 'image']), `${join('common', 'base.yml')}:3:5`);
    assert.equal(at(p, ['services', 'worker', 'environment', 'QUEUE']), `${join('common', 'base.yml')}:6:7`);
    assert.equal(at(p, ['services', 'worker', 'command']), 'compose.yaml:15:5');
    assert.ok(
      p.sources.has(join('common', 'base.yml')),
      'the extended file is a source (for excerpts and suppressions)',
    );
  });

  it('a cycle is an input error', () => {
    const cyc = scratch.project('extends-cycle', {
      'compose.yaml': 'services:\n  a:\n    image: x\n    extends: b\n  b:\n    image: y\n    extends: a\n',
    });
    assert.throws(() => load(cyc), /cycle/);
  });
});

describe('multi-file merge (-f a -f b)', () => {
  const dir = scratch.project('multi', {
    'base.yaml': [
      'services:', //                                  1
      '  web:', //                                     2
      '    image: web:1', //                           3
      '    environment:', //                           4
      '      A: base', //                              5
      '      B: base', //                              6
      '    volumes:', //                               7
      '      - data:/data', //                         8
      '      - ./conf:/etc/app:ro', //                 9
      '    ports:', //                                10
      '      - "80:80"', //                           11
      '    command: ["serve", "--base"]', //          12
      'volumes:', //                                  13
      '  data: {}', //                                14
      '',
    ].join('\n'),
    'prod.yaml': [
      'services:', //                                  1
      '  web:', //                                     2
      '    image: web:2', //                           3
      '    environment:', //                           4
      '      - B=prod', //                             5
      '      - C=prod', //                             6
      '    volumes:', //                               7
      '      - type: volume', //                       8
      '        source: data2', //                      9
      '        target: /data', //                     10
      '      - logs:/logs', //                        11
      '    ports: !reset []', //                      12
      '    command: ["serve"]', //                    13
      'volumes:', //                                  14
      '  data2: {}', //                               15
      '  logs: {}', //                                16
      '',
    ].join('\n'),
  });
  const p = load(dir, { files: ['base.yaml', 'prod.yaml'] });
  const web = p.model.services!.web!;

  it('keeps the files in merge order', () => {
    assert.deepEqual(p.composeFiles, ['base.yaml', 'prod.yaml']);
  });

  it('the override wins for scalars, and points into the override file', () => {
    assert.equal(web.image, 'web:2');
    assert.equal(at(p, ['services', 'web', 'image']), 'prod.yaml:3:5');
  });

  it('environment merges by key (list and map syntaxes mix)', () => {
    assert.deepEqual(web.environment, { A: 'base', B: 'prod', C: 'prod' });
    assert.equal(at(p, ['services', 'web', 'environment', 'A']), 'base.yaml:5:7');
    assert.equal(at(p, ['services', 'web', 'environment', 'B']), 'prod.yaml:5:9');
  });

  it('volumes merge by target: same target replaced, new ones appended', () => {
    const vols = web.volumes as { source?: string; target: string }[];
    assert.deepEqual(
      vols.map((v) => `${v.source}:${v.target}`),
      ['data2:/data', './conf:/etc/app', 'logs:/logs'],
    );
  });

  it('!reset removes a value; commands are replaced', () => {
    assert.equal(web.ports, undefined);
    assert.deepEqual(web.command, ['serve']);
  });

  it('top-level sections merge', () => {
    assert.deepEqual(Object.keys(p.model.volumes ?? {}).sort(), ['data', 'data2', 'logs']);
  });
});

describe('profiles', () => {
  const dir = scratch.project('profiles', {
    'compose.yaml':
      'services:\n  web:\n    image: web:1\n  debug:\n    image: busybox:1\n    profiles: [debug]\n  admin:\n    image: adminer:4\n    profiles: [tools, admin]\n',
  });

  it('services of inactive profiles are left out and listed', () => {
    const p = load(dir);
    assert.deepEqual(Object.keys(p.model.services!), ['web']);
    assert.deepEqual(
      p.inactiveServices.map((s) => [s.name, s.profiles]),
      [
        ['debug', ['debug']],
        ['admin', ['tools', 'admin']],
      ],
    );
    assert.equal(p.inactiveServices[0]!.loc.line, 4);
  });

  it('--profile and COMPOSE_PROFILES activate them', () => {
    assert.deepEqual(Object.keys(load(dir, { profiles: ['admin'] }).model.services!), ['web', 'admin']);
    const withEnv = scratch.project('profiles-env', {
      'compose.yaml': 'services:\n  debug:\n    image: busybox:1\n    profiles: [debug]\n',
      '.env': 'COMPOSE_PROFILES=debug\n',
    });
    assert.deepEqual(Object.keys(load(withEnv).model.services!), ['debug']);
  });
});

describe('discovery', () => {
  it('finds the compose file of a directory and notes its *.override.* twin without merging it', () => {
    const dir = scratch.project('override', {
      'compose.yaml': 'services:\n  web:\n    image: web:1\n    restart: "no"\n',
      'compose.override.yaml': 'services:\n  web:\n    restart: unless-stopped\n',
    });
    const found = discoverInDir(dir)!;
    assert.deepEqual(
      found.files.map((f) => f.slice(dir.length + 1)),
      ['compose.yaml'],
    );
    assert.deepEqual(found.override, { file: join(dir, 'compose.override.yaml'), merged: false });
    const p = load(dir);
    assert.deepEqual(p.composeFiles, ['compose.yaml']);
    assert.equal(p.model.services!.web!.restart, 'no', 'the CVM runs compose.yaml alone');
    assert.deepEqual(p.override, { file: 'compose.override.yaml', merged: false });
  });

  it('merges the twin with withOverride, pointing into it', () => {
    const dir = scratch.project('override-merged', {
      'compose.yaml': 'services:\n  web:\n    image: web:1\n    restart: "no"\n',
      'compose.override.yaml': 'services:\n  web:\n    restart: unless-stopped\n',
    });
    assert.equal(discoverInDir(dir, { withOverride: true })!.files.length, 2);
    const p = load(dir, { withOverride: true });
    assert.deepEqual(p.composeFiles, ['compose.yaml', 'compose.override.yaml']);
    assert.equal(p.model.services!.web!.restart, 'unless-stopped');
    assert.equal(at(p, ['services', 'web', 'restart']), 'compose.override.yaml:3:5');
    assert.deepEqual(p.override, { file: 'compose.override.yaml', merged: true });
  });

  it('prefers compose.yaml over docker-compose.yml, and finds docker-compose.override.yml', () => {
    const both = scratch.project('prefer', {
      'compose.yaml': 'services: {}\n',
      'docker-compose.yml': 'services: {}\n',
    });
    assert.equal(discoverInDir(both)!.files.length, 1);
    assert.ok(discoverInDir(both)!.files[0]!.endsWith('compose.yaml'));
    const legacy = scratch.project('legacy', {
      'docker-compose.yml': 'services: {}\n',
      'docker-compose.override.yml': 'services: {}\n',
    });
    assert.deepEqual(
      discoverInDir(legacy, { withOverride: true })!.files.map((f) => f.slice(legacy.length + 1)),
      ['docker-compose.yml', 'docker-compose.override.yml'],
    );
  });

  it('-r finds every project below a directory, skipping node_modules and dot directories', () => {
    const root = scratch.project('tree', {
      'a/compose.yaml': 'services:\n  a:\n    image: a:1\n',
      'b/deeper/docker-compose.yml': 'services:\n  b:\n    image: b:1\n',
      'c/app-compose.json': JSON.stringify({ docker_compose_file: 'services:\n  c:\n    image: c:1\n' }),
      'node_modules/x/compose.yaml': 'services:\n  x:\n    image: x:1\n',
      '.hidden/compose.yaml': 'services:\n  h:\n    image: h:1\n',
    });
    const found = discoverRecursive(root).map((p) => p.dir.slice(root.length + 1));
    assert.deepEqual(found, ['a', join('b', 'deeper'), 'c']);
    const report = check([root], { recursive: true, cwd: root });
    assert.equal(report.targets.length, 3, 'each project is checked on its own');
    assert.deepEqual(
      report.targets.map((t) => t.services),
      [1, 1, 1],
    );
  });
});

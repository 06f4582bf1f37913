import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { InputError } from '../../src/util/errors.js';
import { labelOverride, ownerValue, projectName } from '../../src/docker/labels.js';
import type { ContainerInfo } from '../../src/docker/engine.js';
import { parseReadIds, substitute } from '../../src/drills/actions.js';
import { filesOutsideVolumes, secretInLogs, secretsInLogs } from '../../src/drills/checks.js';
import { createProgress } from '../../src/drills/progress.js';
import { PassThrough } from 'node:stream';
import { drillConfigFrom } from '../../src/drills/config.js';
import { configFromText } from '../support/config.js';
import { FAULT_KINDS, planFaults } from '../../src/drills/faults.js';
import { checkSet, type HistoryOp } from '../../src/drills/history.js';

function cfg(yamlText: string) {
  return drillConfigFrom(configFromText(yamlText));
}

describe('drill config (.preflight.yml `drill`)', () => {
  it('reads the documented example', () => {
    const c = cfg(`drill:
  ready:
    web: { http: "http://127.0.0.1:8080/healthz", status: 200, timeout: 60s }
    worker: healthcheck
  workload:
    write: { http: "POST http://127.0.0.1:8080/items", body: '{"id":"{{id}}"}' }
    read:  { http: "GET http://127.0.0.1:8080/items" }
  faults: [restart, kill, kill-all, reboot]
  rounds: 4
`);
    assert.deepEqual(cfg('drill:\n  rounds: 2\n').rounds, 2);
    assert.equal(c.ready.web!.timeoutMs, 60_000);
    assert.deepEqual(c.ready.web!.probe, {
      kind: 'action',
      action: {
        kind: 'http',
        method: 'GET',
        url: 'http://127.0.0.1:8080/healthz',
        body: undefined,
        headers: {},
        status: 200,
        timeoutMs: undefined,
      },
    });
    assert.deepEqual(c.ready.worker!.probe, { kind: 'healthcheck' });
    assert.equal(c.workload!.write.kind === 'http' && c.workload!.write.method, 'POST');
    assert.equal(c.workload!.read.kind === 'http' && c.workload!.read.method, 'GET');
    assert.deepEqual(c.faults, ['restart', 'kill', 'kill-all', 'reboot']);
    assert.equal(c.rounds, 4);
  });

  it('accepts exec actions with a service', () => {
    const c = cfg(`drill:
  workload:
    write: { exec: { service: db, command: ["sh", "-c", "echo {{id}} >> /data/x"] } }
    read: { exec: { service: db, command: ["cat", "/data/x"] } }
`);
    assert.deepEqual(c.workload!.write, {
      kind: 'exec',
      service: 'db',
      command: ['sh', '-c', 'echo {{id}} >> /data/x'],
      timeoutMs: undefined,
    });
    assert.equal(c.workload!.service, 'db');
  });

  const bad: [string, string, RegExp, number][] = [
    ['unknown fault', 'drill:\n  faults: [restart, meteor]\n', /drill\.faults\[1\]: must be one of "restart"/, 2],
    ['unknown key', 'drill:\n  wrkload: {}\n', /drill: unknown key "wrkload"/, 2],
    [
      'bad duration',
      'drill:\n  ready:\n    web: { http: "http://x/", timeout: soon }\n',
      /drill\.ready\.web\.timeout: must be a duration such as 500ms/,
      3,
    ],
    [
      'write without {{id}}',
      'drill:\n  workload:\n    write: { http: "POST http://x/items" }\n    read: { http: "http://x/items" }\n',
      /must use \{\{id\}\}/,
      3,
    ],
    [
      'exec without service',
      'drill:\n  workload:\n    write: { exec: ["x", "{{id}}"] }\n    read: { http: "http://x/" }\n',
      /needs `service`/,
      3,
    ],
    ['rounds zero', 'drill:\n  rounds: 0\n', /rounds: must be an integer/, 2],
  ];
  for (const [name, text, message, line] of bad) {
    it(`rejects ${name} with file and line`, () => {
      assert.throws(
        () => cfg(text),
        (e: unknown) =>
          e instanceof InputError && message.test(e.message) && e.file === '.preflight.yml' && e.line === line,
      );
    });
  }
});

describe('fault plan', () => {
  it('covers each selected fault once by default, in a seeded order', () => {
    const a = planFaults(FAULT_KINDS, FAULT_KINDS.length, 's1', ['web', 'db'], 'web');
    assert.deepEqual(a.map((f) => f.kind).sort(), [...FAULT_KINDS].sort());
    assert.deepEqual(planFaults(FAULT_KINDS, 5, 's1', ['web', 'db'], 'web'), a, 'same seed, same plan');
    const orders = new Set(
      ['s1', 's2', 's3', 's4', 's5'].map((s) =>
        planFaults(FAULT_KINDS, 5, s, ['web'], 'web')
          .map((f) => f.kind)
          .join(),
      ),
    );
    assert.ok(orders.size > 1, 'different seeds, different orders');
    for (const f of a) {
      if (f.kind === 'kill-all' || f.kind === 'reboot') assert.equal(f.service, undefined);
      else assert.ok(['web', 'db'].includes(f.service!));
      if (f.kind === 'kill-midwrite') assert.equal(f.service, 'web');
    }
  });

  it('repeats passes over the list for more rounds', () => {
    const p = planFaults(['restart', 'kill'], 5, 'x', ['web']);
    assert.equal(p.length, 5);
    assert.deepEqual(
      p.map((f) => f.index),
      [0, 1, 2, 3, 4],
    );
    assert.equal(p.filter((f) => f.kind === 'restart').length >= 2, true);
  });
});

describe('set checker (Jepsen)', () => {
  const op = (type: HistoryOp['type'], value: string): HistoryOp => ({ type, f: 'add', value, time: 0 });
  it('reports lost, unexpected and recovered', () => {
    const h = [
      op('invoke', 'a'),
      op('ok', 'a'),
      op('invoke', 'b'),
      op('ok', 'b'),
      op('invoke', 'c'),
      op('unknown', 'c'),
      op('invoke', 'd'),
      op('unknown', 'd'),
      op('invoke', 'e'),
      op('fail', 'e'),
    ];
    const r = checkSet(h, ['a', 'c', 'z']);
    assert.deepEqual(r.lost, ['b']);
    assert.deepEqual(r.unexpected, ['z']);
    assert.deepEqual(r.recovered, ['c']);
    assert.equal(r.unknownAbsent, 1);
    assert.equal(r.acknowledged, 2);
    assert.equal(r.failed, 1);
    assert.equal(r.valid, false);
    assert.equal(checkSet(h, ['a', 'b']).valid, true);
  });

  it('parses the read formats', () => {
    assert.deepEqual(parseReadIds('["a","b"]'), ['a', 'b']);
    assert.deepEqual(parseReadIds('{"ids":[1,2]}'), ['1', '2']);
    assert.deepEqual(parseReadIds('[{"id":"x"}]'), ['x']);
    assert.deepEqual(parseReadIds('a\nb\n\n'), ['a', 'b']);
    assert.equal(substitute('POST http://h:${PORT}/i/{{id}}', '7', new Map([['PORT', '80']])), 'POST http://h:80/i/7');
  });
});

describe('container checks', () => {
  const container = (mounts: string[]) =>
    ({ Mounts: mounts.map((d) => ({ Type: 'volume', Source: '', Destination: d })) }) as unknown as ContainerInfo;
  it('files outside volumes: leaves only, not mounts, mount points or engine noise', () => {
    const changes = [
      { kind: 'C' as const, path: '/var' },
      { kind: 'C' as const, path: '/var/lib' },
      { kind: 'A' as const, path: '/var/lib/app' },
      { kind: 'A' as const, path: '/var/lib/app/items.log' },
      { kind: 'A' as const, path: '/data' },
      { kind: 'A' as const, path: '/data/items.log' },
      { kind: 'C' as const, path: '/srv' },
      { kind: 'A' as const, path: '/srv/mnt' },
      { kind: 'C' as const, path: '/tmp' },
      { kind: 'A' as const, path: '/tmp/x' },
      { kind: 'C' as const, path: '/etc' },
      { kind: 'C' as const, path: '/etc/hosts' },
      { kind: 'D' as const, path: '/old' },
    ];
    assert.deepEqual(filesOutsideVolumes(changes, container(['/data', '/srv/mnt/vol'])), ['/var/lib/app/items.log']);
  });

  it('secrets in logs: env values by name, provider patterns by kind, ordinary values ignored', () => {
    const env = new Map([
      ['API_TOKEN', 'tok_abcdef123456'],
      ['DB_PASSWORD', 'hunter22'],
      ['PORT', '8080'],
      ['MODE', 'production'],
    ]);
    const log = 'listening on 8080 in production\nauth tok_abcdef123456\ngh ghp_' + 'a'.repeat(36) + '\n';
    assert.deepEqual(secretsInLogs(log, env), { names: ['API_TOKEN'], patterns: ['GitHub token'] });
    assert.deepEqual(secretsInLogs('nothing here', env), { names: [], patterns: [] });
  });
});

describe('label override', () => {
  it('labels services, named volumes and networks, replaces chosen mounts, repeats the version', () => {
    const text = labelOverride({
      drillId: 'd1',
      owner: 'h/1',
      version: '3.8',
      services: [
        { name: 'web', mounts: [{ source: '/run/x/agent.sock', target: '/var/run/dstack.sock' }] },
        { name: 'db' },
      ],
      volumes: ['data'],
      networks: [],
      defaultNetwork: true,
    });
    const doc = parse(text) as Record<string, any>;
    // The launcher is the owner's parent: what lets a test suite tell its CLI children's leftovers from a
    // concurrent process's drills (test/support/docker.ts).
    const labels = {
      'io.preflight.drill': 'd1',
      'io.preflight.drill.owner': 'h/1',
      'io.preflight.drill.launcher': ownerValue(process.ppid),
    };
    assert.equal(doc.version, '3.8');
    assert.deepEqual(doc.services.web, { labels, volumes: ['/run/x/agent.sock:/var/run/dstack.sock'] });
    assert.deepEqual(doc.services.db, { labels });
    assert.deepEqual(doc.volumes, { data: { labels } });
    assert.deepEqual(doc.networks, { default: { labels } });
    assert.equal(projectName('restart-2024-AB'), 'pf-restart-2024-ab');
  });
});

describe('secret-in-logs severity and progress output', () => {
  const app = { where: () => ({ file: 'compose.yaml', line: 3, column: 3 }), services: ['web'] };
  it('is an error with public logs on, a warning with them off, and names no value', () => {
    const on = secretInLogs(app, 'web', { names: ['API_TOKEN'], patterns: ['GitHub token'] }, true);
    assert.equal(on.severity, 'error');
    assert.equal(on.section, 'logs');
    assert.match(on.message, /the value of API_TOKEN, a GitHub token/);
    assert.equal(secretInLogs(app, 'web', { names: ['API_TOKEN'], patterns: [] }, false).severity, 'warning');
  });

  it('prints plain timestamped lines when not on a TTY, a spinner on one', () => {
    let out = '';
    const plain = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    (plain as unknown as PassThrough).on('data', (b: Buffer) => (out += b));
    const p = createProgress(plain);
    p.step('2/5 kill web');
    p.done('2/5 kill web: ready again', true);
    p.stop();
    assert.match(out, /^\[drill +\d+ms\] … 2\/5 kill web\n\[drill +\d+ms\] ✓ 2\/5 kill web: ready again\n$/);

    const saved = process.env.CI;
    delete process.env.CI;
    try {
      let tty = '';
      const term = Object.assign(new PassThrough(), {
        isTTY: true,
        columns: 80,
        cursorTo() {},
        clearLine() {},
        moveCursor() {},
      }) as unknown as NodeJS.WriteStream;
      (term as unknown as PassThrough).on('data', (b: Buffer) => (tty += b));
      const s = createProgress(term);
      s.step('3/5 reboot');
      s.done('3/5 reboot: ready again', true);
      s.stop();
      assert.match(tty, /3\/5 reboot/);
      assert.doesNotMatch(tty, /^\[drill/m, 'no plain lines on a terminal');
    } finally {
      if (saved !== undefined) process.env.CI = saved;
    }
  });
});

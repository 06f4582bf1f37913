import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CvmImageStore,
  guestEnv,
  mapDstackPath,
  mixedVersionWindow,
  restoredByEngine,
  spansOf,
} from '../../src/cvm/index.js';
import { ownerValue } from '../../src/docker/labels.js';
import { normalizeRef, vetContainerCreate } from '../../src/cvm/sandbox/scope.js';
import { bootShell, parseShellReport, scriptLine, shellErrorLine } from '../../src/cvm/sandbox/shell.js';

describe('guest env (allowed_envs, parse_env limits)', () => {
  const env = new Map([
    ['IMAGE', 'x'],
    ['GREETING', 'hi'],
    ['bad-name', 'v'],
  ]);
  it('keeps what allowed_envs lists, drops the rest by name, and a bad name it drops is not fatal', () => {
    const g = guestEnv(env, ['IMAGE']);
    assert.deepEqual([...g.kept.keys()], ['IMAGE']);
    assert.deepEqual(g.dropped, ['GREETING', 'bad-name']);
    assert.equal(g.error, undefined);
  });
  it('undefined allowed_envs (Phala sets it from the keys sent): keeps all, but a kept bad name fails the boot', () => {
    const g = guestEnv(env, undefined);
    assert.deepEqual(g.dropped, []);
    assert.match(g.error ?? '', /"bad-name" is not a valid variable name/);
    assert.ok(!(g.error ?? '').includes('v"'), 'no value in the message');
  });
  it('over 1,024 entries, kept or not, fails; a value over 128 KiB fails', () => {
    const many = new Map(Array.from({ length: 1025 }, (_, i) => [`V${i}`, 'x'] as [string, string]));
    assert.match(guestEnv(many, []).error ?? '', /1025 entries/);
    assert.match(guestEnv(new Map([['BIG', 'x'.repeat(131_073)]]), undefined).error ?? '', /131073 bytes/);
    assert.equal(guestEnv(new Map([['BIG', 'x'.repeat(131_072)]]), undefined).error, undefined);
  });
});

describe('dockerd restore at boot', () => {
  it('always on every boot; unless-stopped only after a power cut and when it was running; no never', () => {
    const c = (policy: string, wasRunning = true) => ({ id: 'c', policy, wasRunning });
    assert.equal(restoredByEngine(c('always'), 'graceful'), true);
    assert.equal(restoredByEngine(c('unless-stopped'), 'graceful'), false);
    assert.equal(restoredByEngine(c('unless-stopped'), 'forced'), true);
    assert.equal(restoredByEngine(c('unless-stopped', false), 'forced'), false);
    assert.equal(restoredByEngine(c('no'), 'forced'), false);
    assert.equal(restoredByEngine(c('on-failure'), 'forced'), false);
  });
});

describe('the CVM image store model', () => {
  it('prune drops what no container uses and remembers the boot; a later add clears it', () => {
    const s = new CvmImageStore();
    s.add('sha256:a', 'app:1');
    s.add('sha256:b', 'app:2');
    assert.deepEqual(s.prune(new Set(['sha256:b']), 2), ['app:1']);
    assert.equal(s.has('sha256:a'), false);
    assert.equal(s.prunedBy('sha256:a'), 2);
    s.add('sha256:a', 'app:1');
    assert.equal(s.prunedBy('sha256:a'), undefined);
    assert.deepEqual(s.refs(), ['app:1', 'app:2']);
  });
});

describe('/dstack paths', () => {
  const paths = { dstackDir: '/run/cvm/dstack', persistentDir: '/run/cvm/persistent' };
  it('maps the work dir and the data disk; leaves other host paths alone', () => {
    assert.equal(mapDstackPath('/dstack/persistent/db', paths), '/run/cvm/persistent/db');
    assert.equal(mapDstackPath('/dstack/persistent', paths), '/run/cvm/persistent');
    assert.equal(mapDstackPath('/dstack/scratch/', paths), '/run/cvm/dstack/scratch');
    assert.equal(mapDstackPath('/dstackx/a', paths), undefined);
    assert.equal(mapDstackPath('/etc/app', paths), undefined);
  });
});

describe('the sandbox scope', () => {
  const scope = {
    project: 'pf-x',
    drillId: 'x',
    owner: 'h/1',
    paths: { dstackDir: '/c/dstack', persistentDir: '/c/persistent' },
    proxySocket: '/c/engine.sock',
  };
  const create = (hc: Record<string, unknown>) =>
    vetContainerCreate(scope, { Image: 'i', HostConfig: hc }, (v) => v === 'pf-x_data');
  it('refuses privileges, host namespaces, devices, host binds and other projects’ volumes', () => {
    for (const hc of [
      { Privileged: true },
      { CapAdd: ['SYS_ADMIN'] },
      { NetworkMode: 'host' },
      { PidMode: 'host' },
      { Devices: [{ PathOnHost: '/dev/sda' }] },
      { Binds: ['/:/host'] },
      { Binds: ['users-data:/d'] },
      { Mounts: [{ Type: 'bind', Source: '/home', Target: '/h' }] },
    ])
      assert.ok('refused' in create(hc), JSON.stringify(hc));
  });
  it('maps /dstack binds and the engine socket, keeps its own volumes, and labels what it creates', () => {
    const r = create({ Binds: ['/dstack/persistent/k:/k:ro', '/var/run/docker.sock:/s', 'pf-x_data:/data'] });
    assert.ok('body' in r);
    const hc = r.body.HostConfig as { Binds: string[] };
    assert.deepEqual(hc.Binds, ['/c/persistent/k:/k:ro', '/c/engine.sock:/s', 'pf-x_data:/data']);
    assert.deepEqual(r.body.Labels, {
      'io.preflight.cvm': 'pf-x',
      'io.preflight.drill': 'x',
      'io.preflight.drill.owner': 'h/1',
      'io.preflight.drill.launcher': ownerValue(process.ppid),
    });
  });
  it('normalises image references the way the engine names them', () => {
    assert.equal(normalizeRef('redis'), 'docker.io/library/redis:latest');
    assert.equal(normalizeRef('me/app:1'), 'docker.io/me/app:1');
    assert.equal(normalizeRef('ghcr.io/me/app'), 'ghcr.io/me/app:latest');
    assert.equal(normalizeRef('localhost:5000/app:2'), 'localhost:5000/app:2');
  });
});

describe('the boot shell', () => {
  it('sets -euo pipefail on main only, and sources the script', () => {
    assert.match(bootShell('main'), /^set -euo pipefail$/m);
    assert.doesNotMatch(bootShell('v0.5.11'), /set -e/);
    assert.match(bootShell('v0.5.11'), /^source "\$__pf_script"$/m);
  });
  it('reads its report: failures once each, where the shell ended, the environment after a return', () => {
    const ended = parseShellReport(Buffer.from('pf-err 1 2 10\npf-err 1 3 11\npf-err 2 7 20\npf-exit 3 5\n'));
    assert.deepEqual(ended, {
      done: false,
      exitCode: 3,
      lastLine: 5,
      failures: [
        { code: 1, line: 2 },
        { code: 2, line: 7 },
      ],
    });
    const done = parseShellReport(Buffer.from('pf-done\nA=1\0B=x=y\0'));
    assert.equal(done.done, true);
    assert.deepEqual(
      [...done.env!],
      [
        ['A', '1'],
        ['B', 'x=y'],
      ],
    );
  });
  it("finds bash's own error line and quotes the script line", () => {
    const log = 'hello\n/opt/preflight/pre_launch_script: line 4: TOKEN: unbound variable\n';
    assert.deepEqual(shellErrorLine(log), { line: 4, message: 'TOKEN: unbound variable' });
    assert.deepEqual(scriptLine('a\n  b  \nc', 2), { line: 2, text: 'b' });
    assert.equal(scriptLine('a', 5), undefined);
  });
});

describe('the mixed-version window', () => {
  const ev = (Action: string, id: string, service: string, ms: number) =>
    JSON.stringify({
      Action,
      id,
      timeNano: ms * 1e6,
      Actor: { Attributes: { 'com.docker.compose.service': service } },
    });
  it('running intervals from engine events; one still running ends at the watch’s end', () => {
    const spans = spansOf(
      [ev('start', 'a', 'web', 100), ev('die', 'a', 'web', 300), ev('start', 'b', 'web', 350)],
      1000,
    );
    assert.deepEqual(
      spans.map((s) => [s.id, s.service, s.running]),
      [
        ['a', 'web', [[100, 300]]],
        ['b', 'web', [[350, 1000]]],
      ],
    );
  });
  it('old web answered until compose recreated it; old web and new worker ran at once on one volume while writes came in', () => {
    const spans = spansOf(
      [
        ev('start', 'oldweb', 'web', 1_100),
        ev('start', 'newworker', 'worker', 2_000),
        ev('die', 'oldweb', 'web', 3_000),
        ev('start', 'newweb', 'web', 3_200),
      ],
      4_000,
    );
    const w = mixedVersionWindow({
      spans,
      since: 1_000,
      before: [
        { id: 'oldweb', service: 'web', volumes: ['data'] },
        { id: 'oldworker', service: 'worker', volumes: ['data'] },
      ],
      after: [
        { id: 'newweb', service: 'web', volumes: ['data'] },
        { id: 'newworker', service: 'worker', volumes: ['data'] },
      ],
      answers: [
        { t: 1_500, service: 'web', write: true },
        { t: 2_500, service: 'web', write: true },
        { t: 3_500, service: 'web', write: true },
      ],
    });
    assert.deepEqual(w.oldRan, [{ service: 'web', ms: 1_900 }]);
    assert.equal(w.oldRanMs, 2_000);
    assert.equal(w.oldAnswers, 2);
    assert.equal(w.oldWrites, 2);
    assert.equal(w.lastOldAnswerMs, 1_500);
    assert.equal(w.overlapMs, 1_000);
    assert.deepEqual(w.overlaps, [{ old: 'web', new: 'worker', ms: 1_000, volumes: ['data'] }]);
    assert.deepEqual(w.bothWrote, [{ volume: 'data', old: 'web', new: 'worker', writes: 1 }]);
  });
  it('nothing old ran (no restart policy): an empty window', () => {
    const w = mixedVersionWindow({
      spans: spansOf([ev('start', 'newweb', 'web', 2_000)], 3_000),
      since: 1_000,
      before: [{ id: 'oldweb', service: 'web', volumes: ['data'] }],
      after: [{ id: 'newweb', service: 'web', volumes: ['data'] }],
      answers: [{ t: 2_500, service: 'web', write: true }],
    });
    assert.deepEqual(w.oldRan, []);
    assert.equal(w.oldAnswers, 0);
    assert.equal(w.overlapMs, 0);
    assert.deepEqual(w.bothWrote, []);
  });
});

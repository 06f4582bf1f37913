import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CommandHookBalancer, type HookRun, HookTemplateError, LoadBalancerError } from '../../src/rollout/lb/index.js';

const dir = mkdtempSync(join(tmpdir(), 'preflight-hooks-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const log = join(dir, 'calls.log');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

// An instance whose values would be shell syntax if they were pasted in unquoted.
const tricky = {
  id: "web-1'; touch pwned; echo '",
  name: 'web $(touch pwned2) `x`',
  url: 'http://10.0.0.7:8080/?a=1&b=2',
};
const plain = { id: 'web-2', url: 'http://[::1]:9090' };

describe('command hooks', () => {
  it('drain and enable run their commands with quoted values and the instance in the environment', async () => {
    writeFileSync(log, '');
    const runs: HookRun[] = [];
    const lb = new CommandHookBalancer({
      instances: [tricky, plain],
      drain: `printf 'drain|%s|%s|%s|%s|%s\\n' {{instance}} {{name}} {{url}} {{host}} {{port}} >> ${log}`,
      enable: `echo "enable|$PREFLIGHT_HOOK|$PREFLIGHT_INSTANCE|$PREFLIGHT_INSTANCE_PORT" >> ${log}; echo done`,
      cwd: dir,
      onRun: (r) => runs.push(r),
    });
    const d = await lb.drain(tricky.id);
    assert.equal(d.drained, true);
    assert.equal(d.evidence, 'hook');
    assert.equal(d.inFlight, undefined);
    await lb.drain('web-2');
    await lb.enable('web-2');
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [
      `drain|${tricky.id}|${tricky.name}|${tricky.url}|10.0.0.7|8080`,
      'drain|web-2|web-2|http://[::1]:9090|::1|9090',
      'enable|enable|web-2|9090',
    ]);
    // Nothing in the values ran as a command.
    assert.throws(() => readFileSync(join(dir, 'pwned')), /ENOENT/);
    assert.throws(() => readFileSync(join(dir, 'pwned2')), /ENOENT/);
    assert.deepEqual(
      runs.map((r) => [r.hook, r.instance, r.exitCode, r.timedOut]),
      [
        ['drain', tricky.id, 0, false],
        ['drain', 'web-2', 0, false],
        ['enable', 'web-2', 0, false],
      ],
    );
    assert.equal(runs[2]!.stdoutTail, 'done\n');
    const state = await lb.state();
    assert.deepEqual(
      state.instances.map((i) => [i.instance, i.admin, i.operational]),
      [
        [tricky.id, 'drain', 'unknown'],
        ['web-2', 'ready', 'unknown'],
      ],
    );
  });

  it('a failing hook is an error naming the hook, the instance, the exit code and its last line of stderr', async () => {
    const lb = new CommandHookBalancer({
      instances: [plain],
      drain: 'echo "balancer says no" >&2; exit 3',
      enable: 'kill -9 $$',
    });
    await assert.rejects(lb.drain('web-2'), (e: Error) => {
      assert.ok(e instanceof LoadBalancerError);
      assert.equal(e.message, "drain hook for instance 'web-2' exited 3: balancer says no");
      return true;
    });
    await assert.rejects(
      lb.enable('web-2'),
      /^LoadBalancerError: enable hook for instance 'web-2' was killed by SIGKILL$/,
    );
    // A failed drain leaves the state as it was.
    assert.equal((await lb.state()).instances[0]!.admin, 'ready');
  });

  it('a hook that outlasts its timeout is killed with its children and reported', async () => {
    const lb = new CommandHookBalancer({
      instances: [plain],
      drain: `sleep 30 & echo $! > ${join(dir, 'child.pid')}; wait`,
      enable: 'true',
      timeoutMs: 300,
    });
    await assert.rejects(lb.drain('web-2'), /drain hook for instance 'web-2' did not finish within 300 ms \(killed\)/);
    const pid = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
    // The background `sleep` was in the hook's process group: gone too (or a zombie nobody reaped yet).
    assert.equal(alive(pid), false, `hook child ${pid} still running`);
  });

  it('unknown instances and a missing shell are errors', async () => {
    const lb = new CommandHookBalancer({ instances: [plain], drain: 'true', enable: 'true', shell: '/nonexistent/sh' });
    await assert.rejects(lb.drain('web-9'), /hooks: unknown instance 'web-9' \(configured: web-2\)/);
    await assert.rejects(
      lb.drain('web-2'),
      /drain hook for instance 'web-2' could not start: \/nonexistent\/sh: ENOENT/,
    );
  });

  it('render shows the command a hook would run', () => {
    const lb = new CommandHookBalancer({
      instances: [tricky],
      drain: 'lbctl drain {{ name }}',
      enable: 'lbctl enable {{url}}',
    });
    assert.equal(lb.render('drain', tricky.id), "lbctl drain 'web $(touch pwned2) `x`'");
    assert.equal(lb.render('enable', tricky.id), "lbctl enable 'http://10.0.0.7:8080/?a=1&b=2'");
  });

  it('templates are checked when the balancer is built: unknown or quoted placeholders, unclosed braces', () => {
    const build = (drain: string) => new CommandHookBalancer({ instances: [plain], drain, enable: 'true' });
    const fails = (drain: string, message: RegExp) =>
      assert.throws(
        () => build(drain),
        (e: Error) => e instanceof HookTemplateError && message.test(e.message),
        `${drain} should fail with ${message}`,
      );
    fails('lbctl drain {{server}}', /^drain hook, column 13: unknown placeholder \{\{server\}\}/);
    fails('lbctl drain "{{url}}"', /^drain hook, column 14: \{\{url\}\} inside double quotes; write it bare/);
    fails("lbctl drain '{{url}}'", /^drain hook, column 14: \{\{url\}\} inside single quotes/);
    fails('lbctl drain {{url', /column 13: '\{\{' without a closing '\}\}'/);
    fails('lbctl drain "x', /unterminated double quote/);
    fails('   ', /empty command/);
    // Must not fire: bare placeholders, escaped quotes, other tools' own {{…}} inside quotes.
    build('lbctl drain {{url}} --note "it\'s {{not-ours}}" \\"{{instance}}');
    build(`docker inspect -f '{{.State.Health.Status}}' {{name}}`);
    assert.throws(
      () => new CommandHookBalancer({ instances: [plain], drain: 'true', enable: 'x "{{host}}"' }),
      /^HookTemplateError: enable hook/,
    );
  });
});

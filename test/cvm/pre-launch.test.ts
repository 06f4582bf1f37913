import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { execFileCapture } from '../../src/docker/exec.js';
import { assertNoDrillLeftovers, describeDocker } from '../support/docker.js';
import { nodeImage } from '../support/images.js';
import { appVersion, ofType, testCvm } from './helpers.js';

/**
 * The pre-launch step of the local CVM's boot (docs/platform.md#pre-launch-script): the deployment's
 * script sourced by the boot shell of the chosen dstack version, in a sandbox container whose engine
 * reaches only the CVM's own resources.
 */
await describeDocker('local CVM: the pre_launch_script', () => {
  after(async () => {
    await assertNoDrillLeftovers();
  });

  it('a failing command ends the boot on main (set -euo pipefail), quoting its line: compose up never runs', async () => {
    const { project } = await appVersion('prelaunch-error');
    const t = await testCvm({ os: 'main' });
    try {
      const r = await t.cvm.boot(t.cvm.prepare(project));
      assert.equal(r.ok, false);
      assert.equal(r.failed?.step, 'pre-launch');
      assert.deepEqual(r.failed?.at, { line: 2, text: 'ls /dstack/persistent/license.key' });
      assert.match(r.failed!.reason, /stopped the boot at line 2/);
      assert.deepEqual(
        ofType(t.events, 'boot-step-start').map((e) => e.bootStep),
        ['volatile', 'env', 'remove-orphans', 'agent', 'engine-start', 'pre-launch'],
      );
      assert.deepEqual(await t.cvm.containers(), [], 'nothing was started');
      assert.ok(ofType(t.events, 'boot-notify').some((n) => n.event === 'boot.progress' && n.detail === 'pre-launch'));
    } finally {
      await t.done();
    }
  });

  it('the same script on v0.5.11 (no shell options): the failure is reported, the boot goes on', async () => {
    const { project } = await appVersion('prelaunch-error');
    const t = await testCvm({ os: 'v0.5.11' });
    try {
      const r = await t.cvm.boot(t.cvm.prepare(project));
      assert.equal(r.ok, true, JSON.stringify(r.failed));
      const [failure] = ofType(t.events, 'pre-launch-failure');
      assert.equal(failure?.fatal, false);
      assert.deepEqual(failure?.at, { line: 2, text: 'ls /dstack/persistent/license.key' });
      assert.equal((await t.cvm.containers('web')).filter((c) => c.State.Running).length, 1);
    } finally {
      await t.done();
    }
  });

  it('an unset variable: "unbound variable" ends the boot on main; v0.5.11 expands it to nothing', async () => {
    for (const os of ['main', 'v0.5.11'] as const) {
      const { project } = await appVersion('prelaunch-unset');
      const t = await testCvm({ os });
      try {
        const r = await t.cvm.boot(t.cvm.prepare(project));
        if (os === 'main') {
          assert.equal(r.ok, false);
          assert.match(r.failed!.reason, /REGISTRY_USER: unbound variable/);
          assert.equal(r.failed?.at?.line, 1);
        } else assert.equal(r.ok, true, JSON.stringify(r.failed));
      } finally {
        await t.done();
      }
    }
  });

  it('what the script exports or unsets is the environment compose up interpolates with', async () => {
    const { project } = await appVersion('prelaunch-exports', { env: { GREETING: 'from-env-file' } });
    const t = await testCvm();
    try {
      const r = await t.cvm.boot(t.cvm.prepare(project));
      assert.equal(r.ok, true, JSON.stringify(r.failed));
      const [c] = await t.cvm.containers('web');
      const env = c!.Config.Env ?? [];
      assert.ok(env.includes('FROM_SCRIPT=set by the script in /dstack'), env.join(' '));
      assert.ok(env.includes('GREETING=unset'), 'the script unset it before compose up');
    } finally {
      await t.done();
    }
  });

  describe_sandbox();
});

/** The user's own things next to the CVM: nothing the script does may touch them. */
function describe_sandbox(): void {
  const decoy = { image: '', volume: '', container: '' };
  before(async () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    decoy.image = `preflight-decoy:${suffix}`;
    decoy.volume = `preflight-decoy-${suffix}`;
    decoy.container = `preflight-decoy-${suffix}`;
    // An image of its own (not another tag of the app's image, which the CVM has).
    await execFileCapture('docker', ['build', '-q', '-t', decoy.image, '-'], {
      input: `FROM ${nodeImage()}\nLABEL io.preflight.test=decoy\n`,
    });
    await execFileCapture('docker', ['volume', 'create', decoy.volume]);
    await execFileCapture('docker', ['create', '--name', decoy.container, decoy.image, 'true']);
  });
  after(async () => {
    await execFileCapture('docker', ['rm', '-f', decoy.container]);
    await execFileCapture('docker', ['volume', 'rm', '-f', decoy.volume]);
    await execFileCapture('docker', ['rmi', decoy.image]);
  });

  it("the script's docker calls reach only the CVM: prune, rm, rmi, pull and host binds leave the user's things alone", async () => {
    const { project } = await appVersion('prelaunch-sandbox', {
      env: { DECOY_IMAGE: decoy.image, DECOY_VOLUME: decoy.volume, DECOY_CONTAINER: decoy.container },
    });
    const t = await testCvm();
    try {
      const app = t.cvm.prepare(project);
      assert.equal((await t.cvm.boot(app)).ok, true);
      // Second boot: the CVM's own container exists now, and the script runs again.
      await t.cvm.shutdown('graceful');
      const r = await t.cvm.boot(app);
      assert.equal(r.ok, true, JSON.stringify(r.failed));
      const seen = readFileSync(join(t.cvm.persistentDir, 'seen.txt'), 'utf8');
      assert.match(seen, /^containers: 1$/m, 'only the CVM’s container is listed');
      assert.match(seen, new RegExp(`^volumes: ${t.cvm.projectName}_data $`, 'm'));
      // A pull of an image the engine has is answered from the CVM's model; the user's copy stays as it is.
      assert.match(seen, /^pull answered$/m);
      for (const refused of [
        'rm refused',
        'volume rm refused',
        'rmi refused',
        'pull refused',
        'host bind refused',
        'privileged refused',
      ])
        assert.match(seen, new RegExp(`^${refused}$`, 'm'));
      assert.match(seen, /^compose pull ok$/m, 'docker compose works on the CVM’s own images');

      for (const [what, args] of [
        ['image', ['image', 'inspect', decoy.image]],
        ['volume', ['volume', 'inspect', decoy.volume]],
        ['container', ['container', 'inspect', decoy.container]],
      ] as const)
        assert.equal((await execFileCapture('docker', [...args])).code, 0, `the decoy ${what} is still there`);

      const calls = ofType(t.events, 'sandbox-call');
      assert.ok(calls.some((c) => c.path === '/images/prune' && c.verdict === 'modelled'));
      assert.ok(calls.some((c) => c.path === '/volumes/prune' && c.verdict === 'scoped'));
      assert.ok(calls.some((c) => c.verdict === 'refused' && /not this CVM's|host path/.test(c.note ?? '')));
      assert.equal((await t.cvm.containers('web')).filter((c) => c.State.Running).length, 1, 'the app still boots');
    } finally {
      await t.done();
    }
  });
}

import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { BOOT_STEPS } from '../../src/cvm/index.js';
import { execFileCapture } from '../../src/docker/exec.js';
import { assertNoDrillLeftovers, describeDocker } from '../support/docker.js';
import { nodeImage } from '../support/images.js';
import { appVersion, ofType, testCvm } from './helpers.js';

/** The local CVM's boot steps on the real engine, one behaviour per test app (test/fixtures/drill-apps). */
await describeDocker('local CVM: the boot steps', () => {
  after(async () => {
    await assertNoDrillLeftovers();
  });

  it('every boot runs the guest steps in order, each reported with its time', async () => {
    const { project } = await appVersion('good');
    const t = await testCvm();
    try {
      const r = await t.cvm.boot(t.cvm.prepare(project));
      assert.equal(r.ok, true, JSON.stringify(r.failed));
      assert.deepEqual(
        ofType(t.events, 'boot-step-end').map((e) => [e.bootStep, e.ok]),
        BOOT_STEPS.map((s) => [s, true]),
      );
      assert.ok(ofType(t.events, 'boot-step-end').every((e) => e.ms >= 0 && e.detail.length > 0));
      assert.deepEqual(
        ofType(t.events, 'boot-end').map((e) => e.ok),
        [true],
      );
    } finally {
      await t.done();
    }
  });

  it("orphan removal: a service no longer in the compose file goes before dockerd starts, its anonymous volume with the prune; another project's containers stay", async () => {
    const v1 = await appVersion('orphan-v1');
    const v2 = await appVersion('orphan-v2');
    const t = await testCvm();
    const other = await testCvm();
    try {
      assert.equal((await t.cvm.boot(t.cvm.prepare(v1.project, 'v1'))).ok, true);
      // A second CVM on the same engine, with the same service names: not this CVM's project.
      assert.equal((await other.cvm.boot(other.cvm.prepare((await appVersion('orphan-v1')).project, 'v1'))).ok, true);
      const [worker] = await t.cvm.containers('worker');
      const scratch = worker!.Mounts.find((m) => m.Destination === '/scratch')!.Name!;
      await t.cvm.shutdown('graceful');
      const r = await t.cvm.boot(t.cvm.prepare(v2.project, 'v2'));
      assert.equal(r.ok, true, JSON.stringify(r.failed));
      assert.deepEqual(
        ofType(t.events, 'orphans-removed')
          .at(-1)!
          .containers.map((c) => c.service),
        ['worker'],
      );
      assert.deepEqual(await t.cvm.containers('worker'), []);
      // Phala's default pre-launch script (modelled) prunes first; the boot's own prune after `up` would too.
      assert.deepEqual(
        ofType(t.events, 'pruned')
          .filter((e) => e.boot === 2)
          .flatMap((e) => e.volumes),
        [scratch],
        'the orphan’s anonymous volume is pruned',
      );
      assert.notEqual((await execFileCapture('docker', ['volume', 'inspect', scratch])).code, 0);
      assert.equal((await other.cvm.containers('worker')).length, 1, 'the other project keeps its worker');
    } finally {
      await t.done();
      await other.done();
    }
  });

  it('dockerd restores `always` after a clean stop, `unless-stopped` too after a power cut, `no` never', async () => {
    const { project } = await appVersion('restore-policies');
    const t = await testCvm();
    try {
      const app = t.cvm.prepare(project);
      assert.equal((await t.cvm.boot(app)).ok, true);
      await t.cvm.shutdown('graceful');
      await t.cvm.boot(app);
      await t.cvm.shutdown('forced');
      await t.cvm.boot(app);
      const restored = ofType(t.events, 'engine-restored').map((e) => e.containers.map((c) => c.service).sort());
      assert.deepEqual(restored, [[], ['always'], ['always', 'unless']]);
      const policies = ofType(t.events, 'engine-restored')
        .at(-1)!
        .containers.map((c) => c.policy)
        .sort();
      assert.deepEqual(policies, ['always', 'unless-stopped']);
    } finally {
      await t.done();
    }
  });

  it('allowed_envs: a variable of the env file the deployment does not allow is dropped, and named', async () => {
    const { project } = await appVersion('allowed-envs', { env: { GREETING: 'hello' } });
    const t = await testCvm();
    try {
      const r = await t.cvm.boot(t.cvm.prepare(project));
      assert.equal(r.ok, true, JSON.stringify(r.failed));
      assert.deepEqual(r.droppedEnv, ['GREETING']);
      assert.deepEqual(ofType(t.events, 'env-filtered')[0], {
        type: 'env-filtered',
        boot: 1,
        kept: 2,
        dropped: ['GREETING'],
      });
      const [c] = await t.cvm.containers('web');
      assert.ok(c!.Config.Env?.includes('GREETING=dropped by the guest'));
      assert.ok(!JSON.stringify(t.events).includes('hello'), 'no value in the events');
    } finally {
      await t.done();
    }
  });

  it('/dstack and relative binds start empty at every boot; /dstack/persistent keeps what was written', async () => {
    const { project } = await appVersion('dstack-paths');
    const t = await testCvm();
    try {
      const app = t.cvm.prepare(project);
      assert.equal((await t.cvm.boot(app)).ok, true);
      await waitFor(() => existsSync(join(t.cvm.dstackDir, 'config', 'written')));
      assert.ok(existsSync(join(t.cvm.dstackDir, 'scratch', 'written')));
      await t.cvm.shutdown('graceful');
      // The boot empties the work dir before anything runs: look right after the volatile step.
      let atStart: string[] = [];
      const r = await t.cvm.boot(app, {
        onEvent: (e) => {
          if (e.type === 'boot-step-end' && e.bootStep === 'volatile') atStart = readdirSync(t.cvm.dstackDir).sort();
        },
      });
      assert.equal(r.ok, true);
      assert.deepEqual(atStart, ['app-compose.json', 'docker-compose.yaml']);
      assert.ok(existsSync(join(t.cvm.persistentDir, 'keep', 'written')), 'the data disk keeps it');
    } finally {
      await t.done();
    }
  });

  it('an image an earlier boot pruned is reported when a later boot needs it again (a rollback)', async () => {
    const other = await variantImage();
    const v1 = await appVersion('good');
    const v2 = await appVersion('good', { env: { IMAGE: other } });
    const t = await testCvm();
    try {
      const a = t.cvm.prepare(v1.project, 'v1');
      const b = t.cvm.prepare(v2.project, 'v2');
      await t.cvm.boot(a);
      await t.cvm.shutdown('graceful');
      await t.cvm.boot(b);
      assert.deepEqual(ofType(t.events, 'pruned').at(-1)!.images, [nodeImage()], 'v1’s image left the CVM');
      assert.deepEqual(ofType(t.events, 'image-pulled-again'), [], 'nothing pulled again yet');
      await t.cvm.shutdown('graceful');
      const r = await t.cvm.boot(a);
      assert.equal(r.ok, true);
      assert.deepEqual(
        ofType(t.events, 'image-pulled-again').map((e) => [e.service, e.image, e.prunedAtBoot]),
        [['web', nodeImage(), 2]],
      );
      assert.equal(
        (await execFileCapture('docker', ['image', 'inspect', nodeImage()])).code,
        0,
        'the user’s copy is kept',
      );
    } finally {
      await t.done();
      await execFileCapture('docker', ['image', 'rm', other]);
    }
  });
});

/**
 * An image of its own made from the test image (FROM a local image needs no registry), tagged for this process:
 * the same suite runs at once under the other Compose CLI, and its clean-up must not remove this one's image.
 */
async function variantImage(): Promise<string> {
  const tag = `${nodeImage()}-variant-${process.pid}`;
  await execFileCapture('docker', ['build', '-q', '-t', tag, '-'], {
    input: `FROM ${nodeImage()}\nLABEL io.preflight.test=variant\n`,
  });
  return tag;
}

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 100));
}

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { loadProject, resolveTargets } from '../../src/compose/index.js';
import { cleanup, drillLeftovers } from '../../src/docker/cleanup.js';
import { detectCompose } from '../../src/docker/compose.js';
import { Engine } from '../../src/docker/engine.js';
import { execFileCapture } from '../../src/docker/exec.js';
import { DRILL_LABEL, OWNER_LABEL } from '../../src/docker/labels.js';
import { startDrillAgent } from '../../src/drills/agent-socket.js';
import { LocalCvm } from '../../src/cvm/index.js';
import { projectName } from '../../src/docker/labels.js';
import { newDrillId } from '../../src/drills/lifecycle.js';
import { assertNoDrillLeftovers, composeChoice, describeDocker } from '../support/docker.js';
import { appDir, envFileFor, scratch } from '../drills/helpers.js';

await describeDocker('the local CVM runs an app the way a dstack guest does', () => {
  after(async () => {
    await assertNoDrillLeftovers();
  });

  it('uses the Compose CLI PREFLIGHT_COMPOSE names, else the one that exists (v2 plugin first, else v1)', async () => {
    const cli = await detectCompose();
    assert.ok(cli);
    const choice = composeChoice();
    if (choice) assert.equal(cli.kind, choice);
    else {
      const v2 = await execFileCapture('docker', ['compose', 'version']);
      assert.equal(cli.kind, v2.code === 0 ? 'v2' : 'v1');
    }
    assert.deepEqual(cli.command, cli.kind === 'v2' ? ['docker', 'compose'] : ['docker-compose']);
    assert.match(cli.version, cli.kind === 'v2' ? /^v?2\.\d+/ : /^1\.\d+/);
  });

  it('env only through ${VAR} from the env file, relative binds not shipped, agent socket mounted, everything labelled', async () => {
    const cli = (await detectCompose())!;
    const { file } = await envFileFor('cvm-env', { GREETING: 'from-env-file' });
    process.env.PF_HOST_ONLY = 'from-the-host';
    const [target] = resolveTargets([appDir('cvm-env')], {});
    const project = loadProject(target!, { envFiles: [file], strictRequired: true });
    delete process.env.PF_HOST_ONLY;
    const drillId = newDrillId('unit');
    const runDir = join(scratch, 'runs', drillId);
    mkdirSync(runDir, { recursive: true });
    const engine = new Engine();
    const agent = await startDrillAgent(runDir);
    try {
      const cvm = new LocalCvm({
        project: projectName(drillId),
        dir: join(runDir, 'cvm'),
        engine,
        cli,
        drillId,
        agentSocket: agent.socketPath,
      });
      const app = cvm.prepare(project);
      assert.deepEqual(
        app.unshippedBinds.map((b) => [b.service, b.source, b.target, b.where.line]),
        [['web', './config', '/etc/app', 14]],
      );

      const boot = await cvm.boot(app);
      assert.equal(boot.ok, true, JSON.stringify(boot.failed));
      const [c] = await cvm.containers('web');
      assert.ok(c);
      const env = c.Config.Env ?? [];
      assert.ok(env.includes('FROM_ENV_FILE=from-env-file'), 'the env file, not the .env beside the app');
      assert.ok(env.includes('FROM_HOST=absent'), 'the host environment does not reach interpolation');
      assert.ok(
        !env.some((e) => e.startsWith('LEAK=') || e.startsWith('GREETING=') || e.startsWith('PORT=')),
        'only what the compose file references',
      );
      assert.equal(c.Config.Labels?.[DRILL_LABEL], drillId);
      assert.ok(c.Config.Labels?.[OWNER_LABEL]?.endsWith(`/${process.pid}`));
      assert.equal(cvm.projectName, `pf-${drillId}`);

      const volumes = await engine.volumes([`${DRILL_LABEL}=${drillId}`]);
      assert.deepEqual(
        volumes.map((v) => v.Name),
        [`pf-${drillId}_data`],
      );
      const networks = await engine.networks([`${DRILL_LABEL}=${drillId}`]);
      assert.deepEqual(
        networks.map((n) => n.Name),
        [`pf-${drillId}_default`],
      );

      // The unshipped bind is an empty directory; the agent answers on the socket the app asked for.
      const ls = await engine.exec(
        c.Id,
        ['node', '-e', 'console.log(JSON.stringify(require("fs").readdirSync("/etc/app")))'],
        10_000,
      );
      assert.equal(ls.stdout.trim(), '[]');
      const info = await engine.exec(
        c.Id,
        [
          'node',
          '-e',
          'require("http").request({socketPath:"/var/run/dstack.sock",path:"/Info",method:"POST",headers:{"content-type":"application/json"}},r=>{console.log(r.statusCode)}).end("{}")',
        ],
        10_000,
      );
      assert.equal(info.stdout.trim(), '200', info.stderr);

      // Graceful stop of a SIGTERM-handling app: it exits 0 by itself, the engine does not kill it
      // at the end of its grace period (how long it took is the drill report's figure, not a test's).
      const [stop] = await cvm.stopService('web');
      assert.equal(stop!.exitCode, 0);
      assert.equal(stop!.killed, false);
    } finally {
      const removed = await cleanup({ drillId });
      await agent.close();
      assert.equal(removed.containers, 1);
      assert.equal(removed.volumes, 1);
      assert.equal(removed.networks, 1);
    }
    assert.deepEqual(await drillLeftovers(undefined, drillId), { containers: [], volumes: [], networks: [] });
  });
});

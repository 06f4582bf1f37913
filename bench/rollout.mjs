/**
 * Rollout figures for `npm run bench`, on the fake Phala Cloud API (test/support/fake-phala) with
 * real time and fast simulated boots, driven through the whole library path (`runRollout`: plan,
 * step engine, journal, Phala backend, gates) — the production path but for the base URL:
 *   a. wall time of a sequential rollout (the run, from run-start to run-end; the plan check before it is printed) of 5 replicas against Σ(each instance's upgrade — request
 *      to every gate passing — + min_healthy_time) from its journal; target ≤ 1.1×;
 *   b. 50 replicas: wall time with 2 batches (max_unavailable 25) against 10 replicas in 1 batch
 *      (max_unavailable 10): it grows with the batches (2×), not the instances (5×); target ≤ 3×;
 *      with the API requests per instance of each.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function rolloutFigures(ROOT) {
  const { tsImport } = await import('tsx/esm/api');
  const { SimulatedFleet } = await tsImport(
    join(ROOT, 'test', 'rollout', 'support', 'phala-fleet.ts'),
    import.meta.url,
  );
  const { runRollout } = await import(pathToFileURL(join(ROOT, 'dist', 'commands', 'rollout.js')).href);

  async function rollout({ replicas, maxUnavailable, bootMs, minHealthyMs }) {
    const sim = await new SimulatedFleet('real').start({ replicas, bootMs });
    const dir = mkdtempSync(join(tmpdir(), 'preflight-bench-rollout-'));
    try {
      const fleet = join(dir, 'fleet.yml');
      writeFileSync(
        fleet,
        `backend: phala
phala: { app_id: ${sim.fake.fleet.appId}, poll_interval: 100ms }
target: { compose: ./v2/compose.yaml }
strategy: { max_unavailable: ${maxUnavailable}, min_healthy_time: ${minHealthyMs}ms }
gates:
  - http: { path: /health, interval: 100ms }
`,
      );
      const { mkdirSync } = await import('node:fs');
      mkdirSync(join(dir, 'v2'));
      writeFileSync(
        join(dir, 'v2', 'compose.yaml'),
        'services:\n  web:\n    image: nginx:1.28\n    ports: ["8080:80"]\n',
      );
      const t0 = performance.now();
      const { report } = await runRollout({
        fleet,
        cwd: dir,
        runRoot: join(dir, 'runs'),
        apiKey: sim.fake.apiKey,
        baseURL: sim.fake.baseURL,
      });
      const wallMs = performance.now() - t0;
      if (report.status !== 'passed')
        throw new Error(`bench rollout ${report.status}: ${JSON.stringify(report.findings)}`);
      // Each instance's own time: its upgrade request to every gate passing, then min_healthy_time.
      const own = report.instances.map((i) => {
        const at = (p) => i.phases.find((x) => x.phase === p)?.t;
        return (at('healthy') - at('upgrade-requesting')) * 1000;
      });
      return {
        wallMs: report.durationMs,
        planMs: wallMs - report.durationMs,
        sumOwnMs: own.reduce((a, b) => a + b, 0),
        replicas,
      };
    } finally {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const seq = await rollout({ replicas: 5, maxUnavailable: 1, bootMs: 2000, minHealthyMs: 1500 });
  const one = await rollout({ replicas: 10, maxUnavailable: 10, bootMs: 1000, minHealthyMs: 500 });
  const two = await rollout({ replicas: 50, maxUnavailable: 25, bootMs: 1000, minHealthyMs: 500 });
  return { seq, one, two };
}

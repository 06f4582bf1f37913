import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Clock,
  connectPhala,
  type PhalaClient,
  RequestMeter,
  type SignerOptions,
  systemClock,
} from '../../../src/phala/index.js';
import { PhalaBackend, type PhalaTarget } from '../../../src/rollout/backend/phala.js';
import { runBatch } from '../../../src/rollout/batch.js';
import type { Strategy } from '../../../src/rollout/config.js';
import {
  initialRolloutState,
  outOfRotation,
  type RolloutEvent,
  reduceRollout,
  type RolloutState,
} from '../../../src/rollout/events.js';
import type { FlowContext } from '../../../src/rollout/flow.js';
import { makeGates } from '../../../src/rollout/gates/index.js';
import {
  type FakePhala,
  type FakePhalaOptions,
  FakePhala as Fake,
  type FakeReplica,
  ManualClock,
} from '../../support/fake-phala/index.js';

/**
 * A fake Phala Cloud fleet whose replicas answer a health endpoint the way their deployed version
 * behaves: `BAD` in the compose text → never healthy (503), `FLAKY` → healthy for 5 s after boot,
 * then 500; anything else → 200 `{"status":"ok"}`. One manual clock drives the fake, the client,
 * the gates and the waits, so a rollout of 50 replicas runs in milliseconds of real time.
 */
export class SimulatedFleet {
  /** Manual by default (one instance at a time runs instantly); real for concurrent batches. */
  readonly clock: Clock & { sleeps?: number[] };
  constructor(kind: 'manual' | 'real' = 'manual') {
    this.clock = kind === 'manual' ? new ManualClock() : systemClock;
  }
  fake!: FakePhala;
  client!: PhalaClient;
  readonly meter = new RequestMeter();
  #health!: http.Server;
  #healthUrl = '';
  events: RolloutEvent[] = [];
  state: RolloutState = initialRolloutState();
  /** The most instances out of rotation at once, over every state the journal passed through. */
  maxOutOfRotation = 0;

  async start(o: FakePhalaOptions = {}): Promise<this> {
    this.#health = http.createServer((req, res) => {
      const m = /^\/replica\/(\d+)\/health$/.exec(req.url ?? '');
      const r = m ? this.fake.fleet.replicas[Number(m[1])] : undefined;
      if (!r) return void res.writeHead(404).end();
      const v = this.fake.fleet.view(r);
      const text = v.compose.docker_compose_file;
      const up = this.clock.now() - r.bootedAt;
      const ok = v.phase === 'running' && !text.includes('BAD') && !(text.includes('FLAKY') && up >= 5000);
      res.writeHead(ok ? 200 : text.includes('FLAKY') ? 500 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'failing' }));
    });
    await new Promise<void>((r) => this.#health.listen(0, '127.0.0.1', r));
    this.#healthUrl = `http://127.0.0.1:${(this.#health.address() as AddressInfo).port}`;
    this.fake = await Fake.start({
      now: () => this.clock.now(),
      instanceUrl: (r: FakeReplica) => `${this.#healthUrl}/replica/${r.index}`,
      ...o,
    });
    this.client = await connectPhala({
      apiKey: this.fake.apiKey,
      baseURL: this.fake.baseURL,
      clock: this.clock,
      random: () => 0,
      meter: this.meter,
    });
    return this;
  }

  async close(): Promise<void> {
    await this.fake.close();
    this.#health.closeAllConnections();
    await new Promise((r) => this.#health.close(r));
  }

  /** `onChain`: the app owner's key and RPC, for a fleet whose KMS is on chain. */
  backend(target: PhalaTarget, pollIntervalMs = 2000, onChain?: SignerOptions): Promise<PhalaBackend> {
    return PhalaBackend.open({
      client: this.client,
      clock: this.clock,
      target,
      fleet: { appId: this.fake.fleet.appId, pollIntervalMs },
      ...(onChain ? { onChain } : {}),
    });
  }

  /** The flow context a rollout step gets, journaling into `events` and folding into `state`. */
  context(
    backend: PhalaBackend,
    strategy: Strategy,
    o: { pauseAnswer?: 'resume' | 'abort'; gateIntervalMs?: number } = {},
  ): FlowContext {
    const started = this.clock.now();
    const pauseAnswer = o.pauseAnswer ?? 'abort';
    return {
      backend,
      gates: makeGates([
        {
          kind: 'http',
          name: 'health',
          path: '/health',
          method: 'GET',
          status: 200,
          successes: 2,
          intervalMs: o.gateIntervalMs ?? 1000,
          timeoutMs: 2000,
        },
      ]),
      strategy,
      clock: this.clock,
      signal: unlimited(new AbortController().signal),
      emit: (e) => {
        this.events.push(e);
        this.state = reduceRollout(this.state, e as never);
        this.maxOutOfRotation = Math.max(this.maxOutOfRotation, outOfRotation(this.state).length);
      },
      state: () => this.state,
      progressDeadlineAt: () => started + strategy.progressDeadlineMs + this.state.pausedMs,
      pause: async (reason) => {
        this.events.push({ type: 'paused', reason, at: this.clock.now() });
        return pauseAnswer;
      },
      where: { file: '.preflight.yml', line: 1, column: 1 },
    };
  }

  /** Record the fleet as a rollout does at its start. */
  async begin(backend: PhalaBackend): Promise<void> {
    const fleet = await backend.fleet();
    const e: RolloutEvent = {
      type: 'fleet',
      instances: fleet.map((i) => ({ id: i.id, name: i.name, version: i.version })),
      targetVersion: backend.targetVersion,
    };
    this.events.push(e);
    this.state = reduceRollout(this.state, e as never);
  }

  runBatch(ctx: FlowContext, ids: string[]) {
    return runBatch(ctx, ids);
  }
}

function unlimited(signal: AbortSignal): AbortSignal {
  setMaxListeners(0, signal);
  return signal;
}

export const strategy = (over: Partial<Strategy> = {}): Strategy => ({
  maxUnavailable: { count: 1 },
  minHealthyTimeMs: 10_000,
  healthyDeadlineMs: 120_000,
  progressDeadlineMs: 900_000,
  onFailure: 'rollback',
  ...over,
});

export const composeOf = (image: string, marker = '') =>
  `services:\n  web:\n    image: ${image}\n    ports: ["8080:80"]\n${marker ? `    labels: { note: ${marker} }\n` : ''}`;

/**
 * A rollout project for the CLI on a simulated fleet (real clock, 300 ms boots): `./v2/compose.yaml` the
 * target, `fleet.yml` on the fake's app with fast polling and an HTTP gate, then `extra` (more fleet.yml
 * lines). Started before the block's tests, closed and removed after; read `sim` and `dir` inside tests.
 */
export function fleetProjectSuite(
  prefix: string,
  extra = '',
  fleetOptions: FakePhalaOptions = {},
): { readonly sim: SimulatedFleet; readonly dir: string } {
  const suite = { sim: undefined as unknown as SimulatedFleet, dir: '' };
  before(async () => {
    suite.sim = await new SimulatedFleet('real').start({ bootMs: 300, ...fleetOptions });
    suite.dir = mkdtempSync(join(tmpdir(), prefix));
    mkdirSync(join(suite.dir, 'v2'));
    writeFileSync(
      join(suite.dir, 'v2', 'compose.yaml'),
      'services:\n  web:\n    image: nginx:1.28\n    ports: ["8080:80"]\n',
    );
    writeFileSync(
      join(suite.dir, 'fleet.yml'),
      `backend: phala
phala: { app_id: ${suite.sim.fake.fleet.appId}, poll_interval: 100ms }
target: { compose: ./v2 }
strategy: { min_healthy_time: 300ms }
gates:
  - http: { path: /health, interval: 100ms }
${extra}`,
    );
  });
  after(async () => {
    await suite.sim?.close();
    if (suite.dir) rmSync(suite.dir, { recursive: true, force: true });
  });
  return suite;
}

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadJsonPath, rolloutSettings } from '../../src/rollout/config.js';
import { InputError } from '../../src/util/errors.js';
import { configFromText } from '../support/config.js';

const settings = (text: string) => rolloutSettings(configFromText(text));
const fails = (text: string, message: RegExp) =>
  assert.throws(
    () => settings(text),
    (e: unknown) => e instanceof InputError && message.test(e.message),
  );

const PHALA = `rollout:
  backend: phala
  phala: { app_id: ${'ab'.repeat(20)} }
  target: { compose: ./v2, env_file: ./v2.env }
  gates:
    - http: { path: /health }
`;

describe('rollout settings', () => {
  before(() => loadJsonPath());

  it('applies the defaults the issue names: 1 at a time, 10 s healthy, 5 m and 15 m deadlines, rollback', () => {
    const s = settings(PHALA);
    assert.equal(s.backend, 'phala');
    assert.deepEqual(s.strategy, {
      maxUnavailable: { count: 1 },
      minHealthyTimeMs: 10_000,
      healthyDeadlineMs: 300_000,
      progressDeadlineMs: 900_000,
      canary: undefined,
      onFailure: 'rollback',
    });
    assert.equal(s.gates[0]!.kind, 'http');
    assert.ok(s.target.compose.endsWith('/v2'));
  });

  it('reads max_unavailable as a count or a percentage, canary with a pause, durations', () => {
    const s = settings(`rollout:
  backend: local
  local: { current: ./v1, replicas: 4 }
  target: { compose: ./v2 }
  strategy:
    max_unavailable: 25%
    min_healthy_time: 2s
    healthy_deadline: 1m30s
    canary: { count: 1, pause: 30s }
    on_failure: halt
  gates:
    - http: { path: /health, status: 200, json_path: $.status, equals: ok, successes: 3, interval: 200ms }
    - command: [curl, -fsS, "{{url}}/ready"]
    - prometheus: { url: "http://127.0.0.1:9090", query: "up", above: 0 }
  balancer: { drain: "lb drain {{instance}}", enable: "lb enable {{instance}}" }
`);
    assert.deepEqual(s.strategy.maxUnavailable, { percent: 25 });
    assert.equal(s.strategy.minHealthyTimeMs, 2000);
    assert.equal(s.strategy.healthyDeadlineMs, 90_000);
    assert.deepEqual(s.strategy.canary, { count: 1, pause: { ms: 30_000 } });
    assert.equal(s.local?.replicas, 4);
    const [http, command, prom] = s.gates;
    assert.deepEqual(http, {
      kind: 'http',
      name: 'http /health',
      path: '/health',
      method: 'GET',
      status: 200,
      successes: 3,
      intervalMs: 200,
      timeoutMs: 5000,
      jsonPath: '$.status',
      equals: { value: 'ok' },
    });
    assert.equal(command?.kind, 'command');
    assert.equal(prom?.kind, 'prometheus');
    assert.equal(s.balancer?.kind, 'hooks');
    assert.deepEqual(
      settings(PHALA.replace('phala:', 'strategy: { max_unavailable: "2" }\n  phala:')).strategy.maxUnavailable,
      { count: 2 },
    );
  });

  it('canary without a pause waits for a manual resume', () => {
    const s = settings(PHALA.replace('gates:', 'strategy: { canary: { count: 1 } }\n  gates:'));
    assert.deepEqual(s.strategy.canary, { count: 1, pause: 'manual' });
  });

  it('phala.rpc_url: the node on-chain registrations go through; an http(s) URL or refused with its line', () => {
    assert.equal(settings(PHALA).phala!.rpcUrl, undefined);
    const url = 'https://base.example/v2/token';
    assert.equal(settings(PHALA.replace(` }\n  target`, `, rpc_url: "${url}" }\n  target`)).phala!.rpcUrl, url);
    fails(
      PHALA.replace(` }\n  target`, `, rpc_url: "ws://node" }\n  target`),
      /^\.preflight\.yml:3:.*http\(s\):\/\/ URL/,
    );
  });

  it('refuses what the schema refuses, naming the file and line', () => {
    fails(PHALA.replace('backend: phala', 'backend: k8s'), /^\.preflight\.yml:2:\d+: .*"phala" or "local"/);
    fails(
      PHALA.replace('gates:', 'strategy: { max_unavailable: 0% }\n  gates:'),
      /^\.preflight\.yml:5:.*count .* or a percentage/,
    );
    fails(PHALA.replace('gates:', 'strategy: { min_healthy_time: soon }\n  gates:'), /^\.preflight\.yml:5:.*duration/);
    fails(
      PHALA.replace('- http: { path: /health }', '- http: { path: /health }\n      command: ["true"]'),
      /\.preflight\.yml:6:/,
    );
    fails(PHALA.replace('{ app_id: ', '{ cvms: [a], app_id: '), /\.preflight\.yml:3:/);
  });

  it('refuses what only the rollout can tell: no gates, a threshold-less Prometheus gate, a bad JSON path, a bad hook', () => {
    fails(PHALA.replace(/ {2}gates:\n.*\n/, ''), /^\.preflight\.yml:1:.*at least one health gate/);
    fails(
      PHALA.replace('- http: { path: /health }', '- prometheus: { url: "http://p:9090", query: up }'),
      /^\.preflight\.yml:6:.*needs a threshold/,
    );
    fails(
      PHALA.replace('{ path: /health }', '{ path: /health, json_path: "$.[" }'),
      /^\.preflight\.yml:6:\d+: not a JSON path/,
    );
    fails(
      PHALA.replace('{ path: /health }', '{ path: /health, equals: ok }'),
      /^\.preflight\.yml:6:\d+: `equals` needs a `json_path`/,
    );
    fails(
      `${PHALA}  balancer: { drain: "lb {{nope}}", enable: "lb {{instance}}" }\n`,
      /^\.preflight\.yml:7:\d+: .*nope/,
    );
    fails(PHALA.replace(/ {2}phala: .*\n/, ''), /^\.preflight\.yml:2:\d+: backend phala needs `phala:`/);
  });
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DstackClient } from '@phala/dstack-sdk';
import { getComposeHash } from '@phala/dstack-sdk/get-compose-hash';
import { startAgent } from '../../src/agent/index.js';
import { check } from '../../src/commands/check.js';
import { composeHash, composeHashOfText } from '../../src/compose/compose-hash.js';
import { composeHashChange } from '../../src/diff/index.js';
import { renderReport } from '../../src/report/index.js';
import { InputError } from '../../src/util/errors.js';
import { catalogue } from '../support/catalogue.js';
import { load, scratchDir } from '../support/project.js';

/**
 * One compose hash everywhere: src/compose/compose-hash.ts, checked against @phala/dstack-sdk's
 * `getComposeHash` on several manifests, and the places that show a hash (check's report, diff,
 * the agent's Info through the SDK's own client) agree with it.
 */
const scratch = scratchDir('compose-hash');

const COMPOSE = 'services:\n  web:\n    image: "nginx:1.27"\n    command: ["sh", "-c", "echo \\"hi\\" && sleep 1"]\n';
const MANIFESTS: Record<string, Record<string, unknown>> = {
  minimal: { manifest_version: 2, name: 'app', runner: 'docker-compose', docker_compose_file: COMPOSE },
  'keys out of order, nested, unicode': {
    runner: 'docker-compose',
    public_logs: false,
    name: 'café ☕ — ünïcode',
    port_policy: { restrict_mode: true, ports: [{ pp: true, port: 443 }, { port: 80 }] },
    allowed_envs: ['Z_LAST', 'A_FIRST'],
    manifest_version: 2,
    docker_compose_file: COMPOSE,
    pre_launch_script: '#!/bin/sh\nset -e\necho "ready" > /tmp/x\n',
    kms_enabled: true,
    features: ['kms', 'tproxy-net'],
  },
  'string manifest_version, sizes, nulls': {
    manifest_version: '3',
    name: 'big',
    runner: 'docker-compose',
    docker_compose_file: COMPOSE,
    swap_size: 1073741824,
    storage_fs: null,
    init_script: ['a', 'b'],
    gateway_enabled: true,
  },
  'bash runner keeps docker_compose_file (no normalisation)': {
    manifest_version: 2,
    name: 'sh',
    runner: 'bash',
    docker_compose_file: COMPOSE,
    bash_script: 'echo hi',
    pre_launch_script: '',
  },
};

describe('the compose hash', () => {
  for (const [name, m] of Object.entries(MANIFESTS)) {
    it(`is @phala/dstack-sdk's getComposeHash: ${name}`, () => {
      assert.equal(composeHash(m), getComposeHash(m as never));
      assert.match(composeHash(m), /^[0-9a-f]{64}$/);
    });
  }

  it('is the sha256 of the sorted, compact JSON (dstack docs/normalized-app-compose.md)', () => {
    const m = MANIFESTS.minimal!;
    const canonical = `{"docker_compose_file":${JSON.stringify(COMPOSE)},"manifest_version":2,"name":"app","runner":"docker-compose"}`;
    assert.equal(composeHash(m), createHash('sha256').update(canonical, 'utf8').digest('hex'));
  });

  it('does not depend on how the file is written (key order, indentation)', () => {
    const m = MANIFESTS['keys out of order, nested, unicode']!;
    const reordered = Object.fromEntries(Object.entries(m).reverse());
    assert.equal(composeHashOfText(JSON.stringify(m, null, 2)), composeHashOfText(JSON.stringify(reordered)));
    assert.throws(() => composeHashOfText('services: {}', 'x.json'), InputError);
  });

  it('check reports it for an app-compose.json project (JSON and text), and only there', () => {
    for (const [name, m] of Object.entries(MANIFESTS)) {
      if (m.runner !== 'docker-compose') continue;
      const dir = scratch.project(name.replace(/\W+/g, '-'), { 'app-compose.json': JSON.stringify(m, null, 4) });
      const report = check(['.'], { cwd: dir });
      assert.equal(report.targets[0]!.composeHash, getComposeHash(m as never), name);
      assert.equal(JSON.parse(renderReport(report, 'json', { catalogue })).targets[0].composeHash, composeHash(m));
      assert.match(
        renderReport(report, 'text', { catalogue }),
        new RegExp(`compose hash ${composeHash(m).slice(0, 16)}`),
      );
    }
    const compose = scratch.project('plain', { 'compose.yaml': COMPOSE });
    assert.equal(check(['.'], { cwd: compose }).targets[0]!.composeHash, undefined);
  });

  it('diff names the same hashes', () => {
    const oldM = MANIFESTS.minimal!;
    const newM = { ...oldM, public_logs: false };
    const a = load(scratch.project('old', { 'app-compose.json': JSON.stringify(oldM) }));
    const b = load(scratch.project('new', { 'app-compose.json': JSON.stringify(newM, null, 2) }));
    const msg = composeHashChange(a, b)!;
    assert.ok(msg.includes(getComposeHash(oldM as never).slice(0, 16)), msg);
    assert.ok(msg.includes(`(full: ${getComposeHash(newM as never)})`), msg);
    assert.equal(
      composeHashChange(a, load(scratch.project('same', { 'app-compose.json': JSON.stringify(oldM, null, 8) }))),
      undefined,
    );
  });

  it("the agent's Info reports it, as the SDK's client reads it", async () => {
    const dir = scratch.project('agent', {});
    for (const m of Object.values(MANIFESTS)) {
      const agent = await startAgent({ socketPath: join(dir, 'a.sock'), appCompose: JSON.stringify(m, null, 2) });
      try {
        const info = await new DstackClient(agent.socketPath).info();
        assert.equal(info.compose_hash, getComposeHash(m as never));
      } finally {
        await agent.close();
      }
    }
  });
});

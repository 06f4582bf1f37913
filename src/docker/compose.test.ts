import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../util/errors.js';
import { type ComposeCli, type ComposeProbe, selectCompose, whyNoCompose } from './compose.js';

const V2: ComposeCli = { kind: 'v2', command: ['docker', 'compose'], version: '2.26.1' };
const V1: ComposeCli = { kind: 'v1', command: ['docker-compose'], version: '1.29.2' };

/** A machine with the given CLIs installed; records which ones were asked. */
function machine(...installed: ComposeCli[]): { probe: ComposeProbe; asked: string[] } {
  const asked: string[] = [];
  const probe: ComposeProbe = async (kind) => {
    asked.push(kind);
    return installed.find((c) => c.kind === kind) ?? { missing: `${kind} is not installed` };
  };
  return { probe, asked };
}

describe('selectCompose (PREFLIGHT_COMPOSE)', () => {
  it('unset: v2 first, as the CVM runs it', async () => {
    const m = machine(V1, V2);
    assert.deepEqual(await selectCompose(undefined, m.probe), V2);
    assert.deepEqual(m.asked, ['v2']);
  });

  it('unset: v1 when there is no v2; undefined when there is neither', async () => {
    assert.deepEqual(await selectCompose(undefined, machine(V1).probe), V1);
    assert.equal(await selectCompose('', machine().probe), undefined);
  });

  it('v1 or v2 picks that one even when the other is installed, and asks for nothing else', async () => {
    const m = machine(V1, V2);
    assert.deepEqual(await selectCompose('v1', m.probe), V1);
    assert.deepEqual(await selectCompose('v2', m.probe), V2);
    assert.deepEqual(m.asked, ['v1', 'v2']);
  });

  it('a chosen CLI that does not answer is an input error naming the setting and the reason', async () => {
    const m = machine(V2);
    await assert.rejects(selectCompose('v1', m.probe), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.message, 'PREFLIGHT_COMPOSE=v1 but v1 is not installed');
      return true;
    });
    assert.deepEqual(m.asked, ['v1'], 'no fallback to v2');
  });

  it('an unknown value is an input error, nothing is probed', async () => {
    const m = machine(V1, V2);
    await assert.rejects(selectCompose('v3', m.probe), {
      name: 'InputError',
      message: 'PREFLIGHT_COMPOSE must be v2 (docker compose) or v1 (docker-compose), not "v3"',
    });
    assert.deepEqual(m.asked, []);
  });
});

describe('whyNoCompose', () => {
  it('names what is missing from what docker and docker-compose print', () => {
    // Docker CLI 20.10 and 28 without the plugin: `compose` is no command, so `--short` is an unknown flag.
    const noFlag = "unknown flag: --short\nSee 'docker --help'.\n\nUsage:  docker [OPTIONS] COMMAND\n";
    assert.equal(whyNoCompose('v2', { code: 125, stderr: noFlag }), 'docker has no compose plugin');
    const noCommand = "docker: 'compose' is not a docker command.\nSee 'docker --help'\n";
    assert.equal(whyNoCompose('v2', { code: 1, stderr: noCommand }), 'docker has no compose plugin');
    assert.equal(whyNoCompose('v2', { code: 127, stderr: 'spawn docker ENOENT' }), 'docker is not installed');
    assert.equal(whyNoCompose('v1', { code: 127, stderr: '' }), 'docker-compose is not installed');
    assert.equal(
      whyNoCompose('v1', { code: 1, stderr: "ModuleNotFoundError: No module named 'compose'\n  more\n" }),
      "ModuleNotFoundError: No module named 'compose'",
    );
    assert.equal(whyNoCompose('v1', { code: 3, stderr: '' }), 'exit 3');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CvmIdSchema, isValidHostname } from '@phala/cloud';
import {
  connectPhala,
  isCvmName,
  type PhalaClient,
  parseAppId,
  parseCvmId,
  parseKmsId,
  parseRevisionId,
  parseVmUuid,
  pathSegment,
} from '../../src/phala/index.js';
import { UsageError } from '../../src/util/errors.js';
import { FakePhala } from '../support/fake-phala/index.js';

const APP = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const UUID = '550e8400-e29b-41d4-a716-446655440000';

const HOSTILE = [
  'x/../../etc',
  '../apps',
  '..',
  '.',
  'my-app/network',
  'my-app?x=1',
  'my-app#frag',
  'my%2Fapp',
  'my app',
  'my-\napp',
  'my-app\u0000',
  'cvm\u001b[31m',
  `${UUID}/../../kms`,
  `app_${APP}/../x`,
  '',
  '   ',
];

describe('CVM id forms (parseCvmId)', () => {
  it('accepts the forms the SDK normalises: UUIDs, app ids, instance ids, numeric ids, names', () => {
    assert.deepEqual(parseCvmId(UUID), { id: UUID, form: 'uuid' });
    assert.deepEqual(parseCvmId(UUID.replace(/-/g, '').toUpperCase()), { id: UUID.replace(/-/g, ''), form: 'uuid' });
    assert.deepEqual(parseCvmId(APP), { id: APP, form: 'app-id' });
    assert.deepEqual(parseCvmId(`app_${APP}`), { id: `app_${APP}`, form: 'app-id' });
    assert.deepEqual(parseCvmId(`instance_${APP}`), { id: `instance_${APP}`, form: 'instance-id' });
    assert.deepEqual(parseCvmId('1234'), { id: '1234', form: 'numeric' });
    assert.deepEqual(parseCvmId('my-app'), { id: 'my-app', form: 'name' });
    // Surrounding whitespace (a shell substitution's newline) is dropped, not sent.
    assert.deepEqual(parseCvmId('  replica-1\n'), { id: 'replica-1', form: 'name' });
  });

  it('refuses anything else with one line naming the flag and the forms', () => {
    for (const bad of [...HOSTILE, 'app', '-app1', 'app--x', 'app-', '1abc', `app_${APP}00`, '0', '0123']) {
      assert.throws(
        () => parseCvmId(bad),
        (e: unknown) =>
          e instanceof UsageError &&
          e.message.startsWith('--cvm ') &&
          /is not a CVM id: expected a UUID/.test(e.message) &&
          !e.message.includes('\n') &&
          !e.message.includes('\u001b'),
        `accepted ${JSON.stringify(bad)}`,
      );
    }
  });

  it('names follow the SDK rule (isValidHostname) exactly', () => {
    const samples = [
      'my-app',
      'MyApp',
      'abcde',
      'abcd',
      'a'.repeat(63),
      'a'.repeat(64),
      '123app',
      'app-',
      'a--b1',
      'a-b-c',
    ];
    for (const s of samples) assert.equal(isCvmName(s), isValidHostname(s), s);
  });

  it('whatever passes reaches the SDK path as one segment', () => {
    for (const v of [UUID, APP, `app_${APP}`, `instance_${APP}`, '42', 'my-app']) {
      const { cvmId } = CvmIdSchema.parse({ id: parseCvmId(v).id }) as { cvmId: string };
      assert.match(cvmId, /^[A-Za-z0-9_-]+$/, v);
    }
  });
});

describe('app ids, vm_uuids, KMS ids, revision ids', () => {
  it('app ids: 40 hex digits, bare or app_… or 0x…, returned bare and lowercase', () => {
    assert.equal(parseAppId(APP.toUpperCase()), APP);
    assert.equal(parseAppId(`app_${APP}`), APP);
    assert.equal(parseAppId(`0x${APP}`), APP);
    for (const bad of [...HOSTILE, APP.slice(1), `${APP}0`, `app_0x${APP}`]) {
      assert.throws(() => parseAppId(bad), /^UsageError: --app-id .* is not an app id/, JSON.stringify(bad));
    }
  });

  it('vm_uuids are UUIDs; KMS ids and revision ids are plain tokens', () => {
    assert.equal(parseVmUuid(UUID.toUpperCase()), UUID);
    assert.throws(() => parseVmUuid('my-app'), UsageError);
    assert.equal(parseKmsId('kms-1'), 'kms-1');
    assert.equal(parseKmsId('phala_prod7'), 'phala_prod7');
    assert.equal(parseRevisionId('rev-12'), 'rev-12');
    for (const bad of HOSTILE) {
      assert.throws(() => parseVmUuid(bad), UsageError);
      assert.throws(() => parseKmsId(bad), UsageError);
      assert.throws(() => parseRevisionId(bad), UsageError);
    }
  });

  it('pathSegment encodes, and refuses empty and dot segments', () => {
    assert.equal(pathSegment('a/b?c'), 'a%2Fb%3Fc');
    assert.throws(() => pathSegment('..'), UsageError);
    assert.throws(() => pathSegment(''), UsageError);
  });

  it('a long hostile value is cut short in the message', () => {
    assert.throws(
      () => parseCvmId(`${'a/'.repeat(500)}`),
      (e: unknown) => e instanceof Error && e.message.length < 400,
    );
  });
});

describe('hostile ids never reach the API', () => {
  let fake: FakePhala;
  let phala: PhalaClient;
  before(async () => {
    fake = await FakePhala.start();
    phala = await connectPhala({ apiKey: fake.apiKey, baseURL: fake.baseURL });
  });
  after(() => fake.close());

  it('every call refuses them before sending anything', async () => {
    for (const bad of HOSTILE) {
      const calls: Array<() => Promise<unknown>> = [
        () => phala.getCvm(bad),
        () => phala.getContainers(bad),
        () => phala.getNetwork(bad),
        () => phala.watchState(bad, { target: 'running', timeoutMs: 1000 }),
        () => phala.patchCvm(bad, { docker_compose_file: 'services: {}\n' }),
        () => phala.confirmCvmPatch(bad, { composeHash: 'ab', transactionHash: 'cd' }),
        () => phala.listReplicas(bad),
        () => phala.listRevisions(bad),
        () => phala.getRevision(fake.fleet.appId, bad),
        () => phala.getStatuses([bad]),
        () => phala.waitForStatuses([bad], { timeoutMs: 10 }),
      ];
      for (const call of calls) await assert.rejects(call(), UsageError);
    }
    assert.deepEqual(fake.log, []);
    assert.equal(phala.meter.requests, 0);
  });

  it('a valid id is sent as exactly one path segment', async () => {
    const r = fake.fleet.replicas[0]!;
    await phala.getNetwork(r.name);
    await phala.getCvm(r.vmUuid.toUpperCase());
    assert.deepEqual(fake.calls(), [`GET /cvms/${r.name}/network`, `GET /cvms/${r.vmUuid.replace(/-/g, '')}`]);
  });
});

/**
 * A stand-in for the Phala Cloud API on 127.0.0.1, answering only what the `@phala/cloud` SDK's
 * zod schemas accept (each answer is checked against the SDK's own schema before it is served).
 */
import { after, before } from 'node:test';
import { rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { CvmInfoDetailV20260121Schema, GetAppEnvEncryptPubKeySchema, LooseAppComposeSchema } from '@phala/cloud';

export const APP_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
export const KMS_SIGNING_KEY = Uint8Array.from(Buffer.from('11'.repeat(32), 'hex'));
export const KMS_SIGNER = '0x' + Buffer.from(secp256k1.getPublicKey(KMS_SIGNING_KEY, true)).toString('hex');

/** Legacy KMS signature: keccak256("dstack-env-encrypt-pubkey" ":" app_id_bytes public_key), r‖s‖v. */
export function signEnvPubkey(publicKeyHex: string, appId: string, signingKey = KMS_SIGNING_KEY): string {
  const message = Buffer.concat([
    Buffer.from('dstack-env-encrypt-pubkey:'),
    Buffer.from(appId.replace(/^0x/, ''), 'hex'),
    Buffer.from(publicKeyHex, 'hex'),
  ]);
  const sig = secp256k1.sign(keccak_256(message), signingKey);
  return Buffer.concat([Buffer.from(sig.toCompactRawBytes()), Buffer.from([sig.recovery])]).toString('hex');
}

export interface FakeCloudState {
  envPubkey: string;
  /** What /kms/…/pubkey answers; defaults to the key signed by KMS_SIGNING_KEY. */
  signature?: string;
  allowedEnvs: string[];
  composeText: string;
  requests: Array<{ url: string; apiKey: string | undefined }>;
}

export function cvmInfo(state: FakeCloudState): unknown {
  return CvmInfoDetailV20260121Schema.parse({
    id: 'cvm-hash-1',
    name: 'my-app',
    app_id: APP_ID,
    resource: { vcpu: 2, memory_in_gb: 4, disk_in_gb: 20 },
    kms_type: 'phala',
    kms_info: { encrypted_env_pubkey: state.envPubkey },
    status: 'running',
    gateway: { base_domain: 'example.test' },
  });
}

export async function startFakeCloud(state: FakeCloudState): Promise<{ baseURL: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    state.requests.push({ url: req.url ?? '', apiKey: req.headers['x-api-key'] as string | undefined });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://x');
    let m: RegExpExecArray | null;
    if ((m = /^\/api\/v1\/kms\/([^/]+)\/pubkey\/([^/]+)$/.exec(url.pathname))) {
      const body = GetAppEnvEncryptPubKeySchema.parse({
        public_key: state.envPubkey,
        signature: state.signature ?? signEnvPubkey(state.envPubkey, m[2]!),
      });
      return send(200, body);
    }
    if ((m = /^\/api\/v1\/cvms\/([^/]+)\/compose_file$/.exec(url.pathname))) {
      if (m[1] === 'missing') return send(404, { detail: 'not found' });
      const body = LooseAppComposeSchema.parse({
        name: 'my-app',
        manifest_version: 2,
        docker_compose_file: state.composeText,
        allowed_envs: state.allowedEnvs,
        kms_enabled: true,
        public_logs: true,
        public_sysinfo: true,
      });
      return send(200, body);
    }
    if ((m = /^\/api\/v1\/cvms\/([^/]+)$/.exec(url.pathname))) {
      if (m[1] === 'missing') return send(404, { detail: 'not found' });
      return send(200, cvmInfo(state));
    }
    send(404, { detail: 'no route' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/api/v1`,
    // Keep-alive sockets from the SDK would hold close() (and the test process) open.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * For a test file that drives the CLI against the fake cloud: start it before the tests, point the
 * SDK at it through the environment (the production path reads PHALA_CLOUD_API_PREFIX/_KEY), and
 * stop it and remove `cleanupDir` after.
 */
export function useFakeCloud(state: FakeCloudState, cleanupDir?: string): void {
  let server: Awaited<ReturnType<typeof startFakeCloud>>;
  before(async () => {
    server = await startFakeCloud(state);
    process.env.PHALA_CLOUD_API_PREFIX = server.baseURL;
    process.env.PHALA_CLOUD_API_KEY = 'k';
  });
  after(async () => {
    delete process.env.PHALA_CLOUD_API_PREFIX;
    delete process.env.PHALA_CLOUD_API_KEY;
    await server.close();
    if (cleanupDir) rmSync(cleanupDir, { recursive: true, force: true });
  });
}

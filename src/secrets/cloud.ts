/**
 * What `secrets` reads from Phala Cloud, through the `@phala/cloud` SDK (its zod schemas validate
 * every response). The base URL comes from `baseURL`, else `PHALA_CLOUD_API_PREFIX`, else the SDK's
 * default; the key from `apiKey`, else `PHALA_CLOUD_API_KEY`. Tests only change the base URL.
 *
 * The SDK is imported lazily: it pulls in viem, which `encrypt --pubkey` does not need.
 */
import { InputError, UsageError } from '../util/errors.js';
import {
  verifyEnvEncryptPublicKey,
  verifyEnvEncryptPublicKeyLegacy,
} from '@phala/dstack-sdk/verify-env-encrypt-public-key';

export interface CloudOptions {
  apiKey?: string;
  baseURL?: string;
}

export interface EnvPublicKey {
  /** 64 lowercase hex digits, no 0x. */
  publicKey: string;
  /** Where it came from, for the user: `--pubkey`, `cvm <id>`, `kms <id>`. */
  source: string;
  /** True when a KMS signature over (app_id, key) recovered a signer (and matched the pinned one, if given). */
  verified: boolean;
  /** Compressed secp256k1 key of the signer, when verified. */
  signer?: string;
  appId?: string;
  /** One line for the user saying what was and was not checked. */
  note: string;
}

type CloudSdk = typeof import('@phala/cloud');
type CloudClient = ReturnType<CloudSdk['createBaseClient']>;

async function connect(options: CloudOptions): Promise<{ sdk: CloudSdk; client: CloudClient }> {
  const apiKey = options.apiKey ?? process.env.PHALA_CLOUD_API_KEY;
  if (!apiKey) throw new UsageError('reading from Phala Cloud needs an API key: set PHALA_CLOUD_API_KEY');
  const sdk = await import('@phala/cloud');
  const client = sdk.createBaseClient({ apiKey, ...(options.baseURL ? { baseURL: options.baseURL } : {}) });
  return { sdk, client };
}

/** Runs one API call; HTTP and schema failures become one-line input errors (no bodies echoed). */
async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as {
      status?: number;
      statusCode?: number;
      issues?: Array<{ path: unknown[]; message: string }>;
      message?: string;
    };
    const status = e.status ?? e.statusCode;
    if (status) throw new InputError(`Phala Cloud: ${what} failed with HTTP ${status}`);
    if (Array.isArray(e.issues)) {
      const first = e.issues[0];
      throw new InputError(
        `Phala Cloud: unexpected answer to ${what}${first ? ` (${first.path.join('.')}: ${first.message})` : ''}`,
      );
    }
    throw new InputError(`Phala Cloud: ${what} failed: ${String(e.message ?? err).split('\n')[0]}`);
  }
}

interface CvmSummary {
  appId?: string;
  envPubkey?: string;
}

function summarizeCvm(info: unknown): CvmSummary {
  // Two API versions: 2026-01-21 keeps the key under kms_info, 2025-10-28 at the top level.
  const i = info as {
    app_id?: string | null;
    encrypted_env_pubkey?: string | null;
    kms_info?: { encrypted_env_pubkey?: string | null } | null;
  };
  return {
    appId: i.app_id ?? undefined,
    envPubkey: i.kms_info?.encrypted_env_pubkey ?? i.encrypted_env_pubkey ?? undefined,
  };
}

export interface PublicKeyRequest extends CloudOptions {
  cvm?: string;
  appId?: string;
  /** KMS id or slug; when given, the KMS-signed key is fetched and its signature checked. */
  kms?: string;
  /** Expected signer (compressed secp256k1, hex); verification fails unless it matches. */
  kmsSigner?: string;
}

/** The app's env-encryption public key from Phala Cloud (`--cvm` / `--app-id`). */
export async function fetchEnvPublicKey(req: PublicKeyRequest): Promise<EnvPublicKey> {
  if (!req.cvm && !req.appId) throw new UsageError('give --pubkey, --cvm or --app-id');
  const { sdk, client } = await connect(req);
  let appId = req.appId;
  let unsigned: string | undefined;
  let source = '';
  if (req.cvm || !req.kms) {
    const id = req.cvm ? { id: req.cvm } : { app_id: req.appId! };
    const info = await call(`GET cvm ${req.cvm ?? req.appId}`, () => sdk.getCvmInfo(client, id));
    const s = summarizeCvm(info);
    appId = appId ?? s.appId;
    unsigned = s.envPubkey;
    source = `cvm ${req.cvm ?? req.appId}`;
  }
  if (req.kms) {
    if (!appId) throw new InputError('Phala Cloud did not return the app_id needed to ask the KMS for its key');
    return fetchSignedKey(sdk, client, req.kms, appId, req.kmsSigner, unsigned);
  }
  if (!unsigned) throw new InputError(`Phala Cloud has no env public key for ${source}`);
  return {
    publicKey: normalizeHex(unsigned, source),
    source,
    verified: false,
    appId,
    note: `key read from the CVM record of ${source}, not signature-checked (add --kms ID to fetch and verify the KMS-signed key)`,
  };
}

async function fetchSignedKey(
  sdk: CloudSdk,
  client: CloudClient,
  kms: string,
  appId: string,
  pinned: string | undefined,
  fromCvm: string | undefined,
): Promise<EnvPublicKey> {
  const what = `GET /kms/${kms}/pubkey/${appId}`;
  // Fetched without the SDK's (strict) schema so newer fields (timestamp, signature_v1) are kept;
  // the two fields the SDK knows are then validated with the SDK's own schema.
  const raw = (await call(what, () =>
    sdk.getAppEnvEncryptPubKey(client, { kms, app_id: appId }, { schema: false }),
  )) as Record<string, unknown>;
  const answer = await call(what, async () =>
    sdk.GetAppEnvEncryptPubKeySchema.parse({ public_key: raw?.public_key, signature: raw?.signature }),
  );
  const source = `kms ${kms}`;
  const publicKey = normalizeHex(answer.public_key, source);
  const signer = recoverSigner(publicKey, answer.signature, raw.signature_v1, raw.timestamp, appId);
  if (!signer)
    throw new InputError(
      `the env public key from ${source} for app ${appId} does not carry a valid KMS signature; refusing to use it`,
    );
  if (pinned && signer.toLowerCase() !== normalizeSigner(pinned)) {
    throw new InputError(
      `the env public key from ${source} was signed by ${signer}, not by the expected KMS ${normalizeSigner(pinned)}`,
    );
  }
  if (fromCvm && normalizeHex(fromCvm, source) !== publicKey) {
    throw new InputError(`the KMS key for app ${appId} differs from the one on the CVM record; refusing to guess`);
  }
  const pinNote = pinned ? 'matches --kms-signer' : 'pin it with --kms-signer to trust only that KMS';
  return {
    publicKey,
    source,
    verified: true,
    signer,
    appId,
    note: `KMS signature verified for app ${appId}: signed by ${signer} (${pinNote})`,
  };
}

function recoverSigner(
  publicKeyHex: string,
  signature: string,
  signatureV1: unknown,
  timestamp: unknown,
  appId: string,
): string | null {
  const pub = Buffer.from(publicKeyHex, 'hex');
  const bytes = (hex: string) => Buffer.from(hex.replace(/^0x/i, ''), 'hex');
  // The SDK's verifier logs to console.error on a malformed signature; keep our output clean.
  const quiet = console.error;
  console.error = () => {};
  try {
    const ts =
      typeof timestamp === 'number' || (typeof timestamp === 'string' && /^\d+$/.test(timestamp))
        ? BigInt(timestamp)
        : undefined;
    if (ts !== undefined) {
      for (const sig of [signatureV1, signature]) {
        if (typeof sig !== 'string') continue;
        const signer = verifyEnvEncryptPublicKey(pub, bytes(sig), appId, ts);
        if (signer) return signer;
      }
    }
    // Older KMS builds sign (app_id, key) without a timestamp.
    return verifyEnvEncryptPublicKeyLegacy(pub, bytes(signature), appId);
  } catch {
    return null;
  } finally {
    console.error = quiet;
  }
}

function normalizeHex(hex: string, source: string): string {
  const clean = hex.trim().replace(/^0x/i, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(clean)) throw new InputError(`the env public key from ${source} is not 32 bytes of hex`);
  return clean;
}

function normalizeSigner(hex: string): string {
  const clean = hex.trim().replace(/^0x/i, '').toLowerCase();
  return `0x${clean}`;
}

export interface DeployedEnv {
  /** Names the guest accepts now (`allowed_envs` of the deployed app-compose.json). */
  envKeys: string[];
  /** The deployed compose YAML. */
  composeText: string;
  appCompose: Record<string, unknown>;
}

/** What a CVM runs now: its app-compose.json (compose text and `allowed_envs`). */
export async function fetchDeployedEnv(cvm: string, options: CloudOptions = {}): Promise<DeployedEnv> {
  const { sdk, client } = await connect(options);
  const compose = await call(`GET /cvms/${cvm}/compose_file`, () => sdk.getCvmComposeFile(client, { id: cvm }));
  return {
    envKeys: [...(compose.allowed_envs ?? [])],
    composeText: compose.docker_compose_file,
    appCompose: { ...compose } as Record<string, unknown>,
  };
}

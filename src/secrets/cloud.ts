/**
 * What `secrets` reads from Phala Cloud, through the `@phala/cloud` SDK (its zod schemas validate
 * every response). The base URL comes from `baseURL`, else `PHALA_CLOUD_API_PREFIX`, else the
 * `phala` CLI profile's api_prefix when the key came from it, else the SDK's default; the key from
 * `apiKey`, else `PHALA_CLOUD_API_KEY`, else the `phala` CLI's login (src/phala/credentials.ts).
 * Every id is checked against the API's id forms and encoded before it goes into a path
 * (src/phala/ids.ts): `--cvm 'x/../../etc'` is refused, never sent. Tests only change the base URL.
 *
 * The SDK is imported lazily: it pulls in viem, which `encrypt --pubkey` does not need.
 */
import { resolveCredentials } from '../phala/credentials.js';
import { schemaIssue } from '../phala/errors.js';
import { parseAppId, parseCvmId, parseKmsId, pathSegment } from '../phala/ids.js';
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
  const creds = resolveCredentials({ apiKey: options.apiKey, baseURL: options.baseURL });
  const sdk = await import('@phala/cloud');
  const client = sdk.createBaseClient({ apiKey: creds.apiKey, ...(creds.baseURL ? { baseURL: creds.baseURL } : {}) });
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
      issues?: Array<{ path?: unknown[]; code?: string }>;
      message?: string;
    };
    const status = e.status ?? e.statusCode;
    if (status) throw new InputError(`Phala Cloud: ${what} failed with HTTP ${status}`);
    // The field and the kind of mismatch; zod's own message may quote the value.
    if (Array.isArray(e.issues)) throw new InputError(`Phala Cloud: unexpected answer to ${what}${schemaIssue(e)}`);
    throw new InputError(`Phala Cloud: ${what} failed: ${String(e.message ?? err).split('\n')[0]}`);
  }
}

/** The app_id a CVM record carries goes into the KMS path next: it must be an app id too. */
function answeredAppId(appId: string | undefined): string | undefined {
  if (appId === undefined) return undefined;
  try {
    return parseAppId(appId);
  } catch {
    throw new InputError('Phala Cloud: unexpected answer (at app_id: not 40 hex digits)');
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
  const cvm = req.cvm ? parseCvmId(req.cvm, '--cvm').id : undefined;
  let appId = req.appId ? parseAppId(req.appId, '--app-id') : undefined;
  const kms = req.kms ? parseKmsId(req.kms, '--kms') : undefined;
  let unsigned: string | undefined;
  let source = '';
  if (cvm || !kms) {
    const id = cvm ? { id: pathSegment(cvm) } : { app_id: pathSegment(appId!) };
    const info = await call(`GET cvm ${cvm ?? appId}`, () => sdk.getCvmInfo(client, id));
    const s = summarizeCvm(info);
    appId = appId ?? answeredAppId(s.appId);
    unsigned = s.envPubkey;
    source = `cvm ${cvm ?? appId}`;
  }
  if (kms) {
    if (!appId) throw new InputError('Phala Cloud did not return the app_id needed to ask the KMS for its key');
    return fetchSignedKey(sdk, client, kms, appId, req.kmsSigner, unsigned);
  }
  if (!unsigned) throw new InputError(`Phala Cloud has no env public key for ${source}`);
  return {
    publicKey: normalizeHex(unsigned, source),
    source,
    verified: false,
    appId,
    note:
      `key read from the CVM record of ${source}, not signature-checked (add --kms ID to fetch and verify the ` +
      `KMS-signed key)`,
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
    sdk.getAppEnvEncryptPubKey(client, { kms: pathSegment(kms), app_id: pathSegment(appId) }, { schema: false }),
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
export async function fetchDeployedEnv(cvmId: string, options: CloudOptions = {}): Promise<DeployedEnv> {
  const { sdk, client } = await connect(options);
  const cvm = parseCvmId(cvmId, '--cvm').id;
  const compose = await call(`GET /cvms/${cvm}/compose_file`, () =>
    sdk.getCvmComposeFile(client, { id: pathSegment(cvm) }),
  );
  return {
    envKeys: [...(compose.allowed_envs ?? [])],
    composeText: compose.docker_compose_file,
    appCompose: { ...compose } as Record<string, unknown>,
  };
}

/**
 * The guest agent's RPC methods, as plain functions of a JSON request. Shapes follow what
 * `@phala/dstack-sdk` (0.5.x) sends and parses, and dstack's guest-agent `rpc_service.rs`.
 * Bytes travel as hex strings; errors are `{ "error": "…" }` with HTTP 400, like prpc.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { type Keyring, normalizeKeyAlgorithm, signData, verifyData, type DerivedKey } from './keys.js';
import { SimulatedMeasurements, ATTESTATION_MARKER, pad64, tappdReportData } from './quote.js';
import { issueCertificate } from './x509.js';
import { parseHex, sha256, toHex } from './encoding.js';
import type { KeyLogEntry } from './keylog.js';
import { unavailable, type OsVersion } from './os-version.js';
import { composeHashOfText } from '../compose/compose-hash.js';

/** The key providers of dstack (docs/platform.md#key-derivation). */
export type KeyProvider = 'kms' | 'local' | 'tpm' | 'none';

/**
 * `key_provider_info` as the guest reports it (dstack-util system_setup.rs: `local` is SGX, tpm and none have no id).
 */
export function keyProviderInfo(provider: KeyProvider, rootPublicKeyHex: string): { name: string; id: string } {
  if (provider === 'kms') return { name: 'kms', id: rootPublicKeyHex };
  if (provider === 'local') return { name: 'local-sgx', id: rootPublicKeyHex };
  return { name: provider, id: '' };
}

/** Runtime events the simulation keeps (EmitEvent): beyond this it refuses, so event logs and answers stay bounded. */
export const MAX_RUNTIME_EVENTS = 256;
/** Largest EmitEvent payload the simulation takes. */
export const MAX_EVENT_PAYLOAD = 4096;

/** A request the agent refuses: answered with HTTP 400 `{error}`. */
export class RpcError extends Error {}

type Body = Record<string, unknown>;
type Handler = (body: Body) => object;

export interface ServiceOptions {
  keyring: Keyring;
  /** The key provider the deployment declares: what Info's key_provider_info names. */
  keyProvider: KeyProvider;
  /** The dstack OS version simulated: which methods exist (os-version.ts) and what Version says. */
  osVersion: OsVersion;
  appName: string;
  /** The app-compose.json text; compose_hash is its compose hash (src/compose/compose-hash.ts). */
  appCompose: string;
  recordKey: (entry: Omit<KeyLogEntry, 'time' | 'appId'>) => void;
}

/** The revision the agent reports beside the simulated OS version. */
export const AGENT_REV = 'preflight-agent-simulated';

const str = (body: Body, field: string): string => {
  const v = body[field];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new RpcError(`${field} must be a string`);
  return v;
};
const flag = (body: Body, field: string, fallback: boolean): boolean =>
  typeof body[field] === 'boolean' ? (body[field] as boolean) : fallback;
const hexField = (body: Body, field: string): Buffer => {
  const bytes = parseHex(str(body, field));
  if (!bytes) throw new RpcError(`${field} must be hex`);
  return bytes;
};
const strings = (body: Body, field: string): string[] => {
  const v = body[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new RpcError(`${field} must be a list of strings`);
  return v as string[];
};
const seconds = (body: Body, field: string): Date | undefined =>
  typeof body[field] === 'number' ? new Date((body[field] as number) * 1000) : undefined;

/** Uncompressed P-256 point, hex, for the key log. */
function p256PublicHex(key: KeyObject): string {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return '04' + Buffer.from(jwk.x!, 'base64url').toString('hex') + Buffer.from(jwk.y!, 'base64url').toString('hex');
}

export class AgentService {
  readonly measurements: SimulatedMeasurements;
  readonly instanceId: string;
  readonly deviceId = toHex(sha256('preflight-simulated:device'));
  private readonly caKey: KeyObject;
  private readonly caName = 'Preflight simulated app CA';
  readonly caCertificate: string;
  readonly routes: Record<string, Handler>;
  /** Methods of the API that the simulated OS version does not serve, with why (for a useful error). */
  readonly missing: Record<string, string>;

  constructor(private readonly opts: ServiceOptions) {
    const { keyring } = opts;
    this.instanceId = toHex(keyring.derive('instance-id').subarray(0, 20));
    this.measurements = new SimulatedMeasurements({
      appId: toHex(keyring.appId),
      composeHash: this.composeHash(),
      instanceId: this.instanceId,
      keyProviderInfo: this.keyProviderInfo(),
    });
    this.caKey = keyring.p256Key('app-ca');
    this.caCertificate = issueCertificate({
      subjectKey: this.caKey,
      subject: this.caName,
      issuerName: this.caName,
      issuerKey: this.caKey,
      isCa: true,
      notBefore: new Date('2024-01-01T00:00:00Z'),
      notAfter: new Date('2124-01-01T00:00:00Z'),
      serial: keyring.derive('app-ca-serial').subarray(0, 16),
    });
    const dstack: Record<string, Handler> = {
      GetKey: (b) => this.getKey(b),
      GetTlsKey: (b) => this.getTlsKey(b),
      GetQuote: (b) => this.getQuote(b),
      Attest: (b) => this.attest(b),
      EmitEvent: (b) => this.emitEvent(b),
      Info: () => this.info(),
      GpuInfo: () => ({ attestation: '' }), // no GPU in the simulation: dstack answers "" without boot-time GPU output
      Version: () => this.version(),
      Sign: (b) => this.sign(b),
      Verify: (b) => this.verify(b),
    };
    const tappd: Record<string, Handler> = {
      DeriveKey: (b) => this.tappdDeriveKey(b),
      DeriveK256Key: (b) => this.tappdDeriveK256Key(b),
      TdxQuote: (b) => this.tappdQuote(b, str(b, 'hash_algorithm'), str(b, 'prefix')),
      RawQuote: (b) => this.tappdQuote(b, 'raw', ''),
      Info: () => this.info(),
      Version: () => this.version(),
    };
    // dstack.sock answers `/GetKey` (what the SDK calls) and the prpc spelling; tappd.sock `/prpc/Tappd.*`.
    this.routes = {};
    this.missing = {};
    for (const [method, handler] of Object.entries(dstack)) {
      const why = unavailable(method, opts.osVersion);
      if (why) {
        this.missing[`/${method}`] = this.missing[`/prpc/DstackGuest.${method}`] = why;
        continue;
      }
      this.routes[`/${method}`] = handler;
      this.routes[`/prpc/DstackGuest.${method}`] = handler;
    }
    for (const [method, handler] of Object.entries(tappd)) {
      const why = unavailable(method, opts.osVersion);
      if (why) this.missing[`/prpc/Tappd.${method}`] = why;
      else this.routes[`/prpc/Tappd.${method}`] = handler;
    }
  }

  private version(): object {
    return { version: this.opts.osVersion.join('.'), rev: AGENT_REV };
  }

  composeHash(): string {
    return composeHashOfText(this.opts.appCompose);
  }

  keyProviderInfo(): string {
    return JSON.stringify(keyProviderInfo(this.opts.keyProvider, this.opts.keyring.kmsRootPublicKeyHex));
  }

  private derived(path: string, purpose: string, algorithmName: string, endpoint: string): DerivedKey {
    const algorithm = normalizeKeyAlgorithm(algorithmName);
    if (!algorithm) throw new RpcError(`Unsupported algorithm: ${algorithmName}`);
    const key = this.opts.keyring.getKey(path, purpose, algorithm);
    this.opts.recordKey({ endpoint, path, purpose, algorithm, publicKeyHex: key.publicKeyHex, stable: true });
    return key;
  }

  private getKey(b: Body): object {
    const key = this.derived(str(b, 'path'), str(b, 'purpose'), str(b, 'algorithm'), '/GetKey');
    return { key: toHex(key.privateKey), signature_chain: key.signatureChain.map(toHex) };
  }

  private tappdDeriveK256Key(b: Body): object {
    const key = this.derived(str(b, 'path'), str(b, 'purpose'), str(b, 'algorithm'), '/prpc/Tappd.DeriveK256Key');
    return { k256_key: toHex(key.privateKey), k256_signature_chain: key.signatureChain.map(toHex) };
  }

  private certificateFor(key: KeyObject, b: Body, subject: string): string[] {
    const now = Date.now();
    const notBefore = seconds(b, 'not_before') ?? new Date(now - 3600_000);
    const notAfter = seconds(b, 'not_after') ?? new Date(now + 365 * 86400_000);
    if (notBefore >= notAfter) throw new RpcError('not_before must be earlier than not_after');
    const leaf = issueCertificate({
      subjectKey: key,
      subject: subject || 'preflight-simulated',
      issuerName: this.caName,
      issuerKey: this.caKey,
      isCa: false,
      altNames: strings(b, 'alt_names'),
      serverAuth: flag(b, 'usage_server_auth', true),
      clientAuth: flag(b, 'usage_client_auth', false),
      notBefore,
      notAfter,
    });
    return [leaf, this.caCertificate];
  }

  /** A fresh key per call (as dstack does), certified by the app CA. usage_ra_tls adds no quote here. */
  private getTlsKey(b: Body): object {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const subject = str(b, 'subject');
    const certificate_chain = this.certificateFor(key, b, subject);
    this.opts.recordKey({
      endpoint: '/GetTlsKey',
      path: '',
      purpose: subject,
      algorithm: 'p256',
      publicKeyHex: p256PublicHex(key),
      stable: false,
    });
    return { key: key.export({ type: 'pkcs8', format: 'pem' }), certificate_chain };
  }

  /** Legacy DeriveKey: a P-256 key derived from the path (random with random_seed), with a certificate. */
  private tappdDeriveKey(b: Body): object {
    const path = str(b, 'path');
    const random = flag(b, 'random_seed', false);
    const key = random
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
      : this.opts.keyring.tappdKey(path);
    if (!key) throw new RpcError('Failed to derive key');
    const subject = str(b, 'subject') || path;
    const certificate_chain = this.certificateFor(key, b, subject);
    this.opts.recordKey({
      endpoint: '/prpc/Tappd.DeriveKey',
      path,
      purpose: subject,
      algorithm: 'p256',
      publicKeyHex: p256PublicHex(key),
      stable: !random,
    });
    return { key: key.export({ type: 'pkcs8', format: 'pem' }), certificate_chain };
  }

  private quoteResponse(reportData: Buffer): {
    quote: string;
    event_log: string;
    report_data: string;
    vm_config: string;
  } {
    return {
      quote: toHex(this.measurements.quote(reportData)),
      event_log: JSON.stringify(this.measurements.eventLog()),
      report_data: toHex(reportData),
      vm_config: this.vmConfig(),
    };
  }

  private reportData(b: Body): Buffer {
    const padded = pad64(hexField(b, 'report_data'));
    if (!padded) throw new RpcError('Report data is too long: at most 64 bytes');
    return padded;
  }

  private getQuote(b: Body): object {
    return this.quoteResponse(this.reportData(b));
  }

  private tappdQuote(b: Body, hashAlgorithm: string, prefix: string): object {
    const reportData = tappdReportData(hexField(b, 'report_data'), hashAlgorithm, prefix);
    if (typeof reportData === 'string') throw new RpcError(reportData);
    const { quote, event_log } = this.quoteResponse(reportData);
    const algorithm = hashAlgorithm || 'sha512';
    return { quote, event_log, hash_algorithm: algorithm, prefix: algorithm === 'raw' ? '' : prefix || 'app-data' };
  }

  private attest(b: Body): object {
    const body = ATTESTATION_MARKER + JSON.stringify(this.quoteResponse(this.reportData(b)));
    return { attestation: Buffer.from(body, 'utf8').toString('hex') };
  }

  private emitEvent(b: Body): object {
    const event = str(b, 'event');
    if (!event) throw new RpcError('event name cannot be empty');
    const payload = hexField(b, 'payload');
    if (payload.length > MAX_EVENT_PAYLOAD || event.length > 256)
      throw new RpcError(
        `event too large for the simulation (name ≤ 256 characters, payload ≤ ${MAX_EVENT_PAYLOAD} bytes)`,
      );
    if (this.measurements.runtimeEvents() >= MAX_RUNTIME_EVENTS)
      throw new RpcError(`the simulation keeps at most ${MAX_RUNTIME_EVENTS} runtime events per boot`);
    this.measurements.extendRuntime(event, payload);
    return {};
  }

  private sign(b: Body): object {
    const name = str(b, 'algorithm');
    const prehashed = name === 'secp256k1_prehashed';
    const data = hexField(b, 'data');
    if (prehashed && data.length !== 32) {
      throw new RpcError(`Pre-hashed signing requires a 32-byte digest, but received ${data.length} bytes`);
    }
    const key = this.derived('vms', 'signing', prehashed ? 'secp256k1' : name, '/Sign');
    const signature = signData(key, data, prehashed);
    return {
      signature: toHex(signature),
      signature_chain: [signature, ...key.signatureChain].map(toHex),
      public_key: key.publicKeyHex,
    };
  }

  private verify(b: Body): object {
    const raw = str(b, 'algorithm');
    const algorithm = raw === 'k256' ? 'secp256k1' : raw;
    if (algorithm !== 'secp256k1' && algorithm !== 'secp256k1_prehashed' && algorithm !== 'ed25519') {
      throw new RpcError(`Unsupported algorithm: ${raw}`);
    }
    try {
      return { valid: verifyData(algorithm, hexField(b, 'data'), hexField(b, 'signature'), hexField(b, 'public_key')) };
    } catch (err) {
      if (err instanceof RpcError) throw err;
      throw new RpcError(`invalid public key or signature: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  private vmConfig(): string {
    return JSON.stringify({
      spec_version: 1,
      os_image_hash: this.measurements.osImageHash,
      cpu_count: 1,
      memory_size: 1 << 30,
      simulated: true,
    });
  }

  private info(): object {
    const m = this.measurements;
    const [rtmr0, rtmr1, rtmr2, rtmr3] = m.rtmrs().map(toHex);
    const note = 'simulated by `preflight agent`: measurements and quotes are not attestation';
    const tcbInfo = {
      mrtd: toHex(m.mrtd),
      rtmr0,
      rtmr1,
      rtmr2,
      rtmr3,
      mr_aggregated: m.mrAggregated(),
      os_image_hash: m.osImageHash,
      compose_hash: this.composeHash(),
      device_id: this.deviceId,
      app_compose: this.opts.appCompose,
      event_log: m.eventLog(),
      simulated: true,
      note,
    };
    return {
      app_id: toHex(this.opts.keyring.appId),
      instance_id: this.instanceId,
      app_cert: this.caCertificate,
      tcb_info: JSON.stringify(tcbInfo),
      app_name: this.opts.appName,
      device_id: this.deviceId,
      mr_aggregated: m.mrAggregated(),
      os_image_hash: m.osImageHash,
      key_provider_info: this.keyProviderInfo(),
      compose_hash: this.composeHash(),
      vm_config: this.vmConfig(),
      cloud_vendor: 'preflight',
      cloud_product: 'simulated-agent',
      simulated: true,
      note,
    };
  }
}
